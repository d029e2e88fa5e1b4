import type { DiagnoseResult } from "../diagnose/result.ts";
import type { ScanOutcome } from "./scan.ts";

/**
 * What a scan keeps once a target's result has been written: counters, and
 * for the text summary one short row per target (registry, first error code,
 * milliseconds; about 100 bytes) — never the DiagnoseResult itself, which
 * holds the presented chain, findings and evidence (about 7 KB a target;
 * issue #23: 60,000 targets held 576 MB until the end). `--json` keeps no rows.
 */
export interface SummaryRow {
  registry: string;
  /** The first error finding's code; null when the target is ok. */
  code: string | null;
  ms: number;
}

export class ScanTally {
  total = 0;
  failed = 0;
  readonly rows: SummaryRow[] = [];

  constructor(private readonly keepRows: boolean) {}

  add(outcome: ScanOutcome): void {
    const code = firstErrorCode(outcome.result);
    this.total++;
    if (code !== null) this.failed++;
    // Copies of primitives only: no reference into the result survives.
    if (this.keepRows) this.rows.push({ registry: outcome.result.target.registry, code, ms: outcome.ms });
  }
}

/** The first error-severity finding's code: what the summary shows and what makes a target fail. */
export function firstErrorCode(result: DiagnoseResult): string | null {
  return result.findings.find((f) => f.severity === "error")?.code ?? null;
}
