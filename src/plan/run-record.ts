import type { Effects } from "./effects.ts";
import { PlanApplyError } from "./errors.ts";
import type { Executed } from "./execute.ts";
import type { CommittedRun, Journal, PendingRun } from "./journal.ts";
import type { Plan } from "./plan.ts";
import type { RecoveryReport } from "./recovery.ts";

/** Turning a plan and what apply.ts did with it into journal entries (journal.ts). */

export function checkUndoRevision(plan: Plan, journal: Journal, recovered: RecoveryReport | null): void {
  if (!plan.undo) return;
  const revision = recovered ? journal.revision - 1 : journal.revision;
  if (plan.undo.journalRevision === revision) return;
  throw new PlanApplyError(
    "conflict",
    `regtrust's journal changed since this ${plan.action} plan for ${plan.target} was made; nothing was changed — run it again`,
    null,
    true,
  );
}

export function pendingOf(plan: Plan, effects: Effects, runId: string, now: Date): PendingRun {
  return {
    id: runId,
    target: plan.target,
    action: plan.action,
    startedAt: now.toISOString(),
    pid: process.pid,
    snapshots: effects.effects.map((e) => ({ path: e.nodePath, state: e.before })),
  };
}

export function committedRun(
  plan: Plan,
  executed: readonly Executed[],
  runId: string,
  appliedAt: Date,
): CommittedRun {
  const sharedKeyOf = (e: Executed) =>
    e.effect.change?.kind === "write" ? e.effect.change.shared : undefined;
  const sharedKeys = plan.changes.flatMap((c) =>
    c.kind === "write" && c.shared !== undefined ? [c.shared] : [],
  );
  const run: CommittedRun = {
    runId,
    target: plan.target,
    action: plan.action,
    appliedAt: appliedAt.toISOString(),
    meta: plan.meta ?? {},
    changes: executed.flatMap((e) => (e.record !== null && sharedKeyOf(e) === undefined ? [e.record] : [])),
    shared: sharedKeys.map((key) => ({
      key,
      change: executed.find((e) => sharedKeyOf(e) === key)?.record ?? null,
    })),
    commands: plan.commands,
  };
  if (plan.undo) {
    run.changes = executed.flatMap((e) => (e.record !== null ? [e.record] : []));
    run.undo = { recordIds: plan.undo.recordIds, releasedShared: plan.undo.releasedShared };
  }
  return run;
}
