import type { Stats } from "node:fs";
import { lstat, readlink, realpath } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../core/errors.ts";
import { errnoCode } from "./errors.ts";

/**
 * Resolving node-absolute paths under `--root` so that a write can never land
 * outside the root.
 *
 * Symlinks are resolved here, component by component, the way a chroot into
 * the root would see them: an absolute target `/usr/sbin` means
 * `<root>/usr/sbin`, never the host's. The kernel is then only ever handed a
 * host path without symlinks, so it cannot follow one out of the root.
 * Stricter than chroot in three ways:
 * - a relative target that climbs above the root (`../../../etc`) is refused
 *   instead of being clamped at `/`: that is a trap, not a configuration;
 * - a symlink whose target does not exist under the root is refused, so we
 *   never create directories at the far end of a link;
 * - for writes and deletes, a symlink at the final component is refused
 *   outright: replacing it by rename would silently turn the link into a file.
 * What remains is a race with a concurrent root process that swaps a
 * directory for a link between this check and the rename; temp files are
 * created with O_EXCL|O_NOFOLLOW (fs-ops.ts) so that race cannot redirect
 * content, only fail.
 */

/** Linux PATH_MAX and NAME_MAX; longer names fail in the kernel with a worse message. */
const MAX_PATH = 4096;
const MAX_NAME = 255;
/** Linux gives up after 40 link hops (ELOOP); so do we. */
const MAX_LINK_HOPS = 40;

export interface ResolvedPath {
  /** Node-absolute path with every symlink of the parent directories resolved. */
  nodePath: string;
  /** `<root><nodePath>`: what the kernel is given. */
  hostPath: string;
  /** lstat of the final component, null when it does not exist. */
  stat: Stats | null;
  /** Node-absolute parent directories that do not exist yet, outermost first. */
  missingDirs: string[];
}

/**
 * `final: "no-symlink"` (writes, deletes) refuses a symlink at the last
 * component; `"follow"` (mkdir, reads of directories) resolves it like a parent.
 */
export type FinalComponent = "no-symlink" | "follow";

/** Syntax checks of a node-absolute path; returns its segments. Throws InputError naming the path. */
export function checkNodePath(nodePath: string): string[] {
  const shown = JSON.stringify(nodePath);
  if (typeof nodePath !== "string" || !nodePath.startsWith("/")) {
    throw new InputError(`refusing path ${shown}: not an absolute node path`);
  }
  if (nodePath.includes("\0")) throw new InputError(`refusing path ${shown}: contains a NUL byte`);
  if (nodePath.length > MAX_PATH)
    throw new InputError(`refusing path ${shown.slice(0, 80)}…: longer than ${MAX_PATH}`);
  const segments = nodePath.split("/").filter((s) => s !== "");
  for (const segment of segments) {
    if (segment === ".." || segment === ".") {
      throw new InputError(`refusing path ${shown}: contains a "${segment}" segment`);
    }
    if (Buffer.byteLength(segment) > MAX_NAME) {
      throw new InputError(`refusing path ${shown}: a name is longer than ${MAX_NAME} bytes`);
    }
  }
  return segments;
}

/** Joins a root and a node path as a host path, without touching the disk. */
export function hostPathOf(root: string, nodePath: string): string {
  return join(root, ...checkNodePath(nodePath));
}

interface Walk {
  root: string;
  input: string;
  resolved: string[];
  pending: string[];
  /** While more than this many segments are pending, we are inside a link target: it must exist. */
  mustExistAbove: number;
  hops: number;
}

/**
 * Resolves `nodePath` under `root` for writing or reading (see the module
 * comment). Refusals are InputErrors that name the path and the link.
 */
export async function resolveUnderRoot(
  root: string,
  nodePath: string,
  final: FinalComponent = "no-symlink",
): Promise<ResolvedPath> {
  const walk: Walk = {
    root: await realRoot(root),
    input: nodePath,
    resolved: [],
    pending: checkNodePath(nodePath),
    mustExistAbove: Number.POSITIVE_INFINITY,
    hops: 0,
  };
  while (walk.pending.length > 0) {
    const mustExist = walk.pending.length > walk.mustExistAbove;
    const segment = walk.pending.shift()!;
    if (segment === "..") {
      if (walk.resolved.length === 0) throw refuse(walk, "a symlink on the way climbs above the root");
      walk.resolved.pop();
      continue;
    }
    const hostPath = join(walk.root, ...walk.resolved, segment);
    const stat = await lstatOrNull(hostPath, walk);
    const isLast = walk.pending.length === 0;
    if (stat === null) {
      if (mustExist)
        throw refuse(walk, `a symlink on the way points to ${nodeOf(walk, segment)}, which does not exist`);
      return missingFrom(walk, segment);
    }
    if (stat.isSymbolicLink()) {
      if (isLast && final === "no-symlink") {
        throw refuse(walk, "it is a symlink; regtrust does not write through symlinks");
      }
      await followLink(walk, hostPath);
      continue;
    }
    if (!isLast && !stat.isDirectory()) throw refuse(walk, `${nodeOf(walk, segment)} is not a directory`);
    walk.resolved.push(segment);
    if (isLast) return { nodePath: nodeOf(walk), hostPath, stat, missingDirs: [] };
  }
  return { nodePath: "/", hostPath: walk.root, stat: await lstat(walk.root), missingDirs: [] };
}

async function followLink(walk: Walk, hostPath: string): Promise<void> {
  walk.hops += 1;
  if (walk.hops > MAX_LINK_HOPS) throw refuse(walk, "too many levels of symbolic links");
  const target = await readlink(hostPath);
  const targetSegments = target.split("/").filter((s) => s !== "" && s !== ".");
  if (target.startsWith("/")) walk.resolved = [];
  walk.mustExistAbove = Math.min(walk.mustExistAbove, walk.pending.length);
  walk.pending = [...targetSegments, ...walk.pending];
}

function missingFrom(walk: Walk, segment: string): ResolvedPath {
  if (walk.pending.includes(".."))
    throw refuse(walk, "a symlink on the way leads through a missing directory");
  const missing = [segment, ...walk.pending];
  const base = [...walk.resolved];
  const missingDirs: string[] = [];
  for (const name of missing.slice(0, -1)) {
    base.push(name);
    missingDirs.push(`/${base.join("/")}`);
  }
  const all = [...walk.resolved, ...missing];
  return { nodePath: `/${all.join("/")}`, hostPath: join(walk.root, ...all), stat: null, missingDirs };
}

async function lstatOrNull(hostPath: string, walk: Walk): Promise<Stats | null> {
  try {
    return await lstat(hostPath);
  } catch (error) {
    const code = errnoCode(error);
    if (code === "ENOENT") return null;
    if (code === "ENOTDIR") throw refuse(walk, "a component of it is not a directory");
    throw error;
  }
}

async function realRoot(root: string): Promise<string> {
  try {
    const real = await realpath(root);
    if (!(await lstat(real)).isDirectory()) throw new InputError(`root ${root} is not a directory`);
    return real;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`root ${root} is not usable: ${error instanceof Error ? error.message : error}`);
  }
}

function nodeOf(walk: Walk, extra?: string): string {
  const parts = extra === undefined ? walk.resolved : [...walk.resolved, extra];
  return `/${parts.join("/")}`;
}

function refuse(walk: Walk, why: string): InputError {
  return new InputError(`refusing to write ${walk.input} under ${walk.root}: ${why}`);
}
