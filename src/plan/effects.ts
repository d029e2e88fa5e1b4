import { InputError } from "../core/errors.ts";
import { PlanApplyError } from "./errors.ts";
import type { FileOwner } from "./fs-ops.ts";
import type { PathState } from "./journal.ts";
import { capturePathState, describeState } from "./path-state.ts";
import { contentBytes, type FileChange, type Plan, sha256Hex, validatePlan } from "./plan.ts";
import { hostPathOf, type ResolvedPath, resolveUnderRoot } from "./safe-path.ts";

/**
 * What a plan would actually do on this node right now: every change resolved
 * under the root (safe-path.ts), checked against the file it expects, and
 * compared with what is there. Changes that would leave a file as it is are
 * dropped (the no-op detector: applying `trust` twice writes nothing the
 * second time). Read-only; preview.ts, dry runs and apply.ts all start here.
 */

export interface Effect {
  op: "write" | "delete" | "mkdir" | "rmdir";
  nodePath: string;
  hostPath: string;
  /** The plan change; null for a parent directory created on the way. */
  change: FileChange | null;
  before: PathState;
  /** Content for `write`. */
  data?: Uint8Array;
  /** Mode written: kept from an existing file, else the change's. */
  mode: number;
  /** Kept owner of an existing file (restored only when running as root). */
  owner?: FileOwner;
}

export interface Effects {
  effects: Effect[];
  /** Plan changes that would change nothing here. */
  unchanged: FileChange[];
  /** Shared-edit keys the plan's writes claim (journal.ts), changed or not. */
  claims: string[];
}

export async function planEffects(
  plan: Plan,
  root: string,
  opts: { journalDir: string; checkExpected?: boolean },
): Promise<Effects> {
  validatePlan(plan);
  const result: Effects = { effects: [], unchanged: [], claims: [] };
  const seen = new Set<string>();
  const journalNodeDir = hostPathOf("/", opts.journalDir);
  for (const change of plan.changes) {
    const resolved = await resolveUnderRoot(root, change.path, finalFor(change));
    if (resolved.nodePath === journalNodeDir || resolved.nodePath.startsWith(`${journalNodeDir}/`)) {
      throw new InputError(
        `refusing to change ${change.path}: it is inside regtrust's journal ${opts.journalDir}`,
      );
    }
    if (seen.has(resolved.nodePath)) throw new InputError(`plan changes ${resolved.nodePath} twice`);
    seen.add(resolved.nodePath);
    if (change.kind === "write" && change.shared !== undefined) result.claims.push(change.shared);
    const before = await capturePathState(resolved.hostPath, resolved.stat, change.path);
    checkKind(change, before);
    if (opts.checkExpected !== false) checkExpected(change, before);
    if (isNoOp(change, before)) {
      result.unchanged.push(change);
      continue;
    }
    addParents(result, resolved, seen);
    result.effects.push(effectFor(change, resolved, before));
  }
  return result;
}

function finalFor(change: FileChange): "no-symlink" | "follow" {
  return change.kind === "mkdir" || change.kind === "rmdir" ? "follow" : "no-symlink";
}

function checkKind(change: FileChange, before: PathState): void {
  const wantsDir = change.kind === "mkdir" || change.kind === "rmdir";
  if (before.type === "absent" || (before.type === "dir") === wantsDir) return;
  const what = before.type === "dir" ? "a directory" : "a file";
  throw new InputError(`refusing to ${change.kind} ${change.path}: it is ${what}`);
}

function checkExpected(change: FileChange, before: PathState): void {
  if (change.kind !== "write" && change.kind !== "delete") return;
  if (change.expectSha256 === undefined) return;
  const actual = before.type === "file" ? before.sha256 : null;
  if (actual === change.expectSha256) return;
  if (change.kind === "write" && before.type === "file" && before.sha256 === sha256Hex(change.content))
    return;
  const expected = change.expectSha256 === null ? "absent" : `sha256:${change.expectSha256.slice(0, 12)}…`;
  throw new PlanApplyError(
    "conflict",
    `${change.path} changed since the plan was made (expected ${expected}, found ${describeState(before)}); nothing was written — run the command again`,
    change.path,
    true,
  );
}

/** The no-op detector: the change would leave the path exactly as it is. */
export function isNoOp(change: FileChange, before: PathState): boolean {
  switch (change.kind) {
    case "write":
      return before.type === "file" && before.sha256 === sha256Hex(change.content);
    case "delete":
    case "rmdir":
      return before.type === "absent";
    case "mkdir":
      return before.type === "dir";
  }
}

function addParents(result: Effects, resolved: ResolvedPath, seen: Set<string>): void {
  for (const dir of resolved.missingDirs) {
    if (seen.has(dir)) continue;
    seen.add(dir);
    result.effects.push({
      op: "mkdir",
      nodePath: dir,
      hostPath: hostPathOf(rootOf(resolved), dir),
      change: null,
      before: { type: "absent" },
      mode: 0o755,
    });
  }
}

/** The real root the path was resolved under: hostPath minus nodePath. */
function rootOf(resolved: ResolvedPath): string {
  return resolved.hostPath.slice(0, resolved.hostPath.length - resolved.nodePath.length) || "/";
}

function effectFor(change: FileChange, resolved: ResolvedPath, before: PathState): Effect {
  const base = { nodePath: resolved.nodePath, hostPath: resolved.hostPath, change, before };
  switch (change.kind) {
    case "write": {
      const kept =
        before.type === "file" ? { mode: before.mode, owner: { uid: before.uid, gid: before.gid } } : null;
      return {
        ...base,
        op: "write",
        data: contentBytes(change.content),
        mode: kept?.mode ?? change.mode,
        ...ownerOf(kept),
      };
    }
    case "delete":
      return { ...base, op: "delete", mode: before.type === "file" ? before.mode : 0 };
    case "mkdir":
      return { ...base, op: "mkdir", mode: change.mode };
    case "rmdir":
      return { ...base, op: "rmdir", mode: before.type === "dir" ? before.mode : 0 };
  }
}

function ownerOf(kept: { owner: FileOwner } | null): { owner?: FileOwner } {
  return kept ? { owner: kept.owner } : {};
}
