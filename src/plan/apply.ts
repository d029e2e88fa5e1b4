import { randomBytes } from "node:crypto";
import { basename } from "node:path";
import type { Exec } from "../core/deps.ts";
import { InputError } from "../core/errors.ts";
import { type ApplyResult, appliedEffect, emptyResult } from "./apply-result.ts";
import { blockingRefusals, type CommandOptions, type CommandOutcome, runPlanCommands } from "./commands.ts";
import { dryRun } from "./dry-run.ts";
import { planEffects } from "./effects.ts";
import { PlanApplyError } from "./errors.ts";
import { type ApplyStep, type Executed, executeEffects, rollBack, type StepHook } from "./execute.ts";
import { type FsOps, realFsOps, removeIfPresent } from "./fs-ops.ts";
import {
  commitRun,
  type Journal,
  type PendingRun,
  withCommandResults,
  withPending,
  withRestartOutcomes,
} from "./journal.ts";
import {
  DEFAULT_JOURNAL_DIR,
  type JournalLocation,
  locateJournal,
  readJournal,
  writeJournal,
} from "./journal-store.ts";
import { acquireLock } from "./lock.ts";
import type { Plan, PlanCommand } from "./plan.ts";
import { type RecoveryReport, recoverPending } from "./recovery.ts";
import { checkUndoRevision, committedRun, pendingOf } from "./run-record.ts";
import { resolveUnderRoot } from "./safe-path.ts";

/**
 * Applying a plan to the node at `root`: the only code in regtrust that
 * writes to a node. Sequence, all under one lock (lock.ts):
 *   recover an interrupted earlier run (recovery.ts) → resolve the plan and
 *   drop no-ops (effects.ts) → write the journal's write-ahead entry → change
 *   each path atomically (execute.ts) → commit the journal → run commands
 *   (commands.ts) → record their results.
 * Any failure before the commit rolls every path back and throws a
 * PlanApplyError; the originals are intact.
 */

export interface ApplyOptions {
  /** Node filesystem root (`/`, `/host`, a test tree). */
  root: string;
  /** Node-absolute journal directory, default /var/lib/regtrust. */
  journalDir?: string;
  now?: () => Date;
  /** Runs commands; without it, commands are returned as lines to run by hand. */
  exec?: Exec;
  /** Resolve and report only: no lock, no journal, no file touched. */
  dryRun?: boolean;
  /** Run `restart` commands too (`--restart`). */
  restart?: boolean;
  lockTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** Test seam: the filesystem primitives (fs-ops.ts). */
  fsOps?: FsOps;
  /** Test seam: called between filesystem operations (crash and lock tests pause here). */
  onStep?: StepHook;
}

export type { AppliedEffect, ApplyResult } from "./apply-result.ts";
export type { ApplyStep };

interface Context {
  root: string;
  journalDir: string;
  now: () => Date;
  ops: FsOps;
  onStep: StepHook;
  commandOptions: CommandOptions;
  opts: ApplyOptions;
}

export async function applyPlan(plan: Plan, opts: ApplyOptions): Promise<ApplyResult> {
  const ctx = contextOf(opts);
  await refuseUnsafeCommands(plan, ctx);
  if (opts.dryRun) return dryRun(plan, ctx);
  // Bad paths are refused before regtrust creates even its own directory. Content
  // checks wait for the lock: an interrupted run may first have to be rolled back.
  await planEffects(plan, ctx.root, { journalDir: ctx.journalDir, checkExpected: false });
  return withLock(ctx, async (location, journal, recovered) =>
    applyLocked(plan, ctx, location, journal, recovered),
  );
}

/**
 * A refresh that cannot run safely here (its inputs are not under the root, or
 * the root is a pod's partial view of the node without the node's tool) must
 * not be left for after the files changed: the anchor would be written and
 * the bundle not rebuilt, or rebuilt without the public roots. Refused before
 * anything is written, dry runs included (exit 2, nothing changed).
 */
async function refuseUnsafeCommands(plan: Plan, ctx: Context): Promise<void> {
  const refusals = await blockingRefusals(plan.commands, ctx.commandOptions);
  if (refusals.length === 0) return;
  throw new InputError(
    `refusing to ${plan.action} ${plan.target} on ${ctx.root}; nothing was changed:\n` +
      refusals.map((r) => `  ${r}`).join("\n"),
  );
}

/**
 * Rolls back an interrupted run, if any, under the lock; the CLI calls it
 * before planning `untrust` so the plan starts from a consistent node.
 */
