import type { ScanTally, ScanVerdict } from "../../scan/scan-tally.ts";
import { makeStyle, type Style } from "../style.ts";
import { renderColumns } from "./columns.ts";

/**
 * The text summary of a scan: one row per registry, then a count line from
 * the tally's counters. Plain columns padded with spaces so the table
 * survives `| column`/grep. WARN rows carry the warnings' codes
 * (scan-tally.ts scanVerdictOf). Colour only on a terminal (the caller's Style).
 */
export function renderScanSummary(
  tally: Pick<ScanTally, "rows" | "total" | "failed" | "warned">,
  style: Style = makeStyle(false),
): string {
  const rows = tally.rows.map(({ registry, verdict, codes, ms }) => [registry, verdict, codes, String(ms)]);
  const paint: Record<ScanVerdict, (s: string) => string> = {
    ok: style.green,
    WARN: style.yellow,
    FAIL: style.red,
  };
  const lines = renderColumns(["REGISTRY", "VERDICT", "FINDING", "MS"], rows, [3], (cell, row, column) =>
    column === 1 ? paintWord(cell, paint[tally.rows[row]?.verdict ?? "ok"]) : cell,
  );
  const n = tally.total;
  const ok = n - tally.failed - tally.warned;
  const warned = tally.warned > 0 ? `, ${tally.warned} with warnings` : "";
  const summary = `${n} registr${n === 1 ? "y" : "ies"} scanned: ${ok} ok${warned}, ${tally.failed} failing`;
  return `${lines.join("\n")}\n${summary}\n`;
}

/** Colours the word, not the padding after it. */
function paintWord(cell: string, paint: (s: string) => string): string {
  const word = cell.trimEnd();
  return paint(word) + cell.slice(word.length);
}
