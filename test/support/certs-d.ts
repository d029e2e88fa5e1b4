/**
 * Per-registry trust for the two client families the tests drive:
 * containerd's `hosts.toml` under config_path (containerd docs/hosts.md) and a
 * containers/image cert dir of `*.crt` files (containers-certs.d(5)).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Writes `<root>/<host[:port]>/hosts.toml` naming a CA file beside it.
 * containerd re-reads this on every pull, so no restart is needed.
 *
 * The `ca` sits in a `[host."https://…"]` table, not at top level: containerd
 * 1.6/1.7 (go-toml v1) reject a hosts.toml that has no `host` table at all
 * with "invalid `host` tree", log "failed to decode hosts.toml" and fall back
 * to `*.crt` files in the directory (remotes/docker/config/hosts.go
 * getSortedHosts at v1.6.20 and v1.7.27; fixed by the go-toml v2 rewrite in 2.0).
 */
export async function writeContainerdHostCa(
  certsDRoot: string,
  registryHost: string,
  caPem: string,
): Promise<string> {
  const hostDir = join(certsDRoot, registryHost);
  await mkdir(hostDir, { recursive: true });
  const caFile = join(hostDir, "ca.pem");
  await writeFile(caFile, caPem);
  const hostsToml = join(hostDir, "hosts.toml");
  const url = `https://${registryHost}`;
  await writeFile(hostsToml, `server = "${url}"\n\n[host."${url}"]\n  ca = ${JSON.stringify(caFile)}\n`);
  return hostsToml;
}

/** Writes `<dir>/ca.crt`; pass `dir` as skopeo's --cert-dir / --dest-cert-dir. */
export async function writeCertDir(dir: string, caPem: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "ca.crt"), caPem);
  return dir;
}