export async function recoverInterrupted(opts: ApplyOptions): Promise<RecoveryReport | null> {
  const ctx = contextOf(opts);
  return withLock(ctx, async (_location, _journal, recovered) => recovered);
}

/**
 * `--restart` on a run that changed nothing: the restarts an earlier run left
 * pending (journal `restarts`) for these units are run now, under the lock,
 * and their outcome recorded, so a pending restart can be ended by regtrust
 * too. Returns the outcomes (empty when none was pending).
 */
export async function runPendingRestarts(
  units: readonly string[],
  opts: ApplyOptions,
): Promise<CommandOutcome[]> {
  const ctx = contextOf(opts);
  if (!ctx.commandOptions.restart || opts.dryRun) return [];
  return withLock(ctx, async (location, journal) => {
    const pending = (journal.restarts ?? []).filter((r) => units.includes(r.unit));
    if (pending.length === 0) return [];
    const commands: PlanCommand[] = pending.map((r) => ({
      kind: "restart",
      argv: r.argv,
      reason: r.reason,
      unit: r.unit,
    }));
    const outcomes = await runPlanCommands(commands, ctx.commandOptions);
    // A restart that failed stays pending since the change it is for; one that ran clears its unit.
    const done = new Set(outcomes.filter((o) => o.status === "ok").map((o) => o.planned.at(-1)));
    const restarts = (journal.restarts ?? []).filter((r) => !done.has(r.unit));
    const next = { ...journal, restarts, revision: journal.revision + 1 };
    await writeJournal(location, next, ctx.ops, `${newRunId(ctx.now())}-restart`);
    return outcomes;
  });
}

function contextOf(opts: ApplyOptions): Context {
  const commandOptions: CommandOptions = { root: opts.root, restart: opts.restart ?? false };
  if (opts.exec) commandOptions.exec = opts.exec;
  if (opts.commandTimeoutMs !== undefined) commandOptions.timeoutMs = opts.commandTimeoutMs;
  return {
    root: opts.root,
    journalDir: opts.journalDir ?? DEFAULT_JOURNAL_DIR,
    now: opts.now ?? (() => new Date()),
    ops: opts.fsOps ?? realFsOps,
    onStep: opts.onStep ?? (() => undefined),
    commandOptions,
    opts,
  };
}

async function withLock<T>(
  ctx: Context,
  body: (location: JournalLocation, journal: Journal, recovered: RecoveryReport | null) => Promise<T>,
): Promise<T> {
  const location = await locateJournal(ctx.root, ctx.journalDir, { create: true, ops: ctx.ops });
  const lockOptions = {
    now: ctx.now,
    ...(ctx.opts.lockTimeoutMs !== undefined ? { timeoutMs: ctx.opts.lockTimeoutMs } : {}),
  };
  const lock = await acquireLock(location.lock, lockOptions);
  try {
    await ctx.onStep({ stage: "locked" });
    const { journal, report } = await recoverPending(
      ctx.root,
      location,
      await readJournal(location),
      ctx.ops,
    );
    return await body(location, journal, report);
  } finally {
    await lock.release();
  }
}

async function applyLocked(
  plan: Plan,
  ctx: Context,
  location: JournalLocation,
  initial: Journal,
  recovered: RecoveryReport | null,
): Promise<ApplyResult> {
  checkUndoRevision(plan, initial, recovered);
  const notes: string[] = [];
  let journal = await finishUnfinishedCommands(initial, ctx, location, notes);
  const effects = await planEffects(plan, ctx.root, { journalDir: ctx.journalDir });
  const claimed = new Set(journal.records.filter((r) => r.target === plan.target).flatMap((r) => r.claims));
  const newClaims = effects.claims.filter((key) => !claimed.has(key));
  const undoesRecords = (plan.undo?.recordIds.length ?? 0) > 0;
  if (effects.effects.length === 0 && newClaims.length === 0 && !undoesRecords) {
    return {
      ...emptyResult(effects, recovered, notes),
      notes: [...notes, "nothing to change: already applied"],
    };
  }
  const runId = newRunId(ctx.now());
  const pending = pendingOf(plan, effects, runId, ctx.now());
  journal = await writeJournal(location, withPending(journal, pending), ctx.ops, runId).catch(
    (error: PlanApplyError) => {
      throw new PlanApplyError(error.failure, `${error.message}; nothing was changed`, error.path, true, {
        cause: error,
      });
    },
  );
  await ctx.onStep({ stage: "journal-written" });
  let executed: Executed[];
  try {
    executed = await executeEffects(effects.effects, ctx.ops, runId, ctx.onStep);
    journal = await writeJournal(
      location,
      commitRun(journal, committedRun(plan, executed, runId, ctx.now())),
      ctx.ops,
      runId,
    );
  } catch (error) {
    throw await failAndRollBack(ctx, location, journal, pending, error);
  }
  await ctx.onStep({ stage: "committed" });
  const commands = await runPlanCommands(plan.commands, ctx.commandOptions);
  const files = executed.filter((e) => e.record !== null).map((e) => e.effect.nodePath);
  const run = { runId, target: plan.target, at: ctx.now(), files };
  await recordResults(ctx, location, journal, run, commands, notes);
  return {
    ...emptyResult(effects, recovered, notes),
    changed: executed.some((e) => e.record !== null),
    runId,
    effects: executed.map((e) => appliedEffect(e.effect, e.record !== null)),
    commands,
  };
}

