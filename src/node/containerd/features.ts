import { atLeast } from "./version.ts";

/** hosts.toml behaviours that changed between containerd releases. */
export interface ContainerdFeatures {
  /** `_default` host directory: containerd 1.7+ (remotes/docker/config/config_unix.go `hostPaths`). */
  defaultHostDir: boolean;
  /** `referrers` capability: 2.2+; older releases reject it as an unknown capability. */
  referrersCapability: boolean;
  /** `dial_timeout`: 2.1+; older releases ignore the key. */
  dialTimeout: boolean;
  /**
   * A hosts.toml with no `[host."…"]` table: 2.0+ accept it; 1.6/1.7 fail with
   * "invalid `host` tree" (remotes/docker/config/hosts.go getSortedHosts on
   * go-toml v1), log "failed to decode hosts.toml" and ignore the file.
   * Reproduced with the real containerd 1.6.20 in test/support/containerd.test.ts.
   */
  hostlessHostsToml: boolean;
}

/** Features of a containerd version; an unknown version gets the newest behaviour. */
export function containerdFeatures(version: string | null | undefined): ContainerdFeatures {
  const known = version ? /(\d+)\.(\d+)/.test(version) : false;
  const since = (major: number, minor: number) => !known || atLeast(version ?? null, major, minor);
  return {
    defaultHostDir: since(1, 7),
    referrersCapability: since(2, 2),
    dialTimeout: since(2, 1),
    hostlessHostsToml: since(2, 0),
  };
}

export const LATEST_FEATURES: ContainerdFeatures = containerdFeatures(null);
