import { firstErrorCode, type ScanOutcome } from "../../scan/scan.ts";
import { renderColumns } from "./columns.ts";

/**
 * The text summary of a scan: one row per registry, then a count line.
 * Plain columns padded with spaces so the table survives `| column`/grep.
 */
export function renderScanSummary(outcomes: readonly ScanOutcome[]): string {
  const rows = outcomes.map(({ result, ms }) => {
    const code = firstErrorCode(result);
    return [result.target.registry, code === null ? "ok" : "FAIL", code ?? "-", String(ms)];
  });
  const lines = renderColumns(["REGISTRY", "VERDICT", "FINDING", "MS"], rows, [3]);
  const failed = rows.filter((r) => r[1] === "FAIL").length;
  const count = `${outcomes.length} registr${outcomes.length === 1 ? "y" : "ies"} scanned: ${outcomes.length - failed} ok, ${failed} failing`;
  return `${lines.join("\n")}\n${count}\n`;
}