async function failAndRollBack(
  ctx: Context,
  location: JournalLocation,
  journal: Journal,
  pending: PendingRun,
  error: unknown,
): Promise<Error> {
  const outcome = await rollBack(ctx.root, pending, ctx.ops, error);
  if (outcome instanceof PlanApplyError && outcome.rolledBack) {
    // If clearing the entry fails too, the next run repeats the (idempotent) rollback.
    await writeJournal(location, withPending(journal, null), ctx.ops, `${pending.id}-rollback`).catch(
      () => undefined,
    );
  }
  return outcome;
}

/** Refresh commands of a run that committed but crashed before its commands finished. */
async function finishUnfinishedCommands(
  journal: Journal,
  ctx: Context,
  location: JournalLocation,
  notes: string[],
): Promise<Journal> {
  const unfinished = journal.unfinishedCommands;
  if (!unfinished) return journal;
  const refreshes = unfinished.commands.filter((c) => c.kind === "refresh");
  await removeToolScratch(refreshes, ctx);
  // The undo form is the full rebuild where a tool has one (Debian's --fresh): a
  // plain re-run of update-ca-certificates after a kill before its `openssl
  // rehash` finds every link in place, skips the rehash, and the hash link is never made.
  const rebuild = refreshes.map((c) => ({ ...c, argv: c.undoArgv ?? c.argv }));
  const outcomes = await runPlanCommands(rebuild, ctx.commandOptions);
  notes.push(
    `re-ran ${refreshes.length} refresh command(s) of an earlier run that stopped after writing its files`,
  );
  return writeJournal(
    location,
    withCommandResults(journal, unfinished.runId, outcomes),
    ctx.ops,
    `${unfinished.runId}-cmd`,
  );
}

/**
 * Scratch files a refresh tool leaves when it is killed and builds on in its
 * next run. Debian's update-ca-certificates appends to
 * /etc/ssl/certs/ca-certificates.crt.new and removes it only on a normal exit
 * (`trap cleanup 0`; read from /usr/sbin/update-ca-certificates, ca-certificates
 * 20250419~deb12u2), so re-run after a kill it would install the old
 * half-bundle plus a whole new one. Only removed when re-running an
 * interrupted run's commands, and only a regular file.
 */
const TOOL_SCRATCH: Record<string, readonly string[]> = {
  "update-ca-certificates": ["/etc/ssl/certs/ca-certificates.crt.new"],
};

async function removeToolScratch(commands: readonly PlanCommand[], ctx: Context): Promise<void> {
  const paths = commands.flatMap((c) => TOOL_SCRATCH[basename(c.argv[0] ?? "")] ?? []);
  for (const path of new Set(paths)) {
    const resolved = await resolveUnderRoot(ctx.root, path, "no-symlink").catch(() => null);
    if (resolved?.stat?.isFile()) await removeIfPresent(ctx.ops, resolved.hostPath);
  }
}

async function recordResults(
  ctx: Context,
  location: JournalLocation,
  journal: Journal,
  run: { runId: string; target: string; at: Date; files: string[] },
  commands: CommandOutcome[],
  notes: string[],
): Promise<void> {
  const runId = run.runId;
  try {
    const next = withRestartOutcomes(withCommandResults(journal, runId, commands), commands, run);
    await writeJournal(location, next, ctx.ops, `${runId}-cmd`);
  } catch (error) {
    notes.push(`the files were changed but the command results could not be recorded: ${String(error)}`);
  }
}

function newRunId(now: Date): string {
  return `${now.toISOString().replace(/[-:.]/g, "")}-${randomBytes(4).toString("hex")}`;
}
