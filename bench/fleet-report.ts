/** The fleet benchmark's section and targets (bench/fleet.ts; issue #20 item 5). */
import type { FleetResult } from "./results.ts";
import { ms, type TargetCheck } from "./targets.ts";

const DEFAULT_HEARTBEAT_S = 60;

export function fleetSection(r: FleetResult): string {
  const rows = r.steady.map(
    (s) =>
      `| ${s.heartbeatSeconds} s${s.heartbeatSeconds === DEFAULT_HEARTBEAT_S ? " (default)" : ""} | ${s.writesPerNodePer5Min.toFixed(2)} | ${s.writesPerSecondFleet.toFixed(1)} |`,
  );
  return [
    `## Fleet of ${r.nodes.toLocaleString("en-US")} nodes (bench/fleet.ts; fake API server on loopback)\n`,
    `Steady state: unchanged verdicts, checks every ${r.intervalSeconds} s with start times spread over one interval, ${r.windowSeconds / 60} simulated minutes through the real client:\n`,
    "| heartbeat | Node writes per node per 5 min | writes/s, whole fleet |",
    "|---|---:|---:|",
    ...rows,
    "",
    `Rollout (every agent restarted, ${r.rollout.concurrency} at a time): ${r.rollout.requestsPerAgent.toFixed(2)} API requests and ${r.rollout.writesPerAgent.toFixed(2)} writes per agent, ${ms(r.rollout.wallMs)} ms for the fleet.`,
    "",
    `\`regtrust k8s status\` over ${r.nodes.toLocaleString("en-US")} nodes and agent pods: median ${ms(r.status.medianMs)} ms (${ms(r.status.minMs)}–${ms(r.status.maxMs)}, ${r.status.runs} runs).`,
  ].join("\n");
}

export function fleetChecks(r: FleetResult): TargetCheck[] {
  const steady = r.steady.find((s) => s.heartbeatSeconds === DEFAULT_HEARTBEAT_S);
  return [
    {
      figure: `steady-state Node writes, ${r.nodes} nodes, default heartbeat`,
      target: "≤ 1 per node per 5 min",
      measured: steady ? steady.writesPerNodePer5Min.toFixed(2) : "not measured",
      met: steady ? steady.writesPerNodePer5Min <= 1 : null,
    },
    {
      figure: `k8s status over ${r.nodes} nodes`,
      target: "≤ 2 s",
      measured: `${ms(r.status.medianMs)} ms`,
      met: Number.isFinite(r.status.medianMs) ? r.status.medianMs <= 2000 : null,
      limit: `median ${ms(r.status.medianMs)} ms`,
    },
    {
      figure: "agent start-up load (rollout)",
      target: "≤ 1 read and no write per agent when nothing changed",
      measured: `${r.rollout.requestsPerAgent.toFixed(2)} requests, ${r.rollout.writesPerAgent.toFixed(2)} writes per agent`,
      met: r.rollout.requestsPerAgent <= 1 && r.rollout.writesPerAgent === 0,
    },
  ];
}
