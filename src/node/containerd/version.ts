import type { HostFs } from "../host-fs.ts";

/** Package names that install the containerd daemon. */
const PACKAGES = ["containerd", "containerd.io"];

/**
 * The installed containerd version, from the package database when it is a
 * plain-text one (dpkg, apk); null when unknown (RPM's database is binary,
 * hand-installed binaries carry none). It decides whether containerd ≥ 2.2's
 * default config_path applies.
 */
export function readContainerdVersion(fs: HostFs): string | null {
  return detectContainerdVersion(fs)?.version ?? null;
}

/**
 * The installed containerd version and where it was found, for the JSON's `resolved.rules`.
 * Hook: nodes without a plain-text package database (RPM, static binaries, k3s/RKE2's
 * embedded containerd) could be read from the binary's Go build info — the Go crypto/x509
 * work exposes `goVersionOfBinary(fs, path)` in src/node/ for the Go version; the main
 * module's version (github.com/containerd/containerd vX.Y.Z) sits in the same build info.
 * Until that is wired, such nodes get the newest rules, marked as assumed.
 */
export function detectContainerdVersion(fs: HostFs): { version: string; source: string } | null {
  const dpkg = fromDpkg(read(fs, "/var/lib/dpkg/status"));
  if (dpkg) return { version: dpkg, source: "dpkg status" };
  const apk = fromApk(read(fs, "/lib/apk/db/installed"));
  return apk ? { version: apk, source: "apk database" } : null;
}

/** Package names that install Docker Engine (dockerd). */
export const DOCKER_PACKAGES = ["docker.io", "docker-ce", "moby-engine"];

/** The installed Docker Engine version and where it was found. */
export function detectDockerVersion(fs: HostFs): { version: string; source: string } | null {
  const dpkg = fromDpkg(read(fs, "/var/lib/dpkg/status"), DOCKER_PACKAGES);
  if (dpkg) return { version: dpkg.replace(/\+dfsg.*$/, ""), source: "dpkg status" };
  const apk = fromApk(read(fs, "/lib/apk/db/installed"), ["docker-engine", "docker"]);
  return apk ? { version: apk, source: "apk database" } : null;
}

/** dpkg status: blank-line separated stanzas of "Field: value". */
export function fromDpkg(text: string | null, packages: readonly string[] = PACKAGES): string | null {
  if (!text) return null;
  for (const stanza of text.split(/\n\n+/)) {
    const field = (name: string) => new RegExp(`^${name}: (.*)$`, "m").exec(stanza)?.[1]?.trim();
    if (!packages.includes(field("Package") ?? "")) continue;
    if (
      !/\binstalled\b/.test(field("Status") ?? "") ||
      /not-installed|config-files/.test(field("Status") ?? "")
    )
      continue;
    const version = field("Version");
    if (version) return version.replace(/^\d+:/, "");
  }
  return null;
}

/** apk's installed db: stanzas of "P:name" / "V:version" lines. */
export function fromApk(text: string | null, packages: readonly string[] = PACKAGES): string | null {
  if (!text) return null;
  for (const stanza of text.split(/\n\n+/)) {
    const name = /^P:(.*)$/m.exec(stanza)?.[1];
    const version = /^V:(.*)$/m.exec(stanza)?.[1];
    if (name && version && packages.includes(name)) return version;
  }
  return null;
}

function read(fs: HostFs, path: string): string | null {
  try {
    return fs.readText(path);
  } catch {
    return null;
  }
}

/** Whether a version string like "v2.2.1" or "2.2.0-1" is at least major.minor. */
export function atLeast(version: string | null, major: number, minor: number): boolean {
  const m = version ? /(\d+)\.(\d+)/.exec(version) : null;
  if (!m) return false;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > major || (maj === major && min >= minor);
}
