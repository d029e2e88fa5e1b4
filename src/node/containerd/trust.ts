import { type Finding, finding } from "../../findings/finding.ts";
import type { HostFs } from "../host-fs.ts";
import { assertRegistryName } from "../registry-name.ts";
import type { RuntimeName, RuntimeTrustView } from "../types.ts";
import {
  CONTAINERD_CONFIG,
  type ContainerdConfig,
  configPathSnippet,
  readContainerdConfig,
} from "./config.ts";
import { implicitLocalhostSkipVerify } from "./endpoint.ts";
import { type ContainerdFeatures, containerdFeatures } from "./features.ts";
import { findHostDir } from "./host-dir.ts";
import { hostDirView, implicitSkip, type ViewParts } from "./host-dir-view.ts";
import { legacyView } from "./legacy-view.ts";
import { resolutionFindings } from "./resolution-findings.ts";
import { type HostsResolution, resolveHosts } from "./resolve-hosts.ts";
import { containerdResolved, containerdRules } from "./resolved-view.ts";
import { atLeast } from "./version.ts";

/** containerd ≥ 2.2 on Linux, when neither config_path nor mirrors is set (plugins/cri/images/plugin.go). */
export const DEFAULT_CONFIG_PATH_V2_2 = ["/etc/containerd/certs.d", "/etc/docker/certs.d"];

export interface ContainerdTrustOptions {
  /** The runtime this view is for; k3s and RKE2 embed containerd. Default "containerd". */
  runtime?: RuntimeName;
  /** A config read earlier (node-view caches it); else `configFile` is read. */
  config?: ContainerdConfig;
  configFile?: string;
  /**
   * Roots to use when config.toml sets no config_path. `undefined` → containerd's
   * own default (DEFAULT_CONFIG_PATH_V2_2 from 2.2, else none); `null` → none
   * (the legacy registry path, certs.d unread).
   */
  fallbackRoots?: readonly string[] | null;
  /** Known containerd version ("1.7.27", "2.2.0"), when the caller has it; decides which release's rules apply. */
  containerdVersion?: string | null;
  /** Where containerdVersion came from ("dpkg status", "apk database", "option"), for the JSON. */
  containerdVersionSource?: string | null;
  /** certs.d roots to check for ignored host directories when config_path is unset. */
  unsetCheckRoots?: readonly string[];
  /** How to turn config_path on (snippet and commands); defaults to editing config.toml. */
  configPathFix?: string[];
}

/**
 * What containerd's CRI plugin trusts for `registry` ("host[:port]" exactly as
 * in the image reference): config.toml decides between certs.d (config_path)
 * and the legacy registry settings; certs.d resolution follows hosts.go.
 */
export function containerdTrustFor(
  fs: HostFs,
  registry: string,
  opts: ContainerdTrustOptions = {},
): RuntimeTrustView {
  assertRegistryName(registry);
  const runtime = opts.runtime ?? "containerd";
  const features = containerdFeatures(opts.containerdVersion);
  const rules = containerdRules(opts.containerdVersion, opts.containerdVersionSource ?? null);
  const config = opts.config ?? readContainerdConfig(fs, opts.configFile ?? CONTAINERD_CONFIG, features);
  const base = { runtime, registry, usesSystemRoots: true };
  const credentials = config.credentials.length > 0 ? { plaintextCredentials: config.credentials } : {};
  if (!config.valid) {
    const summary = config.refusal
      ? `containerd refuses ${config.path} (${config.refusal}); ${runtime}'s containerd or its CRI plugin cannot start`
      : `${config.path} does not parse; ${runtime}'s containerd cannot start`;
    const view = {
      ...base,
      caFiles: [],
      insecure: null,
      configFiles: [config.path],
      findings: config.findings,
      summary,
    };
    return { ...view, resolved: containerdResolved(config, rules, null, view) };
  }
  const roots = config.roots.length > 0 ? config.roots : fallbackRoots(config, opts);
  const parts = roots
    ? rootsView(fs, { roots, registry, runtime, features }, how(config))
    : legacyView(fs, config, registry, {
        runtime,
        unsetCheckRoots: opts.unsetCheckRoots ?? DEFAULT_CONFIG_PATH_V2_2,
        configPathFix: opts.configPathFix ?? defaultConfigPathFix(config),
      });
  const criNote = config.criDisabled
    ? ` (the CRI plugin is disabled in ${config.path}: kubelet cannot use this containerd)`
    : "";
  const { resolution, ...viewParts } = { resolution: null, ...parts };
  const view = {
    ...base,
    ...viewParts,
    configFiles: [...(config.exists ? [config.path] : []), ...parts.configFiles],
    findings: [...config.findings, ...parts.findings],
    summary: parts.summary + criNote,
    ...credentials,
  };
  return { ...view, resolved: containerdResolved(config, rules, resolution, view) };
}

