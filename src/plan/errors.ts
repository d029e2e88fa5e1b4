import { InputError } from "../core/errors.ts";

/**
 * Why applying a plan failed. Stable strings so the CLI and JSON output can
 * branch on them:
 * - `read-only`  the filesystem refused writes (EROFS, or EPERM from an immutable file)
 * - `no-space`   the disk or quota is full (ENOSPC, EDQUOT)
 * - `permission` EACCES: not root, or a directory without write permission
 * - `locked`     another regtrust run holds the lock and did not release it in time
 * - `conflict`   a file changed between planning and applying (the plan is stale)
 * - `journal`    the journal is unreadable or from a newer regtrust
 * - `io`         any other filesystem error
 */
export type ApplyFailure = "read-only" | "no-space" | "permission" | "locked" | "conflict" | "journal" | "io";

/**
 * Applying a plan failed. `rolledBack` says whether every file is back to its
 * content before this run (true in every case except a failing rollback, in
 * which case the journal still holds the interrupted run and the next run
 * finishes the rollback).
 */
export class PlanApplyError extends Error {
  override name = "PlanApplyError";
  constructor(
    readonly failure: ApplyFailure,
    message: string,
    readonly path: string | null,
    readonly rolledBack: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * `untrust` cannot reverse an edit exactly because someone changed the file
 * since and regtrust's edit can no longer be found in it. Nothing was changed.
 */
export class UndoConflictError extends InputError {
  override name = "UndoConflictError";
}

const FAILURE_BY_ERRNO: Record<string, ApplyFailure> = {
  EROFS: "read-only",
  EPERM: "read-only",
  ENOSPC: "no-space",
  EDQUOT: "no-space",
  EACCES: "permission",
};

/** Maps a Node fs error to an ApplyFailure (unknown errors → `io`). */
export function classifyFsError(error: unknown): ApplyFailure {
  const code = errnoCode(error);
  return (code && FAILURE_BY_ERRNO[code]) || "io";
}

export function errnoCode(error: unknown): string | null {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") {
    return error.code;
  }
  return null;
}

const FAILURE_TEXT: Record<ApplyFailure, string> = {
  "read-only": "the filesystem is read-only",
  "no-space": "no space left on the device",
  permission: "permission denied",
  locked: "another regtrust run holds the lock",
  conflict: "the file changed since the plan was made",
  journal: "the journal is unusable",
  io: "I/O error",
};

export function describeFailure(failure: ApplyFailure): string {
  return FAILURE_TEXT[failure];
}

/** `EROFS: read-only file system, open '…'` → the part before the first comma. */
export function shortErrno(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split(",")[0] ?? message;
}
