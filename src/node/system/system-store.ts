import { readDistro } from "../distro.ts";
import { type HostDirEntry, type HostFs, HostFsError } from "../host-fs.ts";
import { readTrustSource } from "../trust-source.ts";
import type { DistroInfo, SystemStore, TrustSource } from "../types.ts";

/**
 * Go's bundle files, tried in order; the first one that reads wins
 * (crypto/x509/root_linux.go `certFiles`, root_unix.go `loadSystemRoots`).
 */
export const GO_CERT_FILES: readonly string[] = [
  "/etc/ssl/certs/ca-certificates.crt", // Debian/Ubuntu/Gentoo/Alpine
  "/etc/pki/tls/certs/ca-bundle.crt", // Fedora/RHEL 6
  "/etc/ssl/ca-bundle.pem", // openSUSE
  "/etc/pki/tls/cacert.pem", // OpenELEC
  "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS/RHEL 7+
  "/etc/ssl/cert.pem", // Alpine
];

/** Go's certificate directories; every one is read (root_linux.go `certDirectories`). */
export const GO_CERT_DIRECTORIES: readonly string[] = [
  "/etc/ssl/certs",
  "/etc/pki/tls/certs",
  "/system/etc/security/cacerts",
  "/data/misc/keychain/certs-added",
];

interface AnchorStore {
  family: DistroInfo["family"];
  anchorDir: string;
  refreshCommand: string[];
  /** What the refresh rebuilds the bundle from; it must not run without them (plan/refresh-preflight.ts). */
  refreshInputs: string[];
}

/**
 * Debian's and Alpine's update-ca-certificates read the public roots named in
 * /etc/ca-certificates.conf from /usr/share/ca-certificates and write
 * /etc/ssl/certs (Debian: /usr/sbin/update-ca-certificates, ca-certificates
 * 20230311+deb12u1; Alpine: update-ca.c of alpine/ca-certificates, same paths).
 */
const DEBIAN_INPUTS = ["/etc/ca-certificates.conf", "/usr/share/ca-certificates", "/etc/ssl/certs"];

/**
 * Where an extra CA goes per distro family, and the command that rebuilds the
 * bundle Go reads (runtimes.md §5.2; the same table idea as mkcert's
 * truststore_linux.go). The order is also the probe order for unknown distros.
 */
const ANCHOR_STORES: readonly AnchorStore[] = [
  {
    family: "rhel",
    anchorDir: "/etc/pki/ca-trust/source/anchors",
    refreshCommand: ["update-ca-trust", "extract"],
    // update-ca-trust "scans /usr/share/pki/ca-trust-source and /etc/pki/ca-trust/source" and writes
    // /etc/pki/ca-trust/extracted (Fedora's update-ca-trust script, rpms/ca-certificates; not run here).
    refreshInputs: ["/usr/share/pki/ca-trust-source", "/etc/pki/ca-trust/extracted"],
  },
  {
    family: "debian",
    anchorDir: "/usr/local/share/ca-certificates",
    refreshCommand: ["update-ca-certificates"],
    refreshInputs: DEBIAN_INPUTS,
  },
  {
    family: "alpine",
    anchorDir: "/usr/local/share/ca-certificates",
    refreshCommand: ["update-ca-certificates"],
    refreshInputs: DEBIAN_INPUTS,
  },
  // SUSE's and Arch's p11-kit tools: inputs not checked (not covered by a test here).
  {
    family: "suse",
    anchorDir: "/etc/pki/trust/anchors",
    refreshCommand: ["update-ca-certificates"],
    refreshInputs: [],
  },
  {
    family: "arch",
    anchorDir: "/etc/ca-certificates/trust-source/anchors",
    refreshCommand: ["trust", "extract-compat"],
    refreshInputs: [],
  },
];

