import type { FleetReport } from "../../k8s/fleet-status.ts";
import { renderColumns } from "./columns.ts";

/** The fleet table of `regtrust k8s status`: per registry, ready nodes, which are not and why, insecure overrides. */
export function renderFleetText(report: FleetReport): string {
  const rows = report.registries.map((r) => {
    const total = r.ready.length + r.notReady.length;
    const why = r.notReady.map((n) => `${n.node} (${n.code})`).join(", ") || "-";
    return [r.registry, `${r.ready.length}/${total}`, why, r.insecure.join(", ") || "-"];
  });
  const lines = renderColumns(["REGISTRY", "READY", "NOT READY (why)", "INSECURE"], rows);
  if (report.registries.length === 0) lines.push("(no node has published a regtrust status yet)");
  if (report.noAgent.length > 0) lines.push("", `nodes with no agent: ${report.noAgent.join(", ")}`);
  return `${lines.join("\n")}\n`;
}
