import type { CommandOutcome } from "./commands.ts";
import type { PlanAction, PlanCommand } from "./plan.ts";

/**
 * The journal: what regtrust did to a node, so it can be undone exactly and
 * so a crash half-way can be rolled back. One JSON file,
 * `<root>/var/lib/regtrust/journal.json` (mode 0600: it holds the original
 * bytes of edited files, which may contain registry credentials), replaced
 * atomically under the lock (apply.ts) on every transition.
 *
 * Design:
 * - Write-ahead entry (`pending`). Before apply.ts touches any file it writes
 *   the full previous state of every path it will touch (content, mode, owner,
 *   or "absent"), including parent directories it will create. Only then are
 *   files changed. A crash (kill -9, power loss) leaves `pending` set; the next
 *   run (recovery.ts) puts every listed path back to its recorded state and
 *   clears it. Commit is the single atomic rename that clears `pending` and
 *   appends the record, so a run is all-or-nothing.
 * - Records (`records`), in apply order, each tagged with its target registry:
 *   for every path the before and after state. "Created" = before absent;
 *   "edited" = before a file (original bytes kept). The ordered records of one
 *   target are its history; `untrust` reverses them newest first (undo.ts).
 *   The bytes we wrote are kept too, so that if someone changed the file since,
 *   undo can tell by hash and reverse only regtrust's own edit as a three-way
 *   merge (reverse-edit.ts) or refuse with a clear message.
 * - Shared edits (`shared`). Some edits serve every target at once, e.g.
 *   containerd's `config_path` in config.toml. Such a change carries a
 *   `shared` key. Its before/after live here, outside any record, and each
 *   record lists the keys it relies on in `claims` (also when the edit was
 *   already in place and nothing was written). The edit is reversed only by
 *   the undo that removes the last record claiming it: reference counting
 *   where the count is derived from the records, so it can never drift. An
 *   edit that was already there before regtrust (no `shared` entry) is never
 *   reversed.
 * - Created directories (`createdDirs`) are node-wide, not per record: target
 *   A may create `certs.d/` and target B put its own directory inside. Every
 *   undo offers to remove the created directories on its paths, innermost
 *   first, and a directory goes only when it is empty (so A's untrust keeps
 *   `certs.d/` while B needs it, and B's untrust removes it).
 * - `revision` increases on every transition; an undo plan remembers the
 *   revision it was built from and is refused if the journal moved since.
 * - `unfinishedCommands`: refresh commands of a committed run that did not
 *   finish (crash after commit); the next run re-runs them.
 */

export const JOURNAL_VERSION = 1;

/** The state of one node path at one moment. `content` is base64. */
export type PathState =
  | { type: "absent" }
  | { type: "file"; mode: number; uid: number; gid: number; sha256: string; content: string }
  | { type: "dir"; mode: number };

export interface PathChangeRecord {
  path: string;
  /** `regtrust`: a file regtrust owns; `edit`: a surgical edit; `dir`: a directory. */
  owner: "regtrust" | "edit" | "dir";
  before: PathState;
  after: PathState;
}

export interface AppliedRecord {
  /** The run id (also used for temp file names). */
  id: string;
  target: string;
  action: PlanAction;
  appliedAt: string;
  meta: Record<string, string>;
  changes: PathChangeRecord[];
  /** Shared-edit keys this record relies on. */
  claims: string[];
  commands: PlanCommand[];
  /** Null until the commands ran. */
  commandResults: CommandOutcome[] | null;
}

export interface SharedEdit {
  key: string;
  /** before = the file before the first regtrust edit; after = what regtrust last wrote. */
  change: PathChangeRecord;
}

export interface PendingRun {
  id: string;
  target: string;
  action: PlanAction;
  startedAt: string;
  pid: number;
  /** State of every path before the run, in the order they will be touched. */
  snapshots: { path: string; state: PathState }[];
}

export interface Journal {
  version: typeof JOURNAL_VERSION;
  revision: number;
  records: AppliedRecord[];
  shared: Record<string, SharedEdit>;
  createdDirs: string[];
  pending: PendingRun | null;
  unfinishedCommands: { runId: string; commands: PlanCommand[] } | null;
  /**
   * Restarts (or reloads) a committed run needed and did not run successfully,
   * one per unit, until a later run restarts that unit: node state that every
   * command reports (node/pending-restart.ts). Absent in journals written
   * before it existed (read as none).
   */
  restarts?: PendingRestartRecord[];
}

export interface PendingRestartRecord {
  unit: string;
  /** The command to run on the node, e.g. ["systemctl", "restart", "containerd"]. */
  argv: string[];
  reason: string;
  /** When the change that needs it was applied (ISO-8601). */
  since: string;
  target: string;
  runId: string;
  /** Node paths the run changed. */
  files: string[];
}

export function emptyJournal(): Journal {
  return {
    version: JOURNAL_VERSION,
    revision: 0,
    records: [],
    shared: {},
    createdDirs: [],
    pending: null,
    unfinishedCommands: null,
  };
}

export function withPending(journal: Journal, pending: PendingRun | null): Journal {
  return { ...journal, pending, revision: journal.revision + 1 };
}

