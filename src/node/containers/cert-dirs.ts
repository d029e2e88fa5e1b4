import type { HostFs } from "../host-fs.ts";

/**
 * Per-host certificate directories, first existing one wins, never merged
 * (containers/image docker/docker_client.go `dockerCertDir`). CRI-O runs as
 * root, so the per-user directory is /root/.config/containers/certs.d.
 */
export const CONTAINERS_CERT_DIRS = [
  "/root/.config/containers/certs.d",
  "/etc/containers/certs.d",
  "/etc/docker/certs.d",
];

/** The first candidate that exists; unreadable ones are skipped like missing ones. Falls back to the last. */
export function certDirFor(fs: HostFs, registry: string): string {
  const candidates = CONTAINERS_CERT_DIRS.map((root) => `${root}/${registry}`);
  for (const dir of candidates) {
    try {
      if (fs.exists(dir)) return dir;
    } catch {
      // permission problems are skipped with a debug log upstream
    }
  }
  return candidates[candidates.length - 1] as string;
}
