import { findHostDir } from "../containerd/host-dir.ts";
import { hostDirView, type ViewParts } from "../containerd/host-dir-view.ts";
import { detectDockerVersion } from "../containerd/version.ts";
import type { HostFs } from "../host-fs.ts";
import { assertRegistryName } from "../registry-name.ts";
import type { InsecureSetting, RuntimeTrustView } from "../types.ts";
import { certsDirFindings, readCertsDir } from "./certs-dir.ts";
import { type DaemonFlags, readDaemonFlags } from "./daemon-flags.ts";
import { type DaemonJson, readDaemonJson } from "./daemon-json.ts";
import {
  builtinInsecureFor,
  conflictFinding,
  dockerResolved,
  dockerRules,
  effectiveInsecure,
  flagFileConflict,
} from "./docker-resolved.ts";
import { type InsecureMatch, matchInsecure } from "./insecure-match.ts";

export const DOCKER_CERTS_D = "/etc/docker/certs.d";

export interface DockerTrustOptions {
  /** daemon.json read earlier (node-view caches it). */
  daemonJson?: DaemonJson;
  /** The registry host's IP addresses, when known: dockerd matches insecure CIDRs against them. */
  addresses?: readonly string[];
  /** Registry flags of the docker.service unit (read when not given). */
  flags?: DaemonFlags;
  /** The installed Docker Engine version and where it was found (read from the package database when not given). */
  dockerVersion?: { version: string; source: string } | null;
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
  const flags = opts.flags ?? readDaemonFlags(fs);
  const rules = dockerRules(opts.dockerVersion === undefined ? detectDockerVersion(fs) : opts.dockerVersion);
  const inputs = { daemon, flags, rules, addresses: opts.addresses ?? null, certsDir: DOCKER_CERTS_D };
  const entries = effectiveInsecure(inputs);
  const match = matchInsecure(registry, entries, inputs.addresses, builtinInsecureFor(rules));
  const insecure = insecureSetting(daemon, flags, match);
  const conflict = flagFileConflict(daemon, flags);
  const classic = daemon.containerdSnapshotter !== true;
  const parts = classic
    ? classicView(fs, registry, insecure, match)
    : containerdStoreView(fs, registry, insecure);
  const mirrors = registry === "docker.io" ? [...daemon.registryMirrors, ...flags.registryMirrors] : [];
  return {
    ...base,
    ...parts,
    ...(classic && mirrors.length > 0 ? { mirrors } : {}),
    configFiles: [...(daemon.exists ? [daemon.path] : []), ...flags.files, ...parts.configFiles],
    findings: [
      ...daemon.findings,
      ...(conflict ? [conflictFinding(daemon, flags, conflict)] : []),
      ...parts.findings,
    ],
    ...(classic ? { resolved: dockerResolved(fs, registry, inputs) } : {}),
  };
}

function insecureSetting(
  daemon: DaemonJson,
  flags: DaemonFlags,
  match: InsecureMatch | null,
): InsecureSetting | null {
  if (match?.kind === "entry") {
    const fromFlag = !daemon.insecureRegistries.includes(match.entry);
    return {
      file: fromFlag ? (flags.files[0] ?? "docker.service") : daemon.path,
      line: match.entry.line,
      setting: fromFlag
        ? `--insecure-registry ${match.entry.raw} (docker.service)`
        : `insecure-registries "${match.entry.raw}"`,
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
