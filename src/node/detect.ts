import type { HostFs } from "./host-fs.ts";
import { type DetectedRuntime, RUNTIME_NAMES, type RuntimeName } from "./types.ts";

/**
 * What each runtime leaves on a node: config files and directories, binaries,
 * state directories and sockets. Any one present detects the runtime. k3s and
 * RKE2 embed containerd under /var/lib/rancher, so a plain containerd is only
 * detected from its own paths, never from theirs.
 */
export const RUNTIME_EVIDENCE: Readonly<Record<RuntimeName, readonly string[]>> = {
  containerd: [
    "/etc/containerd/config.toml",
    "/etc/containerd/certs.d",
    "/usr/bin/containerd",
    "/usr/local/bin/containerd",
    "/run/containerd/containerd.sock",
  ],
  docker: [
    "/etc/docker/daemon.json",
    "/usr/bin/dockerd",
    "/usr/local/bin/dockerd",
    "/run/docker.sock",
    "/var/run/docker.sock",
  ],
  // containers/image users share one trust model: CRI-O, podman, skopeo, buildah.
  crio: [
    "/etc/crio",
    "/usr/bin/crio",
    "/usr/local/bin/crio",
    "/run/crio/crio.sock",
    "/etc/containers/registries.conf",
    "/etc/containers/certs.d",
    "/usr/bin/podman",
    "/usr/bin/skopeo",
  ],
  k3s: ["/etc/rancher/k3s", "/var/lib/rancher/k3s", "/usr/local/bin/k3s", "/usr/bin/k3s"],
  rke2: ["/etc/rancher/rke2", "/var/lib/rancher/rke2", "/usr/local/bin/rke2", "/usr/bin/rke2"],
};

/** Runtimes present under the root, in RUNTIME_NAMES order, with the paths that showed them. */
export function detectRuntimes(fs: HostFs): DetectedRuntime[] {
  const detected: DetectedRuntime[] = [];
  for (const name of RUNTIME_NAMES) {
    const evidence = RUNTIME_EVIDENCE[name].filter((path) => present(fs, path));
    if (evidence.length > 0) detected.push({ name, evidence });
  }
  return detected;
}

/** Something is at the path, even if we may not read it (e.g. a symlink out of the root). */
function present(fs: HostFs, path: string): boolean {
  try {
    return fs.exists(path);
  } catch {
    return true;
  }
}
