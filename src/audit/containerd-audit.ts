import { finding } from "../findings/finding.ts";
import { type ContainerdConfig, configPathSnippet, readContainerdConfig } from "../node/containerd/config.ts";
import { type ContainerdFeatures, containerdFeatures } from "../node/containerd/features.ts";
import { atLeast, readContainerdVersion } from "../node/containerd/version.ts";
import { HostFsError } from "../node/host-fs.ts";
import { auditCaFile } from "./ca-files.ts";
import { type AuditContext, at } from "./context.ts";
import { credentialFindings } from "./credentials.ts";
import { auditHostDir } from "./hosts-dir.ts";
import { insecureFinding, plainHttpFinding } from "./insecure.ts";

export interface ContainerdTarget {
  runtime: string;
  configFile: string;
  /** Roots to walk when the config does not set config_path (k3s before its first start, containerd ≥2.2). */
  defaultRoots: string[];
  /** Directories that exist on many nodes but are unused while config_path is unset. */
  unsetCheckRoots: string[];
  restart: string;
  /** hosts.toml rules of this containerd's version (unknown → newest). */
  features: ContainerdFeatures;
}

/** The containerd 2.2+ default when neither config_path nor mirrors is set (runtimes.md §1.3). */
const V22_DEFAULT_ROOTS = ["/etc/containerd/certs.d", "/etc/docker/certs.d"];

export function mainContainerdTarget(ctx: AuditContext): ContainerdTarget {
  const version = readContainerdVersion(ctx.fs);
  return {
    runtime: "containerd",
    configFile: "/etc/containerd/config.toml",
    defaultRoots: atLeast(version, 2, 2) ? V22_DEFAULT_ROOTS : [],
    unsetCheckRoots: atLeast(version, 2, 2) ? [] : ["/etc/containerd/certs.d"],
    restart: "systemctl restart containerd",
    features: containerdFeatures(version),
  };
}

/** Every registry a containerd config.toml and its certs.d roots configure. */
export function auditContainerd(ctx: AuditContext, target: ContainerdTarget): void {
  const config = readContainerdConfig(ctx.fs, target.configFile);
  ctx.findings.push(...config.findings.map((f) => ({ ...f, contexts: [target.runtime] })));
  ctx.findings.push(...credentialFindings(ctx.fs, target.runtime, config.credentials));
  auditLegacy(ctx, config, target);
  const roots = config.roots.length > 0 ? config.roots : config.mirrors.size === 0 ? target.defaultRoots : [];
  if (config.roots.length === 0) checkUnsetConfigPath(ctx, config, target);
  for (const root of roots) {
    for (const dir of hostDirs(ctx, root)) auditHostDir(ctx, dir, target.runtime, target.features);
  }
}

function hostDirs(ctx: AuditContext, root: string): string[] {
  try {
    const names = ctx.fs.readDir(root) ?? [];
    return names.map((n) => `${root}/${n}`).filter((p) => ctx.fs.stat(p)?.kind === "dir");
  } catch (error) {
    if (!(error instanceof HostFsError)) throw error;
    return [];
  }
}

/** certs.d directories exist but config_path is unset: the CRI plugin never reads them. */
function checkUnsetConfigPath(ctx: AuditContext, config: ContainerdConfig, target: ContainerdTarget): void {
  if (!config.exists || !config.valid) return;
  for (const root of target.unsetCheckRoots) {
    const dirs = hostDirs(ctx, root);
    if (dirs.length === 0) continue;
    ctx.findings.push(
      finding(
        "config-path-unset",
        "error",
        `${root} holds host directories (${dirs.map((d) => d.slice(root.length + 1)).join(", ")}) but ${config.path} does not set config_path, so ${target.runtime}'s CRI plugin never reads them: their CAs and settings do nothing for kubelet pulls.`,
        {
          ...at(config.path, config.configPathLine),
          contexts: [target.runtime],
          fix: [`Add to ${config.path}:\n${configPathSnippet(config, root)}`, target.restart],
        },
      ),
    );
  }
}

/** Deprecated registry.mirrors / registry.configs.*.tls (containerd 1.x). */
function auditLegacy(ctx: AuditContext, config: ContainerdConfig, target: ContainerdTarget): void {
  const text = safeText(ctx, config.path);
  for (const mirror of config.mirrors.values()) {
    ctx.registries.add(mirror.namespace);
    for (const endpoint of mirror.endpoints.filter((e) => e.startsWith("http://"))) {
      ctx.findings.push(
        plainHttpFinding(target.runtime, mirror.namespace, endpoint, config.path, mirror.line),
      );
    }
    const dupes = mirror.endpoints.filter((e, i) => mirror.endpoints.indexOf(e) !== i);
    if (dupes.length > 0) {
      ctx.findings.push(
        finding(
          "config-invalid",
          "warning",
          `registry.mirrors."${mirror.namespace}" in ${config.path} lists ${[...new Set(dupes)].join(", ")} more than once; each failure is retried, slowing every pull.`,
          {
            ...at(config.path, mirror.line),
            contexts: [target.runtime],
            fix: [`Remove the repeated endpoint, then: ${target.restart}`],
          },
        ),
      );
    }
  }
  for (const entry of config.configs.values()) {
    ctx.registries.add(entry.host);
    if (entry.tls?.caFile) {
      auditCaFile(ctx, {
        path: entry.tls.caFile,
        declaredIn: { file: config.path, line: entry.tls.caFileLine },
        runtime: target.runtime,
        registry: entry.host,
        origin: "registry.configs tls ca_file",
      });
    }
    if (!entry.tls?.insecureSkipVerify) continue;
    ctx.findings.push(
      insecureFinding(ctx, {
        runtime: target.runtime,
        registry: entry.host,
        file: config.path,
        line: entry.tls.insecureSkipVerifyLine,
        setting: "insecure_skip_verify = true",
        effect:
          config.version >= 3
            ? "would skip verification (containerd 2.x ignores configs.tls, but the intent is on record)"
            : "skips certificate and hostname verification",
        text,
        fix: [
          `Delete insecure_skip_verify from ${config.path} and trust the CA: regtrust trust ${entry.host} --ca <ca.pem>`,
        ],
      }),
    );
  }
}

function safeText(ctx: AuditContext, path: string): string | null {
  try {
    return ctx.fs.readText(path);
  } catch {
    return null;
  }
}
