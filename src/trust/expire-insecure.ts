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
    lines.push(
      `removed the expired insecure override for ${target} (expired ${until}): put back ${files.join(", ")}` +
        (manual.length > 0 ? `; still to run: ${manual.join("; ")}` : ""),
    );
  }
  return lines;
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