/** What one committed run did, as apply.ts observed it. */
export interface CommittedRun {
  runId: string;
  target: string;
  action: PlanAction;
  appliedAt: string;
  meta: Record<string, string>;
  /** Changes that went into a record (not shared). */
  changes: PathChangeRecord[];
  /** Shared keys the plan claims, with the change written for it (null: already in place). */
  shared: { key: string; change: PathChangeRecord | null }[];
  commands: PlanCommand[];
  /** For undo plans: records and shared edits this run reversed. */
  undo?: { recordIds: string[]; releasedShared: string[] };
}

/** The commit transition: clears `pending` and records the run (see the module comment). */
export function commitRun(journal: Journal, run: CommittedRun): Journal {
  const next = run.undo ? commitUndo(journal, run, run.undo) : commitApply(journal, run);
  const unfinishedCommands = run.commands.length > 0 ? { runId: run.runId, commands: run.commands } : null;
  return { ...next, pending: null, unfinishedCommands, revision: journal.revision + 1 };
}

function commitApply(journal: Journal, run: CommittedRun): Journal {
  const shared = { ...journal.shared };
  for (const { key, change } of run.shared) {
    if (change === null) continue;
    const existing = shared[key];
    shared[key] = { key, change: existing ? { ...existing.change, after: change.after } : change };
  }
  const record: AppliedRecord = {
    id: run.runId,
    target: run.target,
    action: run.action,
    appliedAt: run.appliedAt,
    meta: run.meta,
    changes: run.changes,
    claims: [...new Set(run.shared.map((s) => s.key))],
    commands: run.commands,
    commandResults: null,
  };
  const created = run.changes
    .filter((c) => c.before.type === "absent" && c.after.type === "dir")
    .map((c) => c.path);
  const createdDirs = [...new Set([...journal.createdDirs, ...created])];
  return { ...journal, records: [...journal.records, record], shared, createdDirs };
}

function commitUndo(journal: Journal, run: CommittedRun, undo: NonNullable<CommittedRun["undo"]>): Journal {
  const removed = new Set(undo.recordIds);
  const shared = { ...journal.shared };
  for (const key of undo.releasedShared) delete shared[key];
  const gone = new Set(run.changes.filter((c) => c.after.type === "absent").map((c) => c.path));
  return {
    ...journal,
    records: journal.records.filter((r) => !removed.has(r.id)),
    shared,
    createdDirs: journal.createdDirs.filter((d) => !gone.has(d)),
  };
}

/** Records the outcome of a run's commands and marks them finished. */
export function withCommandResults(journal: Journal, runId: string, results: CommandOutcome[]): Journal {
  return {
    ...journal,
    records: journal.records.map((r) => (r.id === runId ? { ...r, commandResults: results } : r)),
    unfinishedCommands: null,
    revision: journal.revision + 1,
  };
}

export function recordsFor(journal: Journal, target: string): AppliedRecord[] {
  return journal.records.filter((r) => r.target === target);
}

/** Shared keys still claimed by records outside `excluded`. */
export function claimsOutside(journal: Journal, excluded: ReadonlySet<string>): Set<string> {
  return new Set(journal.records.filter((r) => !excluded.has(r.id)).flatMap((r) => r.claims));
}

/** A view without file contents, for `audit`, `diagnose` and `--json` output. */
export interface TargetSummary {
  target: string;
  records: {
    id: string;
    action: PlanAction;
    appliedAt: string;
    meta: Record<string, string>;
    created: string[];
    edited: string[];
  }[];
}

export function summarise(journal: Journal): TargetSummary[] {
  const targets = [...new Set(journal.records.map((r) => r.target))];
  return targets.map((target) => ({
    target,
    records: recordsFor(journal, target).map((r) => ({
      id: r.id,
      action: r.action,
      appliedAt: r.appliedAt,
      meta: r.meta,
      created: r.changes.filter((c) => c.before.type === "absent" && c.owner !== "dir").map((c) => c.path),
      edited: r.changes.filter((c) => c.before.type === "file").map((c) => c.path),
    })),
  }));
}

/** Targets with an `insecure` record whose `meta.expiresAt` is at or before `now`. */
export function expiredInsecureTargets(journal: Journal, now: Date): string[] {
  const expired = journal.records.filter(
    (r) =>
      r.action === "insecure" &&
      r.meta.expiresAt !== undefined &&
      Date.parse(r.meta.expiresAt) <= now.getTime(),
  );
  return [...new Set(expired.map((r) => r.target))];
}

/**
 * After a run's commands: a restart that ran successfully clears every pending
 * restart of its unit; one that did not (not requested, failed) becomes (or
 * refreshes) the unit's pending restart, dated now.
 */
export function withRestartOutcomes(
  journal: Journal,
  outcomes: readonly CommandOutcome[],
  run: { runId: string; target: string; at: Date; files: string[] },
): Journal {
  let restarts = [...(journal.restarts ?? [])];
  for (const outcome of outcomes.filter((o) => o.kind === "restart")) {
    const unit = outcome.planned.at(-1) ?? "";
    restarts = restarts.filter((r) => r.unit !== unit);
    if (outcome.status === "ok") continue;
    restarts.push({
      unit,
      argv: outcome.planned,
      reason: outcome.reason,
      since: run.at.toISOString(),
      target: run.target,
      runId: run.runId,
      files: run.files,
    });
  }
  return { ...journal, restarts };
}
