import { dirname } from "node:path";
import { recoverInterrupted } from "./apply.ts";
import { PlanApplyError, UndoConflictError } from "./errors.ts";
import type { FsOps } from "./fs-ops.ts";
import {
  type AppliedRecord,
  claimsOutside,
  type Journal,
  type PathChangeRecord,
  type PathState,
} from "./journal.ts";
import { DEFAULT_JOURNAL_DIR, locateJournal, readJournal } from "./journal-store.ts";
import { capturePathState, describeState, fileState, sameContent, stateBytes } from "./path-state.ts";
import { type FileChange, newPlan, type Plan, type PlanAction, type PlanCommand, sameArgv } from "./plan.ts";
import { reverseEdit } from "./reverse-edit.ts";
import { resolveUnderRoot } from "./safe-path.ts";

/**
 * Building the plan that reverses what regtrust did for one target (see the
 * design in journal.ts). The result is an ordinary Plan, previewed and
 * applied like any other; it carries `undo` so that applying it removes the
 * records it reverses.
 */

export interface UndoOptions {
  journalDir?: string;
  /** Reverse only records of this action (expired `insecure` settings); default all of the target's. */
  only?: PlanAction;
  /** Put files back to their recorded content even where someone changed them since. */
  force?: boolean;
  /** Roll back an interrupted run first (default). `false` (dry runs): refuse instead of writing. */
  recover?: boolean;
  fsOps?: FsOps;
}

export async function undoPlanFor(target: string, root: string, opts: UndoOptions = {}): Promise<Plan> {
  const { journal, notes } = await loadJournal(root, opts);
  const records = journal.records.filter(
    (r) => r.target === target && (!opts.only || r.action === opts.only),
  );
  const selected = new Set(records.map((r) => r.id));
  const remainingClaims = claimsOutside(journal, selected);
  const released = [...new Set(records.flatMap((r) => r.claims))].filter(
    (key) => !remainingClaims.has(key) && journal.shared[key] !== undefined,
  );
  const sim = new Simulation(root, target, opts.force ?? false);
  for (const record of [...records].reverse()) {
    for (const change of [...record.changes].reverse()) await sim.reverse(change);
  }
  for (const key of released) await sim.reverse(journal.shared[key]!.change);
  const plan = newPlan(target, "untrust", {
    changes: sim.changes(createdDirsOnPaths(journal, records)),
    commands: undoCommands(records),
    notes: [...notes, ...sim.notes],
    undo: {
      recordIds: records.map((r) => r.id),
      releasedShared: released,
      journalRevision: journal.revision,
    },
  });
  if (records.length === 0) plan.notes.push(`regtrust has no record of changes for ${target} on this node`);
  return plan;
}

async function loadJournal(root: string, opts: UndoOptions): Promise<{ journal: Journal; notes: string[] }> {
  const journalDir = opts.journalDir ?? DEFAULT_JOURNAL_DIR;
  const fsOps = opts.fsOps ? { fsOps: opts.fsOps } : {};
  const location = await locateJournal(root, journalDir, { create: false });
  const journal = await readJournal(location);
  if (journal.pending === null) return { journal, notes: [] };
  if (opts.recover === false) {
    throw new PlanApplyError(
      "journal",
      `an interrupted regtrust run (${journal.pending.action} ${journal.pending.target}) must be rolled back first; run the command without --dry-run`,
      location.file,
      true,
    );
  }
  const report = await recoverInterrupted({ root, journalDir, ...fsOps });
  const notes = report
    ? [`an interrupted ${report.action} of ${report.target} (${report.startedAt}) was rolled back first`]
    : [];
  return { journal: await readJournal(location), notes };
}

/** Directories regtrust created (any target) on the paths of these records; removed if empty, innermost first. */
function createdDirsOnPaths(journal: Journal, records: readonly AppliedRecord[]): string[] {
  const onPaths = new Set<string>();
  for (const change of records.flatMap((r) => r.changes)) {
    for (let dir = change.path; dir !== "/"; dir = dirname(dir)) onPaths.add(dir);
  }
  return journal.createdDirs.filter((d) => onPaths.has(d)).sort((a, b) => b.length - a.length);
}

