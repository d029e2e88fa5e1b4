import type { Exec } from "../core/deps.ts";
import { applyPlan } from "../plan/apply.ts";
import { expiredInsecureTargets } from "../plan/journal.ts";
import { readJournalAt } from "../plan/journal-store.ts";
import { undoPlanFor } from "../plan/undo.ts";

export interface ExpiryOptions {
  root: string;
  now: Date;
  exec: Exec;
  restart: boolean;
  dryRun: boolean;
}

/**
 * Insecure mode always expires (docs/principles.md): every trust/untrust/insecure run
 * first reverses the `insecure` records whose expiry has passed, for every
 * target, and says so. A dry run only says what the real run will remove.
 * Returns one line per target for the operator.
 */
export async function removeExpiredInsecure(opts: ExpiryOptions): Promise<string[]> {
  const journal = await readJournalAt(opts.root);
  const expired = expiredInsecureTargets(journal, opts.now);
  const lines: string[] = [];
  for (const target of expired) {
    const until = journal.records
      .filter((r) => r.target === target && r.action === "insecure")
      .map((r) => r.meta.expiresAt)
      .join(", ");
    if (opts.dryRun) {
      lines.push(`the expired insecure override for ${target} (expired ${until}) will be removed first`);
      continue;
    }
    lines.push(
      await undoInsecureRecords(
        target,
        `the expired insecure override for ${target} (expired ${until})`,
        opts,
      ),
    );
  }
  return lines;
}

/** Reverses the `insecure` records of one target through the journal (undo.ts); one line saying what was put back. */
async function undoInsecureRecords(target: string, what: string, opts: ExpiryOptions): Promise<string> {
  const plan = await undoPlanFor(target, opts.root, { only: "insecure" });
  const result = await applyPlan(plan, {
    root: opts.root,
    exec: opts.exec,
    restart: opts.restart,
    now: () => opts.now,
  });
  const manual = result.commands.filter((c) => c.manual !== null).map((c) => c.manual);
  const files = result.effects
    .filter((e) => e.done && (e.op === "write" || e.op === "delete"))
    .map((e) => e.path);
  return (
    `removed ${what}: put back ${files.join(", ")}` +
    (manual.length > 0 ? `; still to run: ${manual.join("; ")}` : "")
  );
}

/**
 * `trust --remove-insecure`: an override regtrust itself set (not expired yet)
 * is reversed through its journal record, so the record and the file agree;
 * hand-written overrides are then removed by the trust plan.
 */
export async function removeOwnInsecure(target: string, opts: ExpiryOptions): Promise<string[]> {
  const journal = await readJournalAt(opts.root);
  if (!journal.records.some((r) => r.target === target && r.action === "insecure")) return [];
  if (opts.dryRun) return [`regtrust's insecure override for ${target} will be removed first`];
  return [await undoInsecureRecords(target, `regtrust's insecure override for ${target}`, opts)];
}

/**
 * The preamble trust, untrust and insecure share: expired overrides are
 * removed first, and each removal is said on stderr. Returns what was said
 * (the report's `expiredRemoved`).
 */
export async function removeExpiredInsecureLoudly(
  opts: ExpiryOptions,
  warn: (line: string) => void,
): Promise<string[]> {
  const removed = await removeExpiredInsecure(opts);
  for (const line of removed) warn(`regtrust: ${line}`);
  return removed;
}
