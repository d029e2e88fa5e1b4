import { posix } from "node:path";
import type { HostFs } from "../host-fs.ts";
import { type ContainerdFeatures, LATEST_FEATURES } from "./features.ts";

/**
 * containerd's `hostDirectory`: the last ":port" becomes "_port_", so
 * "reg:5000" → "reg_5000_" and "[::1]:5000" → "[::1]_5000_" (brackets kept).
 * core/remotes/docker/config/hosts.go.
 */
export function hostDirectoryName(registry: string): string {
  const idx = registry.lastIndexOf(":");
  return idx > 0 ? `${registry.slice(0, idx)}_${registry.slice(idx + 1)}_` : registry;
}

/** Candidate directories inside one root, in containerd's order (config_unix.go `hostPaths`). */
export function hostDirCandidates(root: string, registry: string, withDefault = true): string[] {
  const converted = hostDirectoryName(registry);
  const names = converted !== registry ? [converted, registry] : [registry];
  return [...names, ...(withDefault ? ["_default"] : [])].map((name) => posix.join(root, name));
}

export interface HostDirMatch {
  /** Node path of the directory that applies. */
  dir: string;
  /** The config_path root it was found under. */
  root: string;
  /** True when only the `_default` fallback matched. */
  isDefault: boolean;
}

/**
 * The first root with a matching directory wins; roots are never merged
 * (internal/cri/server/images/image_pull.go `hostDirFromRoots`). Like
 * os.Stat in `HostDirFromRoot`, anything at the path counts as a match.
 */
export function findHostDir(
  fs: HostFs,
  roots: readonly string[],
  registry: string,
  features: Pick<ContainerdFeatures, "defaultHostDir"> = LATEST_FEATURES,
): HostDirMatch | null {
  for (const root of roots) {
    for (const dir of hostDirCandidates(root, registry, features.defaultHostDir)) {
      if (presentAt(fs, dir)) return { dir, root, isDefault: posix.basename(dir) === "_default" };
    }
  }
  return null;
}

function presentAt(fs: HostFs, path: string): boolean {
  try {
    return fs.exists(path);
  } catch {
    // Unreadable (e.g. a symlink out of the root): containerd would stop here with an error too.
    return true;
  }
}
