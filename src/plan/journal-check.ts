import { InputError } from "../core/errors.ts";
import { isPlannedRefresh } from "../node/system/system-store.ts";
import { JOURNAL_VERSION, type Journal } from "./journal.ts";
import { checkNodePath } from "./safe-path.ts";

/**
 * Checking a journal read from disk before any of it is used. The journal
 * names paths regtrust will restore or delete and run ids that become parts
 * of temp file names (fs-ops.ts tempPathFor), so a tampered or damaged one
 * must be refused as a whole, naming the file and the field, instead of
 * steering a write (issue #23: `pending.id = "x/../../victim"` made recovery
 * delete `<outside>/victim.tmp`). Paths get the same syntax checks as every
 * node path (safe-path.ts checkNodePath) and are resolved under the root
 * again where they are used.
 */

/** What apply.ts newRunId makes: compact ISO time (ms) + 8 hex digits, e.g. 20261206T123608123Z-0a1b2c3d. */
export const RUN_ID_PATTERN = /^\d{8}T\d{9}Z-[0-9a-f]{8}$/;

export function isRunId(value: unknown): value is string {
  return typeof value === "string" && RUN_ID_PATTERN.test(value);
}

/** A journal that cannot be used safely. Bad input (exit 2): nothing was changed. */
export class JournalRefusal extends InputError {
  override name = "JournalRefusal";
}

/** Throws JournalRefusal naming `file` and the first bad field; returns the journal unchanged. */
export function checkJournal(parsed: unknown, file: string): Journal {
  const version = field(parsed, "version");
  if (version !== JOURNAL_VERSION) {
    throw new JournalRefusal(
      `${file} has version ${String(version)}; this regtrust understands version ${JOURNAL_VERSION}`,
    );
  }
  const bad = (where: string, why: string) => refusal(file, where, why);
  const j = parsed as Journal;
  if (!Number.isSafeInteger(j.revision)) throw bad("revision", "not an integer");
  for (const [i, r] of checkArray(j.records, "records", bad).entries()) checkRecord(r, `records[${i}]`, bad);
  if (!isObject(j.shared)) throw bad("shared", "not an object");
  for (const [key, edit] of Object.entries(j.shared))
    checkChange(field(edit, "change"), `shared.${key}`, bad);
  for (const [i, p] of checkArray(j.createdDirs, "createdDirs", bad).entries())
    checkPath(p, `createdDirs[${i}]`, bad);
  if (j.pending !== null) checkPending(j.pending, bad);
  if (j.unfinishedCommands !== null) {
    const u = j.unfinishedCommands;
    checkRunId(field(u, "runId"), "unfinishedCommands.runId", bad);
    checkCommands(field(u, "commands"), "unfinishedCommands.commands", bad);
  }
  return j;
}

type Bad = (where: string, why: string) => JournalRefusal;

function refusal(file: string, where: string, why: string): JournalRefusal {
  return new JournalRefusal(
    `refusing regtrust's journal ${file}: ${where} ${why}, which regtrust never writes. Nothing was changed. ` +
      "Restore it from a backup, or move it aside to start a new journal (regtrust then cannot undo earlier changes)",
  );
}

function checkRecord(record: unknown, where: string, bad: Bad): void {
  checkRunId(field(record, "id"), `${where}.id`, bad);
  if (typeof field(record, "target") !== "string") throw bad(`${where}.target`, "is not a string");
  for (const [i, c] of checkArray(field(record, "changes"), `${where}.changes`, bad).entries())
    checkChange(c, `${where}.changes[${i}]`, bad);
  checkArray(field(record, "claims"), `${where}.claims`, bad);
  checkCommands(field(record, "commands"), `${where}.commands`, bad);
}

function checkPending(pending: unknown, bad: Bad): void {
  checkRunId(field(pending, "id"), "pending.id", bad);
  for (const [i, s] of checkArray(field(pending, "snapshots"), "pending.snapshots", bad).entries()) {
    checkPath(field(s, "path"), `pending.snapshots[${i}].path`, bad);
    checkState(field(s, "state"), `pending.snapshots[${i}].state`, bad);
  }
}

function checkChange(change: unknown, where: string, bad: Bad): void {
  checkPath(field(change, "path"), `${where}.path`, bad);
  checkState(field(change, "before"), `${where}.before`, bad);
  checkState(field(change, "after"), `${where}.after`, bad);
}

function checkState(state: unknown, where: string, bad: Bad): void {
  const type = field(state, "type");
  if (type === "absent") return;
  if (!Number.isInteger(field(state, "mode"))) throw bad(`${where}.mode`, "is not a file mode");
  if (type === "dir") return;
  if (type !== "file") throw bad(`${where}.type`, `is ${JSON.stringify(type)}, not absent, file or dir`);
  if (!/^[0-9a-f]{64}$/.test(String(field(state, "sha256"))))
    throw bad(`${where}.sha256`, "is not a SHA-256");
  if (typeof field(state, "content") !== "string") throw bad(`${where}.content`, "is not base64 text");
  if (!Number.isInteger(field(state, "uid")) || !Number.isInteger(field(state, "gid")))
    throw bad(`${where}.uid/gid`, "are not integers");
}

/**
 * Commands are re-run by the next apply (unfinished refreshes) and by undo,
 * as root: only the ones regtrust plans pass — an OS store refresh
 * (node/system/system-store.ts) or `systemctl restart|reload <unit>` (plan.ts, node/docker/plan-trust.ts).
 */
function checkCommands(commands: unknown, where: string, bad: Bad): void {
  for (const [i, c] of checkArray(commands, where, bad).entries()) {
    for (const key of ["argv", "undoArgv"]) {
      const argv = field(c, key);
      if (argv === undefined && key === "undoArgv") continue;
      if (!Array.isArray(argv) || !argv.every((a) => typeof a === "string"))
        throw bad(`${where}[${i}].${key}`, "is not a list of strings");
      if (!isPlannedRefresh(argv) && !isServiceCommand(argv))
        throw bad(`${where}[${i}].${key}`, `${shown(argv)} is not a command regtrust runs`);
    }
  }
}

const UNIT = /^[A-Za-z0-9][A-Za-z0-9@._-]{0,100}$/;

function isServiceCommand(argv: readonly string[]): boolean {
  return (
    argv.length === 3 &&
    argv[0] === "systemctl" &&
    (argv[1] === "restart" || argv[1] === "reload") &&
    UNIT.test(argv[2] ?? "")
  );
}

function checkRunId(value: unknown, where: string, bad: Bad): void {
  if (!isRunId(value)) throw bad(where, `${shown(value)} is not a regtrust run id`);
}

function checkPath(value: unknown, where: string, bad: Bad): void {
  if (typeof value !== "string") throw bad(where, "is not a path");
  try {
    checkNodePath(value);
  } catch {
    throw bad(where, `${shown(value)} is not a clean node-absolute path`);
  }
}

function checkArray(value: unknown, where: string, bad: Bad): unknown[] {
  if (!Array.isArray(value)) throw bad(where, "is not a list");
  return value;
}

function field(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
