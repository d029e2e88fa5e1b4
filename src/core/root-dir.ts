import { statSync } from "node:fs";
import { InputError } from "./errors.ts";

/** `--root` must be an existing directory; checked before anything is read or written. */
export function assertRootDir(root: string): void {
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new InputError(`--root ${root}: not a directory`);
}
