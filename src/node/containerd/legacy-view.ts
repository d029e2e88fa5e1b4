import { type Finding, finding } from "../../findings/finding.ts";
import { caFileFindings } from "../ca-findings.ts";
import type { HostFs } from "../host-fs.ts";
import { readTrustSource } from "../trust-source.ts";
import type { InsecureSetting } from "../types.ts";
import type { ContainerdConfig } from "./config.ts";
import { isLocalhost } from "./endpoint.ts";
import { findHostDir, type HostDirMatch } from "./host-dir.ts";
import type { ViewParts } from "./host-dir-view.ts";
import { splitUrl } from "./hosts-toml.ts";
import type { LegacyTls } from "./legacy-registry.ts";

export interface LegacyContext {
  runtime: string;
  /** certs.d roots whose host directories go unread without config_path. */
  unsetCheckRoots: readonly string[];
  /** How to turn config_path on for this runtime (config snippet, commands). */
  configPathFix: string[];
}

/**
 * The CRI plugin without config_path (internal/cri/server/images/image_pull.go
 * `registryHosts`, legacy branch): mirrors plus the default endpoint, with TLS
 * from `configs."<endpoint host>".tls` in 1.x only. No certs.d is read.
 */
export function legacyView(
  fs: HostFs,
  config: ContainerdConfig,
  registry: string,
  ctx: LegacyContext,
): ViewParts {
  const mirror = config.mirrors.get(registry) ?? config.mirrors.get("*");
  const endpoints = (mirror?.endpoints ?? []).map((e) => splitUrl(e.includes("://") ? e : `https://${e}`));
  const defaultHost = registry === "docker.io" ? "registry-1.docker.io" : registry;
  const mirrors = endpoints.filter((e) => e.host !== registry).map((e) => `${e.scheme}://${e.host}`);
  const tls = config.version >= 3 ? null : (config.configs.get(defaultHost)?.tls ?? null);
  const caFiles = tls?.caFile
    ? [
        readTrustSource(fs, tls.caFile, "config.toml configs.tls.ca_file", {
          file: config.path,
          line: tls.caFileLine,
        }),
      ]
    : [];
  const failure = {
    runtime: ctx.runtime,
    registry,
    consequence: `fails every pull from ${registry} (failed to load CA file)`,
  };
  const insecure = legacyInsecure(config, defaultHost, registry, tls);
  const ignored = ignoredHostDirs(fs, config, registry, ctx);
  const summary =
    `config_path unset in ${config.exists ? config.path : `${config.path} (absent)`}: certs.d is not read; ` +
    (caFiles.length > 0
      ? `configs."${defaultHost}".tls.ca_file added to the system roots`
      : "system roots only") +
    (insecure ? `, ${insecure.setting}` : "") +
    (mirrors.length > 0 ? `; tries mirrors first: ${mirrors.join(", ")}` : "");
  return {
    caFiles,
    insecure,
    configFiles: [],
    findings: [...ignored, ...caFileFindings(caFiles, failure)],
    summary,
    ...(mirrors.length > 0 ? { mirrors } : {}),
  };
}

function legacyInsecure(
  config: ContainerdConfig,
  host: string,
  registry: string,
  tls: LegacyTls | null,
): InsecureSetting | null {
  if (tls?.insecureSkipVerify) {
    return {
      file: config.path,
      line: tls.insecureSkipVerifyLine,
      setting: `configs."${host}".tls.insecure_skip_verify = true`,
      expiresAt: null,
    };
  }
  if (!tls && isLocalhost(registry)) {
    // `defaultScheme`: localhost is dialled over http://, with verification off (image_pull.go).
    return {
      file: config.path,
      line: null,
      setting: "containerd's built-in plain http:// (verification off) for localhost registries",
      expiresAt: null,
    };
  }
  return null;
}

/** Host directories containerd would use for this registry if config_path were set. */
function ignoredHostDirs(
  fs: HostFs,
  config: ContainerdConfig,
  registry: string,
  ctx: LegacyContext,
): Finding[] {
  for (const root of ctx.unsetCheckRoots) {
    const match = findHostDir(fs, [root], registry);
    if (!match) continue;
    const files = filesIn(fs, match);
    if (files.length === 0) continue;
    return [configPathUnset(config, registry, match, files, ctx)];
  }
  return [];
}

function filesIn(fs: HostFs, match: HostDirMatch): string[] {
  try {
    const names = fs.readDir(match.dir) ?? [];
    return names
      .filter((n) => n === "hosts.toml" || /\.(crt|cert|key)$/.test(n))
      .map((n) => `${match.dir}/${n}`);
  } catch {
    return [];
  }
}

function configPathUnset(
  config: ContainerdConfig,
  registry: string,
  match: HostDirMatch,
  files: string[],
  ctx: LegacyContext,
): Finding {
  const hostsToml = files.find((f) => f.endsWith("/hosts.toml"));
  const why = config.exists
    ? `${config.path} sets no config_path`
    : `there is no ${config.path}, so config_path is empty`;
  const newer =
    config.version >= 3 || !config.exists
      ? " (containerd 2.2 and newer default it to /etc/containerd/certs.d:/etc/docker/certs.d when no mirrors are set; older versions do not)"
      : "";
  return finding(
    "config-path-unset",
    "error",
    `${ctx.runtime} ignores ${hostsToml ?? files.join(", ")} because ${why}: without it the CRI plugin never reads certs.d${newer}. Pulls of ${registry} use the system roots only.`,
    {
      file: config.path,
      ...(config.configPathLine ? { line: config.configPathLine } : {}),
      evidence: [`host directory ${match.dir}`, ...files.map((f) => `ignored: ${f}`)],
      fix: [
        ...ctx.configPathFix,
        ...(config.mirrors.size > 0
          ? [
              "Move registry.mirrors into hosts.toml files first: mirrors and config_path cannot be set together.",
            ]
          : []),
      ],
    },
  );
}
