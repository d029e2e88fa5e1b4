import {
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  type Stats,
  statSync,
} from "node:fs";
import { join } from "node:path";

/** Why a node path could not be read (other than simply not existing). */
export type HostFsErrorReason =
  | "escape"
  | "access"
  | "is-directory"
  | "not-directory"
  | "loop"
  | "relative"
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

/** Config files and CA bundles are small; a bigger file is not what we are looking for. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

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
 * a target that climbs above the node's "/" is refused (DESIGN.md: never
 * follow a symlink out of the root). Missing paths are null, not errors.
 */
export class HostFs {
  readonly root: string;

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
   * be endless, so both are refused, as is anything over MAX_FILE_BYTES.
   */
  readFile(nodePath: string): Buffer | null {
    const walked = this.walk(nodePath);
    if (walked.missing) return null;
    try {
      const st = statSync(walked.hostPath);
      if (st.isDirectory()) throw new HostFsError(nodePath, "is-directory", "is a directory, not a file");
      if (!st.isFile())
        throw new HostFsError(nodePath, "io", "not a regular file (FIFO, socket or device); not read");
      if (st.size > MAX_FILE_BYTES)
        throw new HostFsError(nodePath, "io", `larger than ${MAX_FILE_BYTES} bytes; not read`);
      return readFileSync(walked.hostPath);
    } catch (error) {
      if (error instanceof HostFsError) throw error;
      return this.absentOrThrow(nodePath, error);
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

  private lstatOrNull(nodePath: string, host: string): Stats | null {
    try {
      return lstatSync(host);
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

function compareBytewise(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
