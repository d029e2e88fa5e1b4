/** What the user pointed us at, normalised the way container runtimes normalise it. */
export interface Target {
  /** The argument exactly as typed. */
  input: string;
  kind: "host" | "image" | "url";
  /** Host name or IP address to dial, without IPv6 brackets. */
  host: string;
  /** Port to dial (443 when none was given). */
  port: number;
  /** True when the input carried a port; runtimes key their config on it. */
  explicitPort: boolean;
  /**
   * The registry namespace as it appears in a normalised image reference:
   * "host", "host:port" or "[v6]:port". This is the key containerd's
   * certs.d, Docker's certs.d and registries.yaml use; no default-port
   * normalisation (containerd hosts.go; podman#26567).
   */
  registry: string;
  /** Name to send as SNI and to verify; null for IP literals (no SNI; IP SANs apply). */
  serverName: string | null;
  /** For image references: the repository path, tag and digest. */
  image: { repository: string; tag: string | null; digest: string | null } | null;
  /** For URLs: the path after the authority (e.g. "/v2/"). */
  path: string | null;
}

/** The `target` object of every --json result (diagnose, chain): schemaVersion 1's fields. */
export interface TargetJson {
  input: string;
  host: string;
  port: number;
  serverName: string | null;
  registry: string;
}

export function targetJson(target: Target): TargetJson {
  const { input, host, port, serverName, registry } = target;
  return { input, host, port, serverName, registry };
}
