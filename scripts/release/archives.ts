/**
 * The per-architecture download: a .tar.gz with the executable as
 * `regtrust`, the LICENSE and the README, the shape krew installs from (its
 * manifest copies `regtrust` and `LICENSE` out of it; krew's
 * validate-krew-manifest requires a licence file among the installed files).
 * The same executable gives the same bytes: sorted members, owner 0, the
 * release's time as every mtime, and gzip without a name or time in its
 * header (Node's zlib writes neither).
 */
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { reproducibleTar } from "../image/reproducible-tar.ts";

export const ARCHIVE_EXECUTABLE = "regtrust";
export const ARCHIVE_LICENSE = "LICENSE";

export async function writeExecutableArchive(
  executable: string,
  outFile: string,
  work: string,
  created: string,
): Promise<void> {
  const stage = await mkdtemp(join(work, "archive-"));
  try {
    await copyFile(executable, join(stage, ARCHIVE_EXECUTABLE));
    await chmod(join(stage, ARCHIVE_EXECUTABLE), 0o755);
    await copyFile("LICENSE", join(stage, ARCHIVE_LICENSE));
    await copyFile("README.md", join(stage, "README.md"));
    const tar = join(stage, "..", `${outFile.split("/").pop()}.tar`);
    const members = [ARCHIVE_EXECUTABLE, ARCHIVE_LICENSE, "README.md"];
    await reproducibleTar({ dir: stage, members, out: tar, created });
    await writeFile(outFile, gzipSync(await readFile(tar), { level: 9 }));
    await rm(tar, { force: true });
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
