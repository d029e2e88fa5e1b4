import type { NodeVerdict } from "../../k8s/node-run/run-fleet.ts";
import { renderColumns } from "./columns.ts";

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
  const lines = renderColumns(["NODE", "RESULT", "EXIT", "DETAIL"], rows);
  const counts = (["ok", "fail", "error", "not-run"] as const)
    .map((k) => [k, verdicts.filter((v) => v.verdict === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${VERDICT_TEXT[k].toLowerCase()}`);
  return `${lines.join("\n")}\n\n${verdicts.length} nodes: ${counts.join(", ")}\n`;
}
