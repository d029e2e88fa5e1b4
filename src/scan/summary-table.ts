import type { ScanOutcome } from "./scan.ts";
import { firstErrorCode } from "./scan.ts";

/**
 * The text summary of a scan: one row per registry, then a count line.
 * Plain columns padded with spaces so the table survives `| column`/grep.
 */
export function renderScanSummary(outcomes: readonly ScanOutcome[]): string {
  const header = ["REGISTRY", "VERDICT", "FINDING", "MS"];
  const rows = outcomes.map(({ result, ms }) => {
    const code = firstErrorCode(result);
    return [result.target.registry, code === null ? "ok" : "FAIL", code ?? "-", String(ms)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ");
  const failed = rows.filter((r) => r[1] === "FAIL").length;
  const count = `${outcomes.length} registr${outcomes.length === 1 ? "y" : "ies"} scanned: ${outcomes.length - failed} ok, ${failed} failing`;
  return `${[line(header), ...rows.map(line)].join("\n")}\n${count}\n`;
}
