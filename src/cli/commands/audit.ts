import { auditExitCode, auditNode } from "../../audit/audit.ts";
import { toSarif } from "../../audit/sarif.ts";
import { systemClock } from "../../core/deps.ts";
import { UsageError } from "../../core/errors.ts";
import { assertRootDir } from "../../core/root-dir.ts";
import { VERSION } from "../../core/version.ts";
import { HostFs } from "../../node/host-fs.ts";
import { prepareYamlFor } from "../../node/yaml-parser.ts";
import { readJournalAt } from "../../plan/journal-store.ts";
import { parseRuntimeList } from "../common-options.ts";
import { type Io, wantsColor } from "../io.ts";
import { renderAuditText } from "../render/audit-text.ts";
import { makeStyle } from "../style.ts";

export interface AuditFlags {
  root: string;
  runtime?: string;
  json?: boolean;
  format?: string;
  strict?: boolean;
  expiringDays: string;
}

/** `regtrust audit`: read-only; exit 1 on errors (and on warnings with --strict). */
export async function runAudit(flags: AuditFlags, io: Io): Promise<number> {
  const format = flags.json ? "json" : (flags.format ?? "text");
  if (!["text", "json", "sarif"].includes(format))
    throw new UsageError(`--format must be text, json or sarif, got "${format}"`);
  if (!/^\d+$/.test(flags.expiringDays))
    throw new UsageError(`--expiring-days must be a whole number, got "${flags.expiringDays}"`);
  assertRootDir(flags.root);
  const runtimes = parseRuntimeList(flags.runtime);
  const journal = await readJournalAt(flags.root);
  const fs = new HostFs(flags.root);
  await prepareYamlFor(fs, runtimes);
  const report = auditNode(fs, {
    ...(runtimes ? { runtimes } : {}),
    now: systemClock.now(),
    expiringDays: Number(flags.expiringDays),
    journal,
  });
  if (format === "json") io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (format === "sarif") {
    const version = VERSION;
    io.stdout.write(`${JSON.stringify(toSarif(report, version), null, 2)}\n`);
  } else io.stdout.write(renderAuditText(report, makeStyle(wantsColor(io))));
  return auditExitCode(report, flags.strict ?? false);
}