function fallbackRoots(config: ContainerdConfig, opts: ContainerdTrustOptions): readonly string[] | null {
  if (opts.fallbackRoots !== undefined) return opts.fallbackRoots;
  const defaults = atLeast(opts.containerdVersion ?? null, 2, 2) && config.mirrors.size === 0;
  return defaults ? DEFAULT_CONFIG_PATH_V2_2 : null;
}

function how(config: ContainerdConfig): string {
  return config.roots.length > 0 ? "config_path" : "default config_path";
}

interface RootsLookup {
  roots: readonly string[];
  registry: string;
  runtime: string;
  features: ContainerdFeatures;
}

function rootsView(
  fs: HostFs,
  lookup: RootsLookup,
  how: string,
): ViewParts & { resolution: HostsResolution } {
  const { roots, registry, runtime, features } = lookup;
  const resolution = resolveHosts(fs, roots, registry, features);
  const failing = resolutionFindings(resolution, registry, runtime);
  return { ...withFindings(hostDirParts(fs, lookup, how), failing), resolution };
}

function withFindings(parts: ViewParts, extra: Finding[]): ViewParts {
  return extra.length === 0 ? parts : { ...parts, findings: [...parts.findings, ...extra] };
}

function hostDirParts(fs: HostFs, lookup: RootsLookup, how: string): ViewParts {
  const { roots, registry, runtime, features } = lookup;
  const match = findHostDir(fs, roots, registry, features);
  if (match) {
    const parts = hostDirView(fs, match, registry, runtime, features);
    return { ...parts, summary: `${how} ${roots.join(":")} → ${parts.summary}` };
  }
  const insecure = implicitLocalhostSkipVerify(registry, features)
    ? implicitSkip(roots[0] ?? CONTAINERD_CONFIG, features)
    : null;
  return {
    caFiles: [],
    insecure,
    configFiles: [],
    findings: unlistedHostDirs(fs, roots, registry, runtime),
    summary: `${how} ${roots.join(":")}: no host directory for ${registry}; system roots only${insecure ? `, ${insecure.setting}` : ""}`,
  };
}

/** A host directory in a standard certs.d root that config_path does not list is never read. */
function unlistedHostDirs(
  fs: HostFs,
  roots: readonly string[],
  registry: string,
  runtime: string,
): Finding[] {
  const unlisted = DEFAULT_CONFIG_PATH_V2_2.filter((r) => !roots.includes(r));
  const match = findHostDir(fs, unlisted, registry);
  if (!match || match.isDefault) return [];
  return [
    finding(
      "config-path-unset",
      "warning",
      `${runtime} does not read ${match.dir}: config_path lists only ${roots.join(":")}, so CA files there are ignored for ${registry}.`,
      {
        file: match.dir,
        evidence: [`config_path = "${roots.join(":")}"`],
        fix: [
          `Move the files to ${roots[0]}/${match.dir.slice(match.root.length + 1)}/ (no restart needed), or add ${match.root} to config_path and restart containerd`,
        ],
      },
    ),
  ];
}

function defaultConfigPathFix(config: ContainerdConfig): string[] {
  const where = config.configPathLine ? `${config.path}:${config.configPathLine}` : config.path;
  if (config.exists) {
    return [`Set config_path in ${where}:\n${configPathSnippet(config)}`, "systemctl restart containerd"];
  }
  return [
    `containerd config default > ${config.path}`,
    `Set config_path in ${config.path}; containerd 1.x (config version 2):\n${configPathSnippet({ version: 2 })}\ncontainerd 2.x (config version 3):\n${configPathSnippet({ version: 3 })}`,
    "systemctl restart containerd",
  ];
}
