import { atLeast } from "./version.ts";

/**
 * hosts.toml behaviours that changed between containerd releases. Each rule
 * names the releases it was checked against: the differential suite
 * test/oracle/containerd-hosts.test.ts runs containerd's own Go code from
 * Debian (1.6.20 and 1.7.24) on generated config trees.
 */
export interface ContainerdFeatures {
  /**
   * `_default` host directory. Already in 1.6.20 (remotes/docker/config/config_unix.go
   * `hostPaths`), so every release that reads certs.d has it.
   */
  defaultHostDir: boolean;
  /**
   * The built-in endpoint of a loopback registry (no `server`): 1.6 dials
   * plain HTTP with skip_verify on any port; from 1.7 port 443 or none means
   * HTTPS with skip_verify, port 80 plain HTTP, any other port HTTP with TLS
   * settings, i.e. HTTPS first (hosts.go `ConfigureHosts`; 1.6.20 vs 1.7.24).
   */
  localhostByPort: boolean;
  /**
   * An `http://` endpoint (port not 80) with `ca`, `client` or `skip_verify`
   * set is tried as HTTPS first and falls back to plain HTTP on a TLS error
   * (`docker.NewHTTPFallback`): from 1.7 (not in 1.6.20, in 1.7.24).
   */
  httpsFirstWithTls: boolean;
  /** config.toml `version = 3`: 1.7 refuses to start ("unsupported config version"); 1.6 reads it like 2. */
  configVersion3: "v2-tables" | "rejected" | "supported";
  /** `referrers` capability: 2.2+; older releases reject it as an unknown capability. */
  referrersCapability: boolean;
  /** `dial_timeout`: 2.1+; older releases ignore the key. */
  dialTimeout: boolean;
  /**
   * A hosts.toml with no `host` key: 2.0+ accept it; 1.6/1.7 fail with
   * "invalid `host` tree" (remotes/docker/config/hosts.go getSortedHosts on
   * go-toml v1), log "failed to decode hosts.toml" and ignore the file. Also
   * marks go-toml 1.9's TOML 0.5 grammar (see go-toml-v1.ts).
   */
  hostlessHostsToml: boolean;
}

/** Features of a containerd version; an unknown version gets the newest behaviour. */
export function containerdFeatures(version: string | null | undefined): ContainerdFeatures {
  const known = version ? /(\d+)\.(\d+)/.test(version) : false;
  const since = (major: number, minor: number) => !known || atLeast(version ?? null, major, minor);
  return {
    defaultHostDir: true,
    localhostByPort: since(1, 7),
    httpsFirstWithTls: since(1, 7),
    configVersion3: since(2, 0) ? "supported" : since(1, 7) ? "rejected" : "v2-tables",
    referrersCapability: since(2, 2),
    dialTimeout: since(2, 1),
    hostlessHostsToml: since(2, 0),
  };
}

export const LATEST_FEATURES: ContainerdFeatures = containerdFeatures(null);
