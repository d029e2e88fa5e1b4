import { lstat } from "node:fs/promises";
import { dirname } from "node:path";
import { errnoCode } from "./errors.ts";
import { atomicWrite, type FsOps, removeIfPresent, tempPathFor } from "./fs-ops.ts";
import type { Journal, PathState, PendingRun } from "./journal.ts";
import { withPending } from "./journal.ts";
import { type JournalLocation, writeJournal } from "./journal-store.ts";
import { capturePathState, stateBytes } from "./path-state.ts";
import { resolveUnderRoot } from "./safe-path.ts";

/**
 * Rolling a run back to the state recorded in its write-ahead entry
 * (journal.ts `pending`): after a failure inside apply, and at the start of
 * the next run after a crash. Idempotent: restoring a path that already has
 * its recorded state does nothing, so a crash during recovery is recovered by
 * the next run the same way.
 */

/** What a recovery did, for the operator ("an interrupted run was rolled back"). */
export interface RecoveryReport {
  runId: string;
  target: string;
  action: string;
  startedAt: string;
  /** Node paths that were put back. */
  restored: string[];
  /** Node paths that could not be put back exactly (e.g. a directory someone filled since). */
  leftAlone: string[];
}

/** Puts every snapshot path back, last touched first. */
export async function restoreSnapshots(
  root: string,
  pending: PendingRun,
  ops: FsOps,
): Promise<Pick<RecoveryReport, "restored" | "leftAlone">> {
  const restored: string[] = [];
  const leftAlone: string[] = [];
  for (const { path, state } of [...pending.snapshots].reverse()) {
    const outcome = await restorePath(root, path, state, pending.id, ops);
    if (outcome === "restored") restored.push(path);
    if (outcome === "left-alone") leftAlone.push(path);
  }
  return { restored, leftAlone };
}

type RestoreOutcome = "unchanged" | "restored" | "left-alone";

async function restorePath(
  root: string,
  path: string,
  state: PathState,
  runId: string,
  ops: FsOps,
): Promise<RestoreOutcome> {
  const resolved = await resolveUnderRoot(root, path, state.type === "dir" ? "follow" : "no-symlink");
  if (resolved.missingDirs.length === 0) {
    await removeTemp(ops, tempPathFor(resolved.hostPath, runId));
    await removeTemp(ops, tempPathFor(resolved.hostPath, `restore-${runId}`));
  }
  const current = await capturePathState(resolved.hostPath, resolved.stat, path);
  switch (state.type) {
    case "file":
      if (current.type === "file" && current.sha256 === state.sha256 && current.mode === state.mode)
        return "unchanged";
      if (current.type === "dir") return "left-alone";
      await atomicWrite(ops, resolved.hostPath, stateBytes(state), state.mode, `restore-${runId}`, {
        owner: { uid: state.uid, gid: state.gid },
      });
      return "restored";
    case "dir":
      if (current.type !== "absent") return "unchanged";
      await ops.mkdir(resolved.hostPath, state.mode);
      return "restored";
    case "absent":
      return removeCurrent(resolved.hostPath, current, ops);
  }
}

async function removeCurrent(hostPath: string, current: PathState, ops: FsOps): Promise<RestoreOutcome> {
  if (current.type === "absent") return "unchanged";
  if (current.type === "file") {
    await ops.unlink(hostPath);
    await ops.syncDir(dirname(hostPath));
    return "restored";
  }
  try {
    await ops.rmdir(hostPath);
    return "restored";
  } catch (error) {
    if (errnoCode(error) === "ENOTEMPTY" || errnoCode(error) === "EEXIST") return "left-alone";
    throw error;
  }
}

/** Removes a leftover temp file. Looks first: on a read-only filesystem even unlinking a missing file fails. */
async function removeTemp(ops: FsOps, temp: string): Promise<void> {
  try {
    await lstat(temp);
  } catch {
    return;
  }
  await removeIfPresent(ops, temp);
}

/**
 * If the journal holds an interrupted run, rolls it back and clears it.
 * Must be called with the lock held. Returns the new journal and a report
 * (null when there was nothing to recover).
 */
export async function recoverPending(
  root: string,
  location: JournalLocation,
  journal: Journal,
  ops: FsOps,
): Promise<{ journal: Journal; report: RecoveryReport | null }> {
  const pending = journal.pending;
  if (pending === null) return { journal, report: null };
  const { restored, leftAlone } = await restoreSnapshots(root, pending, ops);
  const next = await writeJournal(location, withPending(journal, null), ops, `recover-${pending.id}`);
  const report: RecoveryReport = {
    runId: pending.id,
    target: pending.target,
    action: pending.action,
    startedAt: pending.startedAt,
    restored,
    leftAlone,
  };
  return { journal: next, report };
}
