import {
  type Dirent,
  lstatSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  type Stats,
  statSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { BoundedReadError, type BoundedReadOptions, readRegularFile } from "./bounded-read.ts";

/** Why a node path could not be read (other than simply not existing). */
export type HostFsErrorReason =
  | "escape"
  | "access"
  | "is-directory"
  | "not-directory"
  | "loop"
  | "relative"
  | "symlink"
  | "not-regular"
  | "too-large"
  | "io";

/** A read that failed for a reason other than "not there". The message names the node path. */
export class HostFsError extends Error {
  override name = "HostFsError";
  constructor(
    readonly nodePath: string,
    readonly reason: HostFsErrorReason,
    detail: string,
  ) {
    super(`${nodePath}: ${detail}`);
  }
}

export interface HostStat {
  kind: "file" | "dir" | "other";
  /** Permission bits (mode & 0o7777). */
  mode: number;
  size: number;
  mtimeMs: number;
}

/** One directory entry as readdir(3) typed it; a symlink is not followed. */
export interface HostDirEntry {
  name: string;
  kind: "file" | "dir" | "symlink" | "other";
}

/** Linux gives up after 40 symlink hops (ELOOP); so do we. */
const MAX_SYMLINK_HOPS = 40;

interface Walked {
  /** Host path of the deepest existing component, plus any missing rest (lexically). */
  hostPath: string;
  missing: boolean;
}

/**
 * The node filesystem seen from `--root`, read-only. Every path is
 * node-absolute (as written in node config files) and is resolved component
 * by component under the root the way chroot would: absolute symlink targets
 * restart at the root, relative ones continue from the link's directory, and
 * a target that climbs above the node's "/" is refused (docs/principles.md: never
 * follow a symlink out of the root). Missing paths are null, not errors.
 */
export class HostFs {
  readonly root: string;
  /** Host paths known to be directories (not symlinks), only inside withDirectoryMemo(). */
  private directories: Set<string> | null = null;

  constructor(root: string) {
    // The root itself may sit behind a symlink (e.g. /tmp on some systems);
    // resolve it once so containment checks compare real paths.
    this.root = realpathSync(root);
  }

  /** Host path for a node path, symlinks resolved as far as the path exists. */
  resolve(nodePath: string): string {
    return this.walk(nodePath).hostPath;
  }

  /**
   * Regular files only: a FIFO would block the CLI forever and a device could
   * be endless, so both are refused, as is anything over `maxBytes` (default
   * MAX_NODE_FILE_BYTES). The descriptor is checked, not the path
   * (bounded-read.ts). `finalSymlink: "refuse"` is for regtrust's own state
   * files, which it never writes as links: a link there was put by someone else.
   */
  readFile(nodePath: string, opts: BoundedReadOptions = {}): Buffer | null {
    const walked = opts.finalSymlink === "refuse" ? this.walkParent(nodePath) : this.walk(nodePath);
    if (walked.missing) return null;
    try {
      return readRegularFile(walked.hostPath, opts);
    } catch (error) {
      if (!(error instanceof BoundedReadError)) throw error;
      if (error.failure === "missing") return null;
      throw boundedToHostFsError(nodePath, error);
    }
  }

  readText(nodePath: string): string | null {
    return this.readFile(nodePath)?.toString("utf8") ?? null;
  }

  /** Entry names, sorted bytewise as Go's os.ReadDir returns them. */
  readDir(nodePath: string): string[] | null {
    const walked = this.walk(nodePath);
    if (walked.missing) return null;
    try {
      return readdirSync(walked.hostPath).sort(compareBytewise);
    } catch (error) {
      return this.absentOrThrow(nodePath, error);
    }
  }

  /**
   * Entries with their type from readdir itself (Node lstats only where the
   * file system reports DT_UNKNOWN), sorted bytewise like readDir().
   */
  readDirEntries(nodePath: string): HostDirEntry[] | null {
    const walked = this.walk(nodePath);
    if (walked.missing) return null;
    try {
      return readdirSync(walked.hostPath, { withFileTypes: true })
        .map((entry) => ({ name: entry.name, kind: direntKind(entry) }))
        .sort((a, b) => compareBytewise(a.name, b.name));
    } catch (error) {
      return this.absentOrThrow(nodePath, error);
    }
  }

  /**
   * Runs `read` with directory lookups remembered: each directory component
   * is lstat-ed once instead of once per path through it. For one read-only
   * pass over many files in few directories (the OS store: ~150 links into
   * /usr/share/ca-certificates); outside it every walk lstats afresh.
   */
  withDirectoryMemo<T>(read: () => T): T {
    if (this.directories !== null) return read();
    this.directories = new Set();
    try {
      return read();
    } finally {
      this.directories = null;
    }
  }

  stat(nodePath: string): HostStat | null {
    const walked = this.walk(nodePath);
    if (walked.missing) return null;
    try {
      const st = statSync(walked.hostPath);
      const kind = st.isFile() ? "file" : st.isDirectory() ? "dir" : "other";
      return { kind, mode: st.mode & 0o7777, size: st.size, mtimeMs: st.mtimeMs };
    } catch (error) {
      return this.absentOrThrow(nodePath, error);
    }
  }

  exists(nodePath: string): boolean {
    return this.stat(nodePath) !== null;
  }

  /** The target of a symlink exactly as stored, or null when the path is not a symlink (or missing). */
  readLink(nodePath: string): string | null {
    const parts = splitNodePath(nodePath);
    const name = parts.pop();
    if (name === undefined || name === "..") return null;
    const parent = this.walk(`/${parts.join("/")}`);
    if (parent.missing) return null;
    try {
      const host = join(parent.hostPath, name);
      return lstatSync(host).isSymbolicLink() ? readlinkSync(host) : null;
    } catch (error) {
      return this.absentOrThrow(nodePath, error);
    }
  }

  /** The parent resolved under the root, the last component left as named (not followed). */
  private walkParent(nodePath: string): Walked {
    const name = basename(nodePath);
    if (name === "" || name === "." || name === "..")
      throw new HostFsError(nodePath, "relative", "does not name a file");
    const parent = this.walk(dirname(nodePath));
    return { hostPath: join(parent.hostPath, name), missing: parent.missing };
  }

  private walk(nodePath: string): Walked {
    if (!nodePath.startsWith("/")) {
      throw new HostFsError(nodePath, "relative", "not a node-absolute path");
    }
    const pending = splitNodePath(nodePath);
    const resolved: string[] = [];
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift() as string;
      if (part === "..") {
        if (resolved.length === 0)
          throw new HostFsError(nodePath, "escape", "the path climbs above the node root");
        resolved.pop();
        continue;
      }
      const host = join(this.root, ...resolved, part);
      const st = this.lstatOrNull(nodePath, host);
      if (st === null) return { hostPath: join(host, ...lexical(pending)), missing: true };
      if (st.isSymbolicLink()) {
        hops += 1;
        if (hops > MAX_SYMLINK_HOPS)
          throw new HostFsError(nodePath, "loop", "too many levels of symbolic links");
        const target = readlinkSync(host);
        const linkPath = `/${[...resolved, part].join("/")}`;
        if (target.startsWith("/")) resolved.length = 0;
        else if (climbsAbove(resolved.length, target)) {
          throw new HostFsError(
            nodePath,
            "escape",
            `symlink ${linkPath} -> ${target} points outside the node root; not followed`,
          );
        }
        pending.unshift(...splitNodePath(target));
        continue;
      }
      resolved.push(part);
      if (pending.length > 0 && !st.isDirectory()) {
        return { hostPath: join(host, ...lexical(pending)), missing: true };
      }
    }
    return { hostPath: join(this.root, ...resolved), missing: false };
  }

  private lstatOrNull(nodePath: string, host: string): Pick<Stats, "isDirectory" | "isSymbolicLink"> | null {
    if (this.directories?.has(host)) return KNOWN_DIRECTORY;
    try {
      const st = lstatSync(host);
      if (st.isDirectory()) this.directories?.add(host);
      return st;
    } catch (error) {
      return this.absentOrThrow(nodePath, error);
    }
  }

  private absentOrThrow(nodePath: string, error: unknown): null {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR on an inner component is caught by walk(); here it means the
    // final component is a file where a directory was asked for.
    if (code === "ENOENT") return null;
    throw toHostFsError(nodePath, error);
  }
}

