import { formatKeyPath } from "../toml-values.ts";
import type { ResolvedEndpointView, ResolvedView, RulesApplied, RuntimeTrustView } from "../types.ts";
import type { ContainerdConfig } from "./config.ts";
import type { HostsResolution } from "./resolve-hosts.ts";

/** The newest containerd line whose rules regtrust knows; assumed when the version is unknown. */
export const NEWEST_CONTAINERD_RULES = "containerd 2.2";

/** Which containerd release line's rules apply (features.ts), and whether that was assumed. */
export function containerdRules(
  version: string | null | undefined,
  source: string | null = null,
): RulesApplied {
  const m = version ? /(\d+)\.(\d+)/.exec(version) : null;
  if (!m) return { runtimeVersion: null, versionSource: null, rules: NEWEST_CONTAINERD_RULES, assumed: true };
  return {
    runtimeVersion: version ?? null,
    versionSource: source,
    rules: `containerd ${m[1]}.${m[2]}`,
    assumed: false,
  };
}

/** The `resolved` object of a containerd (or k3s/RKE2 embedded containerd) context. */
export function containerdResolved(
  config: ContainerdConfig,
  rules: RulesApplied,
  resolution: HostsResolution | null,
  view: Pick<RuntimeTrustView, "registry" | "caFiles" | "insecure" | "configFiles">,
): ResolvedView {
  const common = {
    rules,
    filesRead: view.configFiles,
    configPath: config.valid ? config.configPath : null,
    registryTable: config.valid ? formatKeyPath(config.registryTable) : null,
  };
  if (!config.valid) {
    return { ...common, endpoints: [], error: config.refusal ?? `${config.path} does not parse` };
  }
  if (resolution) {
    return {
      ...common,
      hostDir: resolution.hostDir,
      hostsToml: resolution.hostsToml,
      hostsTomlIgnored: resolution.hostsTomlIgnored,
      endpoints: resolution.endpoints,
      error: resolution.error,
    };
  }
  // Legacy path (no config_path): the registry endpoint with the TLS regtrust verifies; mirrors are in `mirrors`.
  const registry: ResolvedEndpointView = {
    origin: "default",
    scheme: "https",
    host: view.registry === "docker.io" ? "registry-1.docker.io" : view.registry,
    path: "/v2",
    capabilities: ["pull", "resolve", "push"],
    caFiles: view.caFiles.map((s) => s.path),
    clientCerts: [],
    skipVerify: view.insecure !== null,
    httpFallback: false,
  };
  return {
    ...common,
    hostDir: null,
    hostsToml: null,
    hostsTomlIgnored: null,
    endpoints: [registry],
    error: null,
  };
}
