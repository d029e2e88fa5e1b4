import type { FleetReport } from "../../k8s/fleet/fleet-status.ts";
import { renderColumns } from "./columns.ts";

/** The fleet table of `regtrust k8s status`: per registry, ready nodes, which are not and why, insecure overrides. */
export function renderFleetText(report: FleetReport, now: Date, staleMinutes: number): string {
  const rows = report.registries.map((r) => {
    const total = r.ready.length + r.notReady.length;
    const why = r.notReady.map((n) => `${n.node} (${n.code})`).join(", ") || "-";
    return [r.registry, `${r.ready.length}/${total}`, why, r.insecure.join(", ") || "-"];
  });
  const lines = renderColumns(["REGISTRY", "READY", "NOT READY (why)", "INSECURE"], rows);
  if (report.registries.length === 0) lines.push("(no node has published a regtrust status yet)");
  if (report.noAgent.length > 0) lines.push("", `nodes with no agent: ${report.noAgent.join(", ")}`);
  if (report.stale.length > 0) {
    const ages = report.nodes.filter((n) => n.stale).map((n) => `${n.node} (${ageOf(n.lastHeartbeat, now)})`);
    lines.push(
      "",
      `nodes whose agent stopped reporting (no heartbeat for over ${staleMinutes} min; their verdict above may be old): ${ages.join(", ")}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function ageOf(heartbeat: string | null, now: Date): string {
  if (heartbeat === null) return "no heartbeat time";
  const minutes = Math.floor((now.getTime() - Date.parse(heartbeat)) / 60_000);
  return minutes < 120 ? `last ${minutes} min ago` : `last ${Math.floor(minutes / 60)} h ago`;
}