/** Refresh commands re-run (their undo form), then restarts; each once. */
function undoCommands(records: readonly AppliedRecord[]): PlanCommand[] {
  const commands: PlanCommand[] = [];
  const all = records.flatMap((r) => r.commands);
  const ordered = [...all.filter((c) => c.kind === "refresh"), ...all.filter((c) => c.kind === "restart")];
  for (const command of ordered) {
    const argv = command.undoArgv ?? command.argv;
    if (!commands.some((c) => sameArgv(c.argv, argv))) commands.push({ ...command, argv });
  }
  return commands;
}

/** The files as they will be after the undo, computed from the current ones record by record. */
class Simulation {
  readonly notes: string[] = [];
  private readonly initial = new Map<string, PathState>();
  private readonly state = new Map<string, PathState>();
  private readonly owners = new Map<string, PathChangeRecord["owner"]>();

  constructor(
    private readonly root: string,
    private readonly target: string,
    private readonly force: boolean,
  ) {}

  async reverse(change: PathChangeRecord): Promise<void> {
    if (change.owner === "dir") return;
    const current = await this.current(change.path);
    this.owners.set(change.path, change.owner);
    this.state.set(change.path, this.reverseOne(change, current));
  }

  private reverseOne(change: PathChangeRecord, current: PathState): PathState {
    if (sameContent(current, change.after)) return change.before;
    if (sameContent(current, change.before)) return current;
    if (change.before.type === "file" && change.after.type === "file" && current.type === "file") {
      const merged = reverseEdit(stateBytes(change.after), stateBytes(change.before), stateBytes(current));
      if (merged !== null) {
        this.notes.push(
          `${change.path} was changed since regtrust edited it; only regtrust's edit is reversed`,
        );
        return fileState(merged, current.mode, current.uid, current.gid);
      }
    }
    if (this.force) {
      this.notes.push(
        `${change.path} was changed since regtrust wrote it; --force puts back ${describeState(change.before)}`,
      );
      return change.before;
    }
    throw new UndoConflictError(
      `cannot undo regtrust's change to ${change.path} for ${this.target}: it is now ${describeState(current)}, ` +
        `regtrust left it as ${describeState(change.after)} and cannot find its own edit in it; ` +
        `fix the file by hand or re-run with --force to put back ${describeState(change.before)}`,
    );
  }

  private async current(path: string): Promise<PathState> {
    const known = this.state.get(path);
    if (known) return known;
    const resolved = await resolveUnderRoot(this.root, path, "no-symlink");
    const state = await capturePathState(resolved.hostPath, resolved.stat, path);
    this.initial.set(path, state);
    return state;
  }

  /** Plan changes turning the initial files into the simulated ones, then the directory removals. */
  changes(dirsToRemove: readonly string[]): FileChange[] {
    const writes: FileChange[] = [];
    const deletes: FileChange[] = [];
    for (const [path, final] of this.state) {
      const initial = this.initial.get(path)!;
      if (sameContent(initial, final)) continue;
      const expectSha256 = initial.type === "file" ? initial.sha256 : null;
      const reason = `undo regtrust's change for ${this.target}`;
      if (final.type === "file") {
        const owner = this.owners.get(path) === "regtrust" ? "regtrust" : "edit";
        writes.push({
          kind: "write",
          path,
          content: stateBytes(final),
          mode: final.mode,
          owner,
          reason,
          expectSha256,
        });
      } else if (initial.type === "file") {
        deletes.push({ kind: "delete", path, reason, expectSha256: initial.sha256 });
      }
    }
    const rmdirs = dirsToRemove.map(
      (path): FileChange => ({ kind: "rmdir", path, reason: "created by regtrust" }),
    );
    return [...writes, ...deletes, ...rmdirs];
  }
}
