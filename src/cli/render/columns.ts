import { oneLine } from "../../core/terminal-text.ts";

/**
 * Rows under a header, each column as wide as its widest cell, two spaces
 * apart. Columns listed in `alignRight` (numbers) are right-aligned; the last
 * column is otherwise left unpadded so lines carry no trailing spaces.
 */
export function renderColumns(
  header: readonly string[],
  untrustedRows: readonly (readonly string[])[],
  alignRight: readonly number[] = [],
  /** Applied to a body cell after padding (colour), so escape codes never skew the widths. */
  decorate: (padded: string, row: number, column: number) => string = (c) => c,
): string[] {
  // Cells hold names from the cluster and node annotations: one line each.
  const rows = untrustedRows.map((r) => r.map(oneLine));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const cell = (c: string, i: number, last: boolean) => {
    if (alignRight.includes(i)) return c.padStart(widths[i] ?? 0);
    return last ? c : c.padEnd(widths[i] ?? 0);
  };
  const line = (cells: readonly string[], row: number | null) =>
    cells
      .map((c, i) => {
        const padded = cell(c, i, i === cells.length - 1);
        return row === null ? padded : decorate(padded, row, i);
      })
      .join("  ")
      .trimEnd();
  return [line(header, null), ...rows.map((r, i) => line(r, i))];
}
