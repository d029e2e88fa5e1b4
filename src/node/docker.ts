import { findHostDir } from "./containerd/host-dir.ts";
import { hostDirView, type ViewParts } from "./containerd/host-dir-view.ts";
import { certsDirFindings, readCertsDir } from "./docker/certs-dir.ts";
import { type DaemonJson, readDaemonJson } from "./docker/daemon-json.ts";
import { type InsecureMatch, matchInsecure } from "./docker/insecure-match.ts";
import type { HostFs } from "./host-fs.ts";
import { assertRegistryName } from "./registry-name.ts";
import type { InsecureSetting, RuntimeTrustView } from "./types.ts";

export const DOCKER_CERTS_D = "/etc/docker/certs.d";

export interface DockerTrustOptions {
  /** daemon.json read earlier (node-view caches it). */
  daemonJson?: DaemonJson;
  /** The registry host's IP addresses, when known: dockerd matches insecure CIDRs against them. */
  addresses?: readonly string[];
}

/**
 * What dockerd trusts for `registry`: /etc/docker/certs.d/<registry>/*.crt on
 * top of the system roots, unless daemon.json `insecure-registries` (or the
 * built-in loopback ranges) turns verification off, in which case certs.d is
 * not even read (daemon/pkg/registry/registry.go `newTLSConfig`). With the
 * containerd image store, dockerd resolves hosts like containerd does,
 * hosts.toml included (daemon/hosts.go).
 */
export function dockerTrustFor(
  fs: HostFs,
  registry: string,
  opts: DockerTrustOptions = {},
): RuntimeTrustView {
  assertRegistryName(registry);
  const daemon = opts.daemonJson ?? readDaemonJson(fs);
  const base = { runtime: "docker" as const, registry, usesSystemRoots: true };
  if (!daemon.valid) {
    const summary = `${daemon.path} does not parse; dockerd cannot start`;
    return {
      ...base,
      caFiles: [],
      insecure: null,
      configFiles: [daemon.path],
      findings: daemon.findings,
      summary,
    };
  }
  const match = matchInsecure(registry, daemon.insecureRegistries, opts.addresses ?? null);
  const insecure = insecureSetting(daemon, match);
  const parts =
    daemon.containerdSnapshotter === true
      ? containerdStoreView(fs, registry, insecure)
      : classicView(fs, registry, insecure, match);
  return {
    ...base,
    ...parts,
    configFiles: [...(daemon.exists ? [daemon.path] : []), ...parts.configFiles],
    findings: [...daemon.findings, ...parts.findings],
  };
}

function insecureSetting(daemon: DaemonJson, match: InsecureMatch | null): InsecureSetting | null {
  if (match?.kind === "entry") {
    return {
      file: daemon.path,
      line: match.entry.line,
      setting: `insecure-registries "${match.entry.raw}"`,
      expiresAt: null,
    };
  }
  if (match?.kind === "builtin") {
    return {
      file: daemon.path,
      line: null,
      setting: `dockerd's built-in insecure range ${match.cidr}`,
      expiresAt: null,
    };
  }
  return null;
}

function classicView(
  fs: HostFs,
  registry: string,
  insecure: InsecureSetting | null,
  match: InsecureMatch | null,
): ViewParts {
  const dir = `${DOCKER_CERTS_D}/${registry}`;
  const read = readCertsDir(fs, dir, {
    missingKeyHint: "CA certificates must use the extension .crt",
    skipVanishedCrt: false,
  });
  if (insecure) {
    // dockerd does not read certs.d while the override is set; the CA files are
    // still the pool it would use without it (insecure-findings "without it").
    return {
      caFiles: read?.caFiles ?? [],
      insecure,
      configFiles: [],
      findings: [],
      summary: `${insecure.setting}: TLS not verified, ${dir} not read while it is set`,
    };
  }
  const unresolved =
    match?.kind === "unresolved"
      ? `; insecure-registries CIDRs ${match.cidrs.map((c) => c.value).join(", ")} apply if ${registry} resolves into them`
      : "";
  if (!read)
    return {
      caFiles: [],
      insecure: null,
      configFiles: [],
      findings: [],
      summary: `no ${dir}; system roots only${unresolved}`,
    };
  const hostsTomlNote = hasHostsToml(fs, dir)
    ? "; hosts.toml there is read only with the containerd image store"
    : "";
  return {
    caFiles: read.caFiles,
    insecure: null,
    configFiles: [dir],
    findings: certsDirFindings(read, "dockerd", registry, "no docker restart needed"),
    summary:
      (read.caFiles.length > 0
        ? `${read.caFiles.map((s) => s.path).join(", ")} added to the system roots`
        : `${dir}: no *.crt, system roots only`) +
      hostsTomlNote +
      unresolved,
  };
}

/** Docker Engine with the containerd image store: containerd's host-directory rules on /etc/docker/certs.d. */
function containerdStoreView(fs: HostFs, registry: string, insecure: InsecureSetting | null): ViewParts {
  const match = findHostDir(fs, [DOCKER_CERTS_D], registry);
  const parts: ViewParts = match
    ? hostDirView(fs, match, registry, "dockerd")
    : {
        caFiles: [],
        insecure: null,
        configFiles: [],
        findings: [],
        summary: `no host directory for ${registry}; system roots only`,
      };
  // Legacy insecure-registries merge in only when certs.d configured a single host (daemon/hosts.go mergeLegacyConfig).
  const merged = insecure && !parts.mirrors ? insecure : parts.insecure;
  return {
    ...parts,
    insecure: merged,
    summary: `containerd image store, ${DOCKER_CERTS_D}: ${parts.summary}`,
  };
}

function hasHostsToml(fs: HostFs, dir: string): boolean {
  try {
    return fs.exists(`${dir}/hosts.toml`);
  } catch {
    return false;
  }
}