function boundedToHostFsError(nodePath: string, error: BoundedReadError): HostFsError {
  switch (error.failure) {
    case "directory":
      return new HostFsError(nodePath, "is-directory", "is a directory, not a file");
    case "not-regular":
      return new HostFsError(
        nodePath,
        "not-regular",
        "not a regular file (FIFO, socket or device); not read",
      );
    case "too-large":
      return new HostFsError(nodePath, "too-large", error.detail);
    case "symlink":
      return new HostFsError(nodePath, "symlink", "is a symlink; not followed");
    default:
      return toHostFsError(nodePath, Object.assign(new Error(error.detail), { code: error.code }));
  }
}

function toHostFsError(nodePath: string, error: unknown): HostFsError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "EACCES":
    case "EPERM":
      return new HostFsError(nodePath, "access", "permission denied");
    case "EISDIR":
      return new HostFsError(nodePath, "is-directory", "is a directory, not a file");
    case "ENOTDIR":
      return new HostFsError(nodePath, "not-directory", "is not a directory");
    case "ELOOP":
      return new HostFsError(nodePath, "loop", "too many levels of symbolic links");
    default:
      return new HostFsError(nodePath, "io", (error as Error).message);
  }
}

function splitNodePath(path: string): string[] {
  return path.split("/").filter((p) => p !== "" && p !== ".");
}

/** Whether a relative symlink target climbs above "/" from a directory `depth` levels deep. */
function climbsAbove(depth: number, target: string): boolean {
  let level = depth;
  for (const part of splitNodePath(target)) {
    level += part === ".." ? -1 : 1;
    if (level < 0) return true;
  }
  return false;
}

/**
 * The not-yet-existing rest of a path, for display only: the kernel fails
 * "missing/.." with ENOENT, so a ".." here never reaches an existing parent.
 */
function lexical(rest: string[]): string[] {
  const out: string[] = [];
  for (const part of rest) {
    if (part !== "..") out.push(part);
    else out.pop();
  }
  return out;
}

const KNOWN_DIRECTORY = { isDirectory: () => true, isSymbolicLink: () => false };

function direntKind(entry: Dirent): HostDirEntry["kind"] {
  if (entry.isSymbolicLink()) return "symlink";
  if (entry.isDirectory()) return "dir";
  return entry.isFile() ? "file" : "other";
}

function compareBytewise(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
