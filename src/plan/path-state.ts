import type { Stats } from "node:fs";
import { InputError } from "../core/errors.ts";
import { BoundedReadError, readRegularFile } from "../node/bounded-read.ts";
import type { PathState } from "./journal.ts";
import { sha256Hex } from "./plan.ts";

/**
 * Capturing and comparing the state of one path (journal.ts `PathState`).
 * The host path must come from safe-path.ts; this module only reads.
 */

export const ABSENT: PathState = { type: "absent" };

/**
 * The largest file regtrust captures into a path state. The files it edits or
 * replaces are runtime configs and CA files (kilobytes); the journal keeps
 * their bytes (base64) for exact undo, so a bigger file there is not one of
 * them (issue #23: a 700 MB sparse file took 2.4 GB of memory, then crashed).
 */
export const MAX_CAPTURED_FILE_BYTES = 16 * 1024 * 1024;

/** Reads the state of a path whose lstat is `stat` (null = absent). Only regular files and directories. */
export async function capturePathState(
  hostPath: string,
  stat: Stats | null,
  nodePath: string,
): Promise<PathState> {
  if (stat === null) return ABSENT;
  if (stat.isDirectory()) return { type: "dir", mode: stat.mode & 0o7777 };
  if (!stat.isFile()) throw new InputError(`refusing to touch ${nodePath}: it is not a regular file`);
  const bytes = readCapped(hostPath, nodePath);
  return bytes === null ? ABSENT : fileState(bytes, stat.mode & 0o7777, stat.uid, stat.gid);
}

/** The host path comes from safe-path.ts (no links left), so a final link here is a swap: refused too. */
function readCapped(hostPath: string, nodePath: string): Buffer | null {
  try {
    return readRegularFile(hostPath, { maxBytes: MAX_CAPTURED_FILE_BYTES, finalSymlink: "refuse" });
  } catch (error) {
    if (!(error instanceof BoundedReadError)) throw error;
    if (error.failure === "missing") return null;
    const why =
      error.failure === "too-large"
        ? `it is larger than ${MAX_CAPTURED_FILE_BYTES} bytes, too big for a config or CA file regtrust manages`
        : error.detail;
    throw new InputError(`refusing to touch ${nodePath}: ${why}`);
  }
}

export function fileState(bytes: Uint8Array, mode: number, uid: number, gid: number): PathState {
  return {
    type: "file",
    mode,
    uid,
    gid,
    sha256: sha256Hex(bytes),
    content: Buffer.from(bytes).toString("base64"),
  };
}

export function stateBytes(state: PathState): Uint8Array {
  if (state.type !== "file") throw new Error(`no content for a ${state.type} path state`);
  return new Uint8Array(Buffer.from(state.content, "base64"));
}

/** Same type and, for files, the same bytes (modes are not compared). */
export function sameContent(a: PathState, b: PathState): boolean {
  if (a.type !== b.type) return false;
  if (a.type === "file" && b.type === "file") return a.sha256 === b.sha256;
  return true;
}

/** For messages: `absent`, `directory`, `file sha256:ab12cd34…`. */
export function describeState(state: PathState): string {
  if (state.type === "file") return `file sha256:${state.sha256.slice(0, 12)}…`;
  return state.type === "dir" ? "directory" : "absent";
}
