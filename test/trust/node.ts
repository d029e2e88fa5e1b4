/**
 * Node roots for the trust tests: a Debian-like tree whose OS store is in the
 * exact state the real update-ca-certificates leaves it (two public roots
 * from the host, installed through /etc/ca-certificates.conf), so that
 * trust → untrust can be compared byte for byte. /var/lib exists, as on a
 * real node, so regtrust's journal directory is the only addition.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { treeChecksum } from "../../src/plan/testing/support.ts";
import { OS_RELEASE_DEBIAN } from "../integration/node-root.ts";
import type { TempDirs } from "../support/tmp.ts";

const run = promisify(execFile);
const HOST_CERTS = "/usr/share/ca-certificates/mozilla";

export type NodeFiles = Record<string, string | Uint8Array>;

export { treeChecksum };

export async function buildDebianNode(dirs: TempDirs, files: NodeFiles = {}): Promise<string> {
  const root = await dirs.make("trust-node");
  for (const dir of [
    "/var/lib",
    "/etc/ssl/certs",
    "/usr/local/share/ca-certificates",
    "/etc/ca-certificates/update.d",
  ]) {
    await mkdir(join(root, dir), { recursive: true });
  }
  const publicRoots = (await readdir(HOST_CERTS)).filter((n) => n.endsWith(".crt")).slice(0, 2);
  await mkdir(join(root, "/usr/share/ca-certificates/mozilla"), { recursive: true });
  for (const name of publicRoots) {
    await copyFile(join(HOST_CERTS, name), join(root, "/usr/share/ca-certificates/mozilla", name));
  }
  await writeFile(join(root, "/etc/ca-certificates.conf"), publicRoots.map((n) => `mozilla/${n}\n`).join(""));
  await writeNodeFiles(root, { "/etc/os-release": OS_RELEASE_DEBIAN, ...files });
  await refreshOsStore(root);
  return root;
}

export async function writeNodeFiles(root: string, files: NodeFiles): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** The host's Debian update-ca-certificates on the tree, as regtrust's host-tool fallback runs it. */
export async function refreshOsStore(root: string): Promise<void> {
  await run(
    "/usr/sbin/update-ca-certificates",
    [
      "--certsconf",
      join(root, "/etc/ca-certificates.conf"),
      "--certsdir",
      join(root, "/usr/share/ca-certificates"),
      "--localcertsdir",
      join(root, "/usr/local/share/ca-certificates"),
      "--etccertsdir",
      join(root, "/etc/ssl/certs"),
      "--hooksdir",
      join(root, "/etc/ca-certificates/update.d"),
    ],
    { timeout: 30_000 },
  );
}
