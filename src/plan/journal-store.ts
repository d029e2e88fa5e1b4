import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { classifyFsError, describeFailure, errnoCode, PlanApplyError, shortErrno } from "./errors.ts";
import { atomicWrite, type FsOps } from "./fs-ops.ts";
import { emptyJournal, JOURNAL_VERSION, type Journal } from "./journal.ts";
import { resolveUnderRoot } from "./safe-path.ts";

/** Where regtrust keeps its state on the node. */
export const DEFAULT_JOURNAL_DIR = "/var/lib/regtrust";

/** The journal directory, resolved under the root (safe-path.ts rules apply to it too). */
export interface JournalLocation {
  /** Host path of the journal directory. */
  dir: string;
  /** Host path of journal.json. */
  file: string;
  /** Host path of the lock file. */
  lock: string;
  /** Node-absolute journal directory, for messages. */
  nodeDir: string;
}

/**
 * Resolves the journal directory; with `create`, makes it (mode 0700, parents
 * 0755). Creating it is the one write outside a plan: it is regtrust's own
 * state directory.
 */
export async function locateJournal(
  root: string,
  journalDir: string,
  opts: { create: false } | { create: true; ops: FsOps },
): Promise<JournalLocation> {
  let resolved = await resolveUnderRoot(root, journalDir, "follow");
  if (resolved.stat === null && opts.create) {
    for (const dir of [...resolved.missingDirs, resolved.nodePath]) {
      const { hostPath, stat } = await resolveUnderRoot(root, dir, "follow");
      if (stat === null) await makeJournalDir(opts.ops, hostPath, dir === resolved.nodePath ? 0o700 : 0o755);
    }
    resolved = await resolveUnderRoot(root, journalDir, "follow");
  }
  if (resolved.stat !== null && !resolved.stat.isDirectory()) {
    throw new PlanApplyError(
      "journal",
      `journal directory ${journalDir} is not a directory`,
      journalDir,
      true,
    );
  }
  const dir = resolved.hostPath;
  return { dir, file: join(dir, "journal.json"), lock: join(dir, "lock"), nodeDir: resolved.nodePath };
}

async function makeJournalDir(ops: FsOps, hostPath: string, mode: number): Promise<void> {
  try {
    await ops.mkdir(hostPath, mode);
  } catch (error) {
    const failure = classifyFsError(error);
    const message = `cannot create regtrust's directory ${hostPath}: ${describeFailure(failure)} (${shortErrno(error)}); nothing was changed`;
    throw new PlanApplyError(failure, message, hostPath, true, { cause: error });
  }
}

/** Reads the journal; a missing file is an empty journal. A corrupt one is an error, never reset silently. */
export async function readJournal(location: JournalLocation): Promise<Journal> {
  let text: string;
  try {
    text = await readFile(location.file, "utf8");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return emptyJournal();
    throw new PlanApplyError(
      "journal",
      `cannot read ${location.file}: ${String(error)}`,
      location.file,
      true,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new PlanApplyError(
      "journal",
      `${location.file} is not valid JSON; move it aside to let regtrust start a new journal (undo history is lost)`,
      location.file,
      true,
    );
  }
  return checkVersion(parsed, location.file);
}

function checkVersion(parsed: unknown, file: string): Journal {
  const version = (parsed as { version?: unknown } | null)?.version;
  if (version !== JOURNAL_VERSION) {
    throw new PlanApplyError(
      "journal",
      `${file} has version ${String(version)}; this regtrust understands version ${JOURNAL_VERSION}`,
      file,
      true,
    );
  }
  return parsed as Journal;
}

/** The journal of the node at `root`, read-only (audit, diagnose, expiry checks). */
export async function readJournalAt(root: string, journalDir = DEFAULT_JOURNAL_DIR): Promise<Journal> {
  return readJournal(await locateJournal(root, journalDir, { create: false }));
}

/** Replaces the journal atomically and durably; returns what was written. */
export async function writeJournal(
  location: JournalLocation,
  journal: Journal,
  ops: FsOps,
  runId: string,
): Promise<Journal> {
  const bytes = Buffer.from(`${JSON.stringify(journal, null, 1)}\n`, "utf8");
  try {
    await atomicWrite(ops, location.file, bytes, 0o600, `journal-${runId}`);
  } catch (error) {
    const failure = classifyFsError(error);
    const message = `cannot write the journal ${location.file}: ${describeFailure(failure)} (${shortErrno(error)})`;
    throw new PlanApplyError(failure, message, location.file, false, { cause: error });
  }
  return journal;
}
