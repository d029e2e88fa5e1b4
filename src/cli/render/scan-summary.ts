import type { ScanTally } from "../../scan/scan-tally.ts";
import { renderColumns } from "./columns.ts";

/**
 * The text summary of a scan: one row per registry, then a count line from
 * the tally's counters. Plain columns padded with spaces so the table
 * survives `| column`/grep.
 */
export function renderScanSummary(tally: Pick<ScanTally, "rows" | "total" | "failed">): string {
  const rows = tally.rows.map(({ registry, code, ms }) => [
    registry,
    code === null ? "ok" : "FAIL",
    code ?? "-",
    String(ms),
  ]);
  const lines = renderColumns(["REGISTRY", "VERDICT", "FINDING", "MS"], rows, [3]);
  const ok = tally.total - tally.failed;
  const count = `${tally.total} registr${tally.total === 1 ? "y" : "ies"} scanned: ${ok} ok, ${tally.failed} failing`;
  return `${lines.join("\n")}\n${count}\n`;
}
