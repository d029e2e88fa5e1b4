import type { NodeVerdict } from "../../k8s/node-run/run-fleet.ts";

const VERDICT_TEXT: Record<NodeVerdict["verdict"], string> = {
  ok: "ok",
  fail: "FAIL",
  error: "ERROR",
  "not-run": "NOT RUN",
};

/**
 * The per-node consistency view: one row per node, failures first in the
 * summary so a fleet of 200 still shows the odd node out at a glance.
 */
export function renderNodeTable(verdicts: readonly NodeVerdict[]): string {
  const rows = verdicts.map((v) => [
    v.node,
    VERDICT_TEXT[v.verdict],
    v.exitCode === null ? "-" : String(v.exitCode),
    v.detail,
  ]);
  const header = ["NODE", "RESULT", "EXIT", "DETAIL"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const counts = (["ok", "fail", "error", "not-run"] as const)
    .map((k) => [k, verdicts.filter((v) => v.verdict === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${VERDICT_TEXT[k].toLowerCase()}`);
  return `${[line(header), ...rows.map(line)].join("\n")}\n\n${verdicts.length} nodes: ${counts.join(", ")}\n`;
}
