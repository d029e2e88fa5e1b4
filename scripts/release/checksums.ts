/**
 * SHA256SUMS in the format `sha256sum --check` reads (coreutils: the hex
 * digest, two spaces — text mode — then the file name), one line per file
 * of the release directory, sorted by name.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const SUMS_FILE = "SHA256SUMS";

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Writes dir/SHA256SUMS over every regular file in dir but itself; returns name → digest. */
export async function writeChecksums(dir: string): Promise<Map<string, string>> {
  const sums = new Map<string, string>();
  for (const name of (await readdir(dir)).sort()) {
    if (name === SUMS_FILE || !(await stat(join(dir, name))).isFile()) continue;
    sums.set(name, await sha256File(join(dir, name)));
  }
  const lines = [...sums].map(([name, digest]) => `${digest}  ${name}\n`);
  await writeFile(join(dir, SUMS_FILE), lines.join(""));
  return sums;
}
