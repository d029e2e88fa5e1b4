import { oneLine } from "../../core/terminal-text.ts";
import { listNames } from "../../k8s/triage/pull-advice.ts";
import type { PullGroup, PullsReport } from "../../k8s/triage/pulls.ts";
import type { Style } from "../style.ts";

const MAX_PODS_SHOWN = 5;

/** `regtrust k8s pulls` for a terminal: the verdict, then one block per registry × cause. */
export function renderPullsText(report: PullsReport, style: Style): string {
  const scope = report.namespace === null ? "all namespaces" : `namespace "${report.namespace}"`;
  const scanned = `${report.scannedPods} pod${report.scannedPods === 1 ? "" : "s"} scanned, ${scope}`;
  const lines: string[] = [];
  if (report.ok) {
    lines.push(`${style.green("✓")} no container is waiting on an image pull (${scanned})`);
  } else {
    const c = report.failingContainers;
    const p = report.failingPods;
    lines.push(
      `${style.red("✗")} ${c} container${c === 1 ? "" : "s"} in ${p} pod${p === 1 ? "" : "s"} cannot pull ${c === 1 ? "its image" : "their images"} (${scanned})`,
      "",
    );
    for (const group of report.groups) lines.push(...groupLines(group, style), "");
  }
  for (const warning of report.warnings) lines.push(style.yellow(`note: ${oneLine(warning)}`));
  return `${lines.join("\n").trimEnd()}\n`;
}

function groupLines(group: PullGroup, style: Style): string[] {
  const c = group.containers;
  const p = group.pods;
  const where = group.nodes.length > 0 ? ` on ${listNames(group.nodes, 5)}` : "";
  const lines = [
    `${style.bold(group.registry)}  ${style.red(group.code)} — ${c} container${c === 1 ? "" : "s"} in ${p} pod${p === 1 ? "" : "s"}${where}`,
    `  ${oneLine(group.message)}`,
    `  ${label("image")}${group.images.map(oneLine).join(", ")}`,
    `  ${label("error")}${oneLine(group.detail)}`,
    `  ${label("pods")}${oneLine(podList(group))}`,
  ];
  for (const [i, step] of group.fix.entries()) lines.push(`  ${label(i === 0 ? "fix" : "")}${step}`);
  return lines;
}

function podList(group: PullGroup): string {
  const seen = new Set<string>();
  const names: string[] = [];
  for (const f of group.failing) {
    const name = `${f.namespace}/${f.pod}${f.init ? ` [init ${f.container}]` : ""}${f.node ? ` (${f.node})` : ""}`;
    if (!seen.has(name)) {
      seen.add(name);
      names.push(name);
    }
  }
  const shown = names.slice(0, MAX_PODS_SHOWN).join(", ");
  return names.length > MAX_PODS_SHOWN
    ? `${shown} and ${names.length - MAX_PODS_SHOWN} more (--json lists all)`
    : shown;
}

function label(name: string): string {
  return name.padEnd(7);
}
