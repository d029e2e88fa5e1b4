import { type GoBinaryInfo, goVersionOfBinary } from "./go-buildinfo.ts";
import type { HostFs } from "./host-fs.ts";
import type { RuntimeName } from "./types.ts";

/**
 * The binary whose Go build decides each runtime's crypto/x509 rules and
 * error text, first found wins. k3s and RKE2 run containerd from their own
 * data directories (k3s: the multi-call binary unpacked under
 * /var/lib/rancher/k3s/data/current/bin; RKE2: /var/lib/rancher/rke2/bin),
 * else the main binary, which is built with the same Go. The OS store's
 * `system` context is curl/OpenSSL, not Go: it keeps the assumed rules.
 */
const RUNTIME_BINARIES: Record<RuntimeName, readonly string[]> = {
  containerd: ["/usr/bin/containerd", "/usr/local/bin/containerd", "/usr/sbin/containerd"],
  docker: ["/usr/sbin/dockerd", "/usr/bin/dockerd", "/usr/local/bin/dockerd"],
  crio: ["/usr/bin/crio", "/usr/local/bin/crio"],
  k3s: ["/var/lib/rancher/k3s/data/current/bin/containerd", "/usr/local/bin/k3s", "/usr/bin/k3s"],
  rke2: ["/var/lib/rancher/rke2/bin/containerd", "/usr/local/bin/rke2", "/usr/bin/rke2"],
};

/** The Go build of the runtime's binary under the root; null when none carries Go build info. */
export function runtimeGoToolchain(fs: HostFs, runtime: RuntimeName): GoBinaryInfo | null {
  for (const path of RUNTIME_BINARIES[runtime] ?? []) {
    const info = safely(() => goVersionOfBinary(fs, path));
    if (info) return info;
  }
  return null;
}

/** An unreadable or escaping path is "not this binary", never a failed diagnosis. */
function safely<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/** The containerd module paths a binary that embeds or is containerd records (1.x, 2.x). */
const CONTAINERD_MODULES = ["github.com/containerd/containerd/v2", "github.com/containerd/containerd"];

/**
 * The containerd release k3s or RKE2 runs, from the Go build info of the
 * binary that runs it (`info`: runtimeGoToolchain's result, read once per node view): its `containerd` module
 * version, e.g. "v1.7.23-k3s2" → "1.7.23". k3s embeds containerd as a module
 * (replaced by the k3s-io fork); RKE2 ships containerd's own binary, whose main
 * module is containerd. Null when the binary records no module versions
 * (GOPATH builds, stripped build info): the rules are then assumed.
 */
export function embeddedContainerdVersion(
  info: GoBinaryInfo | null,
): { version: string; source: string } | null {
  if (!info) return null;
  for (const module of CONTAINERD_MODULES) {
    const m = /^v?(\d+\.\d+\.\d+)/.exec(info.modules[module] ?? "");
    if (m?.[1]) return { version: m[1], source: `${info.source} (module ${module})` };
  }
  return null;
}

/**
 * The containers/image release CRI-O is built with (the library that resolves
 * registries.conf and certs.d for it), from /usr/bin/crio's Go build info
 * (`info`: runtimeGoToolchain(fs, "crio"), read once per node view).
 */
export function crioImageLibraryVersion(
  info: GoBinaryInfo | null,
): { version: string; source: string } | null {
  const m = /^v?(\d+\.\d+\.\d+)/.exec(info?.modules["github.com/containers/image/v5"] ?? "");
  return info && m?.[1]
    ? { version: m[1], source: `${info.source} (module github.com/containers/image/v5)` }
    : null;
}
