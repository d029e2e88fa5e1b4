/**
 * Temporary directories for tests. Each one lives under the OS temp dir with a
 * `regtrust-` prefix so a crashed run leaves recognisable debris, and is removed
 * by the helper that created it even when the test body throws.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Creates a fresh private directory, e.g. `/tmp/regtrust-registry-Ab12Cd`. */
export async function makeTempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `regtrust-${label}-`));
}

/** Removes a directory tree; missing directories are fine (cleanup must be idempotent). */
export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Runs `body` with a fresh temp dir and removes the dir afterwards, whatever happens. */
export async function withTempDir<T>(label: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await makeTempDir(label);
  try {
    return await body(dir);
  } finally {
    await removeTempDir(dir);
  }
}

/**
 * Collects temp dirs made during a test file so one `after()` hook can remove
 * them all; use when the dir must outlive a single callback.
 */
export class TempDirs {
  readonly #dirs: string[] = [];

  async make(label: string): Promise<string> {
    const dir = await makeTempDir(label);
    this.#dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    const dirs = this.#dirs.splice(0);
    await Promise.all(dirs.map((d) => removeTempDir(d)));
  }
}