/**
 * Whether `argv` is a refresh command regtrust plans (system-store-plan.ts):
 * a distro's bundle rebuild, or Debian's with `--fresh` (its undo form). The
 * journal check (plan/journal-check.ts) refuses any other, since the next
 * run re-runs a run's unfinished commands as root.
 */
export function isPlannedRefresh(argv: readonly string[]): boolean {
  const same = (a: readonly string[]) => a.length === argv.length && a.every((v, i) => v === argv[i]);
  return ANCHOR_STORES.some(
    (store) =>
      same(store.refreshCommand) || (store.family === "debian" && same([...store.refreshCommand, "--fresh"])),
  );
}

export interface SystemStoreOptions {
  /** SSL_CERT_FILE of the process whose view we model: replaces Go's file list. */
  sslCertFile?: string;
  /** SSL_CERT_DIR split on ":": replaces Go's directory list. */
  sslCertDirs?: string[];
}

/** The OS trust store exactly as a Go runtime's x509.SystemCertPool() loads it. */
export function readSystemStore(fs: HostFs, opts: SystemStoreOptions = {}): SystemStore {
  const distro = readDistro(fs);
  const files = opts.sslCertFile ? [opts.sslCertFile] : GO_CERT_FILES;
  const dirs = opts.sslCertDirs && opts.sslCertDirs.length > 0 ? opts.sslCertDirs : GO_CERT_DIRECTORIES;
  const anchors = anchorStoreFor(fs, distro.family);
  return fs.withDirectoryMemo(() => ({
    distro,
    bundle: readFirstBundle(fs, files),
    dirFiles: dirs.flatMap((dir) => readCertDirectory(fs, dir)),
    anchorDir: anchors?.anchorDir ?? null,
    refreshCommand: anchors ? [...anchors.refreshCommand] : null,
    refreshInputs: anchors ? [...anchors.refreshInputs] : [],
  }));
}

/** Go stops at the first file that reads; unreadable ones are skipped like missing ones. */
function readFirstBundle(fs: HostFs, files: readonly string[]): TrustSource | null {
  for (const path of files) {
    const source = readTrustSource(fs, path, "system bundle");
    if (source.bytes !== null) return source;
  }
  return null;
}

/**
 * Every entry of the directory except symlinks whose target has no "/"
 * (OpenSSL hash links to a sibling; root_unix.go `isSameDirSymlink`).
 * Subdirectories fail to read and are skipped, as in Go. The entry types come
 * from readdir (Go's os.ReadDir does the same), so only symlinks cost a
 * readlink and only symlinks are stat-ed to see whether they lead to a directory.
 */
function readCertDirectory(fs: HostFs, dir: string): TrustSource[] {
  const entries = listOrNull(fs, dir);
  if (entries === null) return [];
  const sources: TrustSource[] = [];
  for (const { name, kind } of entries) {
    const path = `${dir}/${name}`;
    if (kind === "dir") continue;
    if (kind === "symlink" && (isSameDirSymlink(fs, path) || isDirectory(fs, path))) continue;
    sources.push(readTrustSource(fs, path, `system directory ${dir}`));
  }
  return sources;
}

function isSameDirSymlink(fs: HostFs, path: string): boolean {
  try {
    const target = fs.readLink(path);
    return target !== null && !target.includes("/");
  } catch {
    return false;
  }
}

function isDirectory(fs: HostFs, path: string): boolean {
  try {
    return fs.stat(path)?.kind === "dir";
  } catch {
    return false;
  }
}

function listOrNull(fs: HostFs, dir: string): HostDirEntry[] | null {
  try {
    return fs.readDirEntries(dir);
  } catch (error) {
    if (error instanceof HostFsError) return null;
    throw error;
  }
}

function anchorStoreFor(fs: HostFs, family: DistroInfo["family"]): AnchorStore | null {
  const known = ANCHOR_STORES.find((s) => s.family === family);
  if (known) return known;
  return ANCHOR_STORES.find((s) => isDirectory(fs, s.anchorDir)) ?? null;
}
