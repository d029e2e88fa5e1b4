import type { DiagnoseResult } from "../diagnose/result.ts";
import type { ScanOutcome } from "./scan-outcome.ts";

/** ok: nothing to look at; WARN: pulls work but a warning stands (issue #17 item 6); FAIL: pulls fail. */
export type ScanVerdict = "ok" | "WARN" | "FAIL";

/**
 * What a scan keeps once a target's result has been written: counters, and
 * for the text summary one short row per target (registry, verdict, codes,
 * milliseconds; about 100 bytes) — never the DiagnoseResult itself, which
 * holds the presented chain, findings and evidence (about 7 KB a target;
 * issue #23: 60,000 targets held 576 MB until the end). `--json` keeps no rows.
 */
export interface SummaryRow {
  registry: string;
  verdict: ScanVerdict;
  /** FAIL: the first error finding's code; WARN: the warnings' codes, comma-separated; ok: "-". */
  codes: string;
  ms: number;
}

export class ScanTally {
  total = 0;
  failed = 0;
  warned = 0;
  readonly rows: SummaryRow[] = [];

  constructor(private readonly keepRows: boolean) {}

  add(outcome: ScanOutcome): void {
    const { verdict, codes } = scanVerdictOf(outcome.result);
    this.total++;
    if (verdict === "FAIL") this.failed++;
    if (verdict === "WARN") this.warned++;
    // Copies of primitives only: no reference into the result survives.
    if (this.keepRows)
      this.rows.push({ registry: outcome.result.target.registry, verdict, codes, ms: outcome.ms });
  }
}

/** The first error-severity finding's code: what the summary shows and what makes a target fail. */
export function firstErrorCode(result: DiagnoseResult): string | null {
  return result.findings.find((f) => f.severity === "error")?.code ?? null;
}

/**
 * A registry that pulls but has warnings (the OS store fails, a runtime skips
 * verification, a restart is pending) is WARN with the warnings' codes, so
 * "ok" means there is nothing to look at.
 */
export function scanVerdictOf(result: DiagnoseResult): { verdict: ScanVerdict; codes: string } {
  const error = firstErrorCode(result);
  if (error !== null || result.ok === false) return { verdict: "FAIL", codes: error ?? "-" };
  const warnings = [...new Set(result.findings.filter((f) => f.severity === "warning").map((f) => f.code))];
  return warnings.length > 0 ? { verdict: "WARN", codes: warnings.join(",") } : { verdict: "ok", codes: "-" };
}
