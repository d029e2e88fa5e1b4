import { dirname } from "node:path";
import type { Effect } from "./effects.ts";
import { classifyFsError, describeFailure, errnoCode, PlanApplyError, shortErrno } from "./errors.ts";
import { atomicWrite, type FsOps } from "./fs-ops.ts";
import type { PathChangeRecord, PathState, PendingRun } from "./journal.ts";
import { fileState } from "./path-state.ts";
import { restoreSnapshots } from "./recovery.ts";

/**
 * Carrying out resolved effects (effects.ts) one by one, and undoing them from
 * the write-ahead snapshots when one fails.
 */

/** A point between two filesystem operations; tests pause or crash the process here. */
export type ApplyStep =
  | { stage: "locked" | "journal-written" | "committed" }
  | { stage: "temp-written" | "renamed" | "change-done"; index: number; path: string };

export type StepHook = (step: ApplyStep) => Promise<void> | void;

/** One executed effect: its journal record, or null for an `rmdir` skipped because the directory was not empty. */
export interface Executed {
  effect: Effect;
  record: PathChangeRecord | null;
}

export async function executeEffects(
  effects: readonly Effect[],
  ops: FsOps,
  runId: string,
  onStep: StepHook,
): Promise<Executed[]> {
  const executed: Executed[] = [];
  for (const [index, effect] of effects.entries()) {
    const stepAt = async (stage: "temp-written" | "renamed") =>
      onStep({ stage, index, path: effect.nodePath });
    const after = await executeOne(effect, ops, runId, stepAt);
    executed.push({ effect, record: after === null ? null : recordOf(effect, after) });
    await onStep({ stage: "change-done", index, path: effect.nodePath });
  }
  return executed;
}

async function executeOne(
  effect: Effect,
  ops: FsOps,
  runId: string,
  stepAt: (stage: "temp-written" | "renamed") => Promise<void>,
): Promise<PathState | null> {
  try {
    return await performOp(effect, ops, runId, stepAt);
  } catch (error) {
    throw new PlanApplyError(
      classifyFsError(error),
      `cannot ${verbOf(effect)} ${effect.nodePath}: ${describeFailure(classifyFsError(error))} (${shortErrno(error)})`,
      effect.nodePath,
      false,
      { cause: error },
    );
  }
}

async function performOp(
  effect: Effect,
  ops: FsOps,
  runId: string,
  stepAt: (stage: "temp-written" | "renamed") => Promise<void>,
): Promise<PathState | null> {
  switch (effect.op) {
    case "write": {
      const data = effect.data!;
      const opts = { onStep: stepAt, ...(effect.owner ? { owner: effect.owner } : {}) };
      await atomicWrite(ops, effect.hostPath, data, effect.mode, runId, opts);
      const owner = effect.owner ?? { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
      return fileState(data, effect.mode, owner.uid, owner.gid);
    }
    case "delete":
      await ops.unlink(effect.hostPath);
      await ops.syncDir(dirname(effect.hostPath));
      return { type: "absent" };
    case "mkdir":
      await ops.mkdir(effect.hostPath, effect.mode);
      await ops.syncDir(dirname(effect.hostPath));
      return { type: "dir", mode: effect.mode };
    case "rmdir":
      return removeDirIfEmpty(effect.hostPath, ops);
  }
}

async function removeDirIfEmpty(hostPath: string, ops: FsOps): Promise<PathState | null> {
  try {
    await ops.rmdir(hostPath);
  } catch (error) {
    if (errnoCode(error) === "ENOTEMPTY" || errnoCode(error) === "EEXIST") return null;
    throw error;
  }
  await ops.syncDir(dirname(hostPath));
  return { type: "absent" };
}

function recordOf(effect: Effect, after: PathState): PathChangeRecord {
  const owner =
    effect.op === "mkdir" || effect.op === "rmdir"
      ? "dir"
      : effect.change?.kind === "write"
        ? effect.change.owner
        : "edit";
  return { path: effect.nodePath, owner, before: effect.before, after };
}

function verbOf(effect: Effect): string {
  return { write: "write", delete: "delete", mkdir: "create directory", rmdir: "remove directory" }[
    effect.op
  ];
}

/**
 * After a failure: puts every path of the run back from its snapshot. Returns
 * the error to throw: the original one when the rollback worked (originals
 * intact), otherwise one saying the next run will finish the rollback.
 */
export async function rollBack(
  root: string,
  pending: PendingRun,
  ops: FsOps,
  failure: unknown,
): Promise<Error> {
  const original =
    failure instanceof PlanApplyError
      ? failure
      : new PlanApplyError(classifyFsError(failure), `${shortErrno(failure)}`, null, false, {
          cause: failure,
        });
  try {
    await restoreSnapshots(root, pending, ops);
  } catch (rollbackError) {
    return new PlanApplyError(
      original.failure,
      `${original.message}; rolling back also failed (${shortErrno(rollbackError)}) — the next regtrust run will finish the rollback`,
      original.path,
      false,
      { cause: failure },
    );
  }
  return new PlanApplyError(
    original.failure,
    `${original.message}; nothing was changed, every file is as before`,
    original.path,
    true,
    { cause: failure },
  );
}
