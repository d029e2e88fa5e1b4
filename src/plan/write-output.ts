import { closeSync, fsyncSync, lstatSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { InputError } from "../core/errors.ts";

/**
 * Writes a file the user asked for (`-o FILE`, the demo's CA file): temp file
 * in the same directory, fsync, rename — never a half-written file — and
 * never through a symlink, which a rename would silently replace.
 */
export function writeOutputFile(path: string, content: string | Uint8Array, mode = 0o644): void {
  try {
    if (lstatSync(path).isSymbolicLink())
      throw new InputError(`${path}: refusing to write through a symbolic link`);
  } catch (error) {
    if (error instanceof InputError) throw error;
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      throw new InputError(`${path}: ${(error as Error).message}`);
  }
  const temp = join(dirname(path), `.${basename(path)}.regtrust-${process.pid}.tmp`);
  try {
    const fd = openSync(temp, "wx", mode);
    try {
      writeSync(fd, typeof content === "string" ? Buffer.from(content) : content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new InputError(`cannot write ${path}: ${(error as Error).message}`);
  }
}
