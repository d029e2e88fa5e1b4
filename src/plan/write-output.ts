import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  lstatSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { InputError } from "../core/errors.ts";

/**
 * Writes a file the user asked for (`chain -o FILE`, the demo's CA file):
 * temp file in the same directory (rename is atomic only within one
 * filesystem), fsync, rename, fsync of the directory — so the path holds the
 * old content or the new, never half a file, also across a crash.
 * Never through a symlink: one at `path` is refused (a rename would silently
 * replace the link), and the temp file is created O_EXCL|O_NOFOLLOW so a link
 * planted at its name cannot redirect the content either.
 * Failures are InputErrors naming the path (exit 2); nothing is left behind.
 */
export function writeOutputFile(path: string, content: string | Uint8Array, mode = 0o644): void {
  refuseUnsafeTarget(path);
  const dir = dirname(path);
  const temp = join(
    dir,
    `.${basename(path).slice(0, 100)}.regtrust-${process.pid}-${randomBytes(4).toString("hex")}.tmp`,
  );
  const bytes = typeof content === "string" ? Buffer.from(content) : content;
  let created = false;
  try {
    const fd = openSync(
      temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      mode,
    );
    created = true;
    try {
      writeAll(fd, bytes);
      // The mode given to open is masked by the umask; the caller asked for exactly `mode`.
      fchmodSync(fd, mode);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    created = false;
    syncDirectory(dir);
  } catch (error) {
    if (created) rmSync(temp, { force: true });
    throw new InputError(`cannot write ${path}: ${reason(error)}`);
  }
}

function refuseUnsafeTarget(path: string): void {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new InputError(`cannot write ${path}: ${reason(error)}`);
  }
  if (stat.isSymbolicLink()) throw new InputError(`${path}: refusing to write through a symbolic link`);
  if (stat.isDirectory()) throw new InputError(`${path}: is a directory; give a file name`);
}

/** writeSync may write less than asked (a full disk reports ENOSPC only on the next call). */
function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

/** Makes the rename durable; some filesystems (and non-Linux hosts) refuse fsync on a directory. */
function syncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    fsyncSync(fd);
  } catch {
    // The content is already durable and renamed; only the directory entry's durability is best-effort.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "ENOENT") return "the directory does not exist";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOSPC") return "no space left on the device";
  if (code === "EROFS") return "the filesystem is read-only";
  return message;
}
