import type { DiagnoseResult } from "../../diagnose/result.ts";
import { firstErrorCode, type ScanOutcome } from "../../scan/scan.ts";
import { makeStyle, type Style } from "../style.ts";
import { renderColumns } from "./columns.ts";

type Verdict = "ok" | "WARN" | "FAIL";

/**
 * The text summary of a scan: one row per registry, then a count line.
 * Plain columns padded with spaces so the table survives `| column`/grep.
 * A registry that pulls but has warnings (the OS store fails, a runtime skips
 * verification, a restart is pending) is WARN with the warnings' codes: "ok"
 * means nothing to look at. Colour only on a terminal (the caller's Style).
 */
export function renderScanSummary(outcomes: readonly ScanOutcome[], style: Style = makeStyle(false)): string {
  const rows = outcomes.map(({ result, ms }) => {
    const { verdict, codes } = verdictOf(result);
    return [result.target.registry, verdict, codes, String(ms)];
  });
  const paint: Record<Verdict, (s: string) => string> = {
    ok: style.green,
    WARN: style.yellow,
    FAIL: style.red,
  };
  const lines = renderColumns(["REGISTRY", "VERDICT", "FINDING", "MS"], rows, [3], (cell, row, column) =>
    column === 1 ? paintWord(cell, paint[rows[row]?.[1] as Verdict]) : cell,
  );
  const count = (v: Verdict) => rows.filter((r) => r[1] === v).length;
  const n = outcomes.length;
  const warned = count("WARN") > 0 ? `, ${count("WARN")} with warnings` : "";
  const summary = `${n} registr${n === 1 ? "y" : "ies"} scanned: ${count("ok")} ok${warned}, ${count("FAIL")} failing`;
  return `${lines.join("\n")}\n${summary}\n`;
}

function verdictOf(result: DiagnoseResult): { verdict: Verdict; codes: string } {
  const error = firstErrorCode(result);
  if (error !== null || result.ok === false) return { verdict: "FAIL", codes: error ?? "-" };
  const warnings = [...new Set(result.findings.filter((f) => f.severity === "warning").map((f) => f.code))];
  return warnings.length > 0 ? { verdict: "WARN", codes: warnings.join(",") } : { verdict: "ok", codes: "-" };
}

/** Colours the word, not the padding after it. */
function paintWord(cell: string, paint: (s: string) => string): string {
  const word = cell.trimEnd();
  return paint(word) + cell.slice(word.length);
}
