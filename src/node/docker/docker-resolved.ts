import { type Finding, finding } from "../../findings/finding.ts";
import type { HostFs } from "../host-fs.ts";
import type { ResolvedView, RulesApplied } from "../types.ts";
import type { DaemonFlags } from "./daemon-flags.ts";
import type { DaemonJson, InsecureEntry } from "./daemon-json.ts";
import { BUILTIN_INSECURE_CIDRS, BUILTIN_INSECURE_CIDRS_20_10 } from "./insecure-match.ts";
import { resolveDockerEndpoints } from "./resolve-endpoints.ts";

export const NEWEST_DOCKER_RULES = "docker 28";

/** Which Docker release's rules apply; only the built-in insecure ranges differ so far. */
export function dockerRules(found: { version: string; source: string } | null): RulesApplied {
  const m = found ? /(\d+)\.(\d+)/.exec(found.version) : null;
  if (!found || !m)
    return { runtimeVersion: null, versionSource: null, rules: NEWEST_DOCKER_RULES, assumed: true };
  return {
    runtimeVersion: found.version,
    versionSource: found.source,
    rules: `docker ${m[1]}.${m[2]}`,
    assumed: false,
  };
}

/** 20.10 (checked against its code) adds 127.0.0.0/8 only; later releases also ::1/128. */
export function builtinInsecureFor(rules: RulesApplied): readonly string[] {
  const m = /docker (\d+)\.(\d+)/.exec(rules.rules);
  return m && Number(m[1]) <= 20 ? BUILTIN_INSECURE_CIDRS_20_10 : BUILTIN_INSECURE_CIDRS;
}

export interface DockerInputs {
  daemon: DaemonJson;
  flags: DaemonFlags;
  rules: RulesApplied;
  addresses: readonly string[] | null;
  certsDir: string;
}

/** daemon.json and the unit's flags together, as dockerd loads them. */
export function effectiveInsecure(inputs: DockerInputs): InsecureEntry[] {
  return [...inputs.daemon.insecureRegistries, ...inputs.flags.insecureRegistries];
}

export function dockerResolved(fs: HostFs, registry: string, inputs: DockerInputs): ResolvedView {
  const { daemon, flags, rules, addresses } = inputs;
  const mirrors = [...daemon.registryMirrors, ...flags.registryMirrors];
  const conflict = flagFileConflict(daemon, flags);
  const r = resolveDockerEndpoints(fs, registry, {
    insecure: effectiveInsecure(inputs),
    mirrors,
    addressesOf: (host) => (host === registry.replace(/:\d+$/, "") || host === registry ? addresses : null),
    builtinCidrs: builtinInsecureFor(rules),
    certsDir: inputs.certsDir,
  });
  return {
    rules,
    filesRead: [...(daemon.exists ? [daemon.path] : []), ...flags.files],
    endpoints: conflict ? [] : r.endpoints,
    error: conflict ?? r.error,
  };
}

/** dockerd refuses to start when a directive is set both as a flag and in daemon.json (daemon/config findConfigurationConflicts). */
export function flagFileConflict(daemon: DaemonJson, flags: DaemonFlags): string | null {
  const both: string[] = [];
  if (flags.insecureRegistries.length > 0 && daemon.insecureRegistriesSet) both.push("insecure-registries");
  if (flags.registryMirrors.length > 0 && daemon.registryMirrorsSet) both.push("registry-mirrors");
  return both.length > 0
    ? `the following directives are specified both as a flag and in the configuration file: ${both.join(", ")}`
    : null;
}

export function conflictFinding(daemon: DaemonJson, flags: DaemonFlags, conflict: string): Finding {
  return finding(
    "config-invalid",
    "error",
    `dockerd refuses to start: ${conflict} (${daemon.path} and ${flags.files[0] ?? "the docker.service unit"}).`,
    {
      file: daemon.path,
      evidence: [conflict],
      fix: [
        `Keep the setting in one place: remove the --insecure-registry/--registry-mirror flags from the unit (systemctl edit docker) or the keys from ${daemon.path}, then: systemctl restart docker`,
      ],
    },
  );
}
