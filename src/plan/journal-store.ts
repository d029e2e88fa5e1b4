import { join } from "node:path";
import { HostFs, HostFsError } from "../node/host-fs.ts";
import { classifyFsError, describeFailure, PlanApplyError, shortErrno } from "./errors.ts";
import { atomicWrite, type FsOps } from "./fs-ops.ts";
import { emptyJournal, type Journal } from "./journal.ts";
import { checkJournal, JournalRefusal } from "./journal-check.ts";
import { resolveUnderRoot } from "./safe-path.ts";

/** Where regtrust keeps its state on the node. */
export const DEFAULT_JOURNAL_DIR = "/var/lib/regtrust";

/** The journal directory, resolved under the root (safe-path.ts rules apply to it too). */
export interface JournalLocation {
  /** The node root the journal belongs to. */
  root: string;
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
  return {
    root,
    dir,
    file: join(dir, "journal.json"),
    lock: join(dir, "lock"),
    nodeDir: resolved.nodePath,
  };
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

/**
 * The journal holds file contents (base64) of the configs and CA files
 * regtrust changed; a real one is kilobytes to a few megabytes.
 */
export const MAX_JOURNAL_BYTES = 64 * 1024 * 1024;

/**
 * Reads the journal; a missing file is an empty journal. Anything else that
 * is not a journal regtrust wrote (a FIFO, device, directory or symlink in
 * its place, an oversized file, bad JSON, a foreign version, a run id or path
 * that is not regtrust's) is refused naming the file (JournalRefusal, exit 2),
 * never reset silently and never followed. Read through HostFs: regular file
 * only, opened without blocking, size-capped, no final symlink.
 */
export async function readJournal(location: JournalLocation): Promise<Journal> {
  const nodeFile = `${location.nodeDir === "/" ? "" : location.nodeDir}/journal.json`;
  let bytes: Buffer | null;
  try {
    bytes = new HostFs(location.root).readFile(nodeFile, {
      maxBytes: MAX_JOURNAL_BYTES,
      finalSymlink: "refuse",
    });
  } catch (error) {
    if (!(error instanceof HostFsError)) throw error;
    const why = error.message.slice(error.nodePath.length + 2);
    throw new JournalRefusal(
      `refusing regtrust's journal ${location.file}: ${why}. Nothing was changed. regtrust writes only a regular file there: ` +
        "find out what replaced it, then move it aside (regtrust then starts a new journal and cannot undo earlier changes)",
    );
  }
  if (bytes === null) return emptyJournal();
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new JournalRefusal(
      `${location.file} is not valid JSON; nothing was changed. Move it aside to let regtrust start a new journal (undo history is lost)`,
    );
  }
  return checkJournal(parsed, location.file);
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
