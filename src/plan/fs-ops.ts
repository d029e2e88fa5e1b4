import { constants } from "node:fs";
import { chmod, mkdir, open, rename, rmdir, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { errnoCode } from "./errors.ts";

/**
 * The only primitives that modify the node's filesystem. apply.ts and
 * recovery.ts use nothing else, so a test can hand in a wrapped FsOps that
 * fails with ENOSPC or EROFS at a chosen call, and the crash tests can pause
 * between any two of them.
 */
export interface FsOps {
  /** Creates `path` exclusively (O_EXCL|O_NOFOLLOW), writes, chmods, chowns, fsyncs, closes. */
  writeNewFile(path: string, data: Uint8Array, mode: number, owner?: FileOwner): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Makes a rename or unlink in `dir` durable (fsync of the directory). */
  syncDir(dir: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** One directory level, then chmod to `mode` (mkdir's mode is masked by the umask). */
  mkdir(path: string, mode: number): Promise<void>;
  rmdir(path: string): Promise<void>;
}

export interface FileOwner {
  uid: number;
  gid: number;
}

export const realFsOps: FsOps = {
  async writeNewFile(path, data, mode, owner) {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    const handle = await open(path, flags, mode);
    try {
      await handle.writeFile(data);
      await handle.chmod(mode);
      if (owner && process.getuid?.() === 0) await handle.chown(owner.uid, owner.gid);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => rename(from, to),
  async syncDir(dir) {
    const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  unlink: (path) => unlink(path),
  async mkdir(path, mode) {
    await mkdir(path, { mode });
    await chmod(path, mode);
  },
  rmdir: (path) => rmdir(path),
};

/**
 * The temp file name used for `hostPath` by the run `runId`, in the same
 * directory (rename is atomic only within a filesystem). Deterministic, so
 * recovery after a crash can find and remove a leftover.
 */
export function tempPathFor(hostPath: string, runId: string): string {
  // Run ids from the journal are checked on read (journal-check.ts); this is
  // the last line: a tag that could add a path component never becomes a name.
  if (!TEMP_TAG.test(runId)) throw new Error(`refusing temp file tag ${JSON.stringify(runId)}`);
  return join(dirname(hostPath), `.${basename(hostPath).slice(0, 120)}.regtrust-${runId}.tmp`);
}

/** A run id (journal-check.ts RUN_ID_PATTERN) with regtrust's own prefixes and suffixes. */
const TEMP_TAG = /^[A-Za-z0-9-]{1,100}$/;

export type WriteStep = "temp-written" | "renamed";

/**
 * Replaces `hostPath` atomically: readers see the old file or the new one,
 * never a mix, also across a crash (temp file + fsync + rename + directory
 * fsync, the sequence ext4/xfs guarantee durable).
 */
export async function atomicWrite(
  ops: FsOps,
  hostPath: string,
  data: Uint8Array,
  mode: number,
  runId: string,
  opts: { owner?: FileOwner; onStep?: (step: WriteStep) => Promise<void> } = {},
): Promise<void> {
  const temp = tempPathFor(hostPath, runId);
  try {
    await writeTemp(ops, temp, data, mode, opts.owner);
    await opts.onStep?.("temp-written");
    await ops.rename(temp, hostPath);
  } catch (error) {
    await removeIfPresent(ops, temp);
    throw error;
  }
  await opts.onStep?.("renamed");
  await ops.syncDir(dirname(hostPath));
}

/**
 * Creates the temp file. One that already exists is the leftover of a killed
 * run: temp names are deterministic (the journal's `<run>-cmd` write is
 * repeated by the next run that finishes the run's commands, recovery writes
 * `recover-<run>` again) and every writer holds the lock. It is removed and
 * the exclusive create tried once more; without that, the next run failed
 * with EEXIST.
 */
async function writeTemp(ops: FsOps, temp: string, data: Uint8Array, mode: number, owner?: FileOwner) {
  try {
    await ops.writeNewFile(temp, data, mode, owner);
  } catch (error) {
    if (errnoCode(error) !== "EEXIST") throw error;
    await ops.unlink(temp);
    await ops.writeNewFile(temp, data, mode, owner);
  }
}

/** Unlink that treats "already gone" as success. */
export async function removeIfPresent(ops: FsOps, hostPath: string): Promise<void> {
  try {
    await ops.unlink(hostPath);
  } catch (error) {
    if (errnoCode(error) !== "ENOENT") throw error;
  }
}
