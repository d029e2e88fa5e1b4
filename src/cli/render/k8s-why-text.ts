import { oneLine } from "../../core/terminal-text.ts";
import { classifyPullError } from "../../k8s/triage/classify-pull-error.ts";
import type { ImageCache } from "../../k8s/triage/image-cache.ts";
import { listNames } from "../../k8s/triage/pull-advice.ts";
import type { TimelineEntry } from "../../k8s/triage/timeline.ts";
import type { ContainerStory, WhyReport } from "../../k8s/triage/why.ts";
import type { Style } from "../style.ts";

const MAX_TIMELINE_MESSAGE = 120;

/** `regtrust k8s why <pod>` for a terminal: verdict, the failing containers, the cache story, events, fix. */
export function renderWhyText(report: WhyReport, style: Style): string {
  const lines = [headline(report, style), ""];
  for (const story of report.failing) lines.push(...containerLines(story, report, style), "");
  for (const cache of report.cache) lines.push(...cacheLines(cache, report, style), "");
  if (report.ok) lines.push(...okLines(report));
  if (report.timeline.length > 0) {
    lines.push(style.bold("Events (oldest first)"), ...report.timeline.map(timelineLine), "");
  }
  const steps = report.findings.flatMap((f) => f.fix);
  if (steps.length > 0) {
    lines.push(style.bold("Fix"), ...[...new Set(steps)].map((s, i) => `  ${i + 1}. ${s}`), "");
  }
  for (const warning of report.warnings) lines.push(style.yellow(`note: ${warning}`));
  return `${lines.join("\n").trimEnd()}\n`;
}

function headline(report: WhyReport, style: Style): string {
  const pod = `${report.pod.namespace}/${report.pod.name}`;
  if (report.ok) return `${style.green("✓")} ${style.bold(pod)} has no image pull problem`;
  const codes = [...new Set(report.failing.map((f) => f.code))].join(", ");
  const node = report.pod.node ? ` on ${report.pod.node}` : "";
  return `${style.red("✗")} ${style.bold(pod)} cannot start: its image pull fails${node} — ${style.bold(codes)}`;
}

function containerLines(story: ContainerStory, report: WhyReport, style: Style): string[] {
  const policy = story.pullPolicy ? `  (imagePullPolicy ${story.pullPolicy})` : "";
  return [
    `  ${label("container")}${story.container}${story.init ? " (init container)" : ""}`,
    `  ${label("image")}${story.image}${policy}`,
    `  ${label("registry")}${story.registry}`,
    `  ${label("node")}${report.pod.node ?? "(not scheduled)"}`,
    `  ${label("status")}${oneLine(story.reason)}`,
    `  ${label("cause")}${style.red(story.code)}: ${oneLine(story.message)}`,
    `  ${label("runtime")}${story.text !== null && story.text !== undefined ? oneLine(story.text) : "(no runtime error text: neither the status nor an event carries one)"}`,
  ];
}

function label(name: string): string {
  return name.padEnd(11);
}

/** The image-cache story: where the image runs from cache, where it cannot be pulled, where it will fail next. */
function cacheLines(cache: ImageCache, report: WhyReport, style: Style): string[] {
  const failingNode = report.pod.node;
  const story = report.failing.find((f) => f.image === cache.image);
  const code = story?.code ?? "pull-failed";
  const always = story?.pullPolicy === "Always";
  const holders = cache.nodesWithImage.filter((h) => h.node !== failingNode);
  const lines = [style.bold(`Image cache (${cache.image})`)];
  if (holders.length > 0) {
    lines.push(
      `  runs on ${listNames(
        holders.map((h) => h.node),
        8,
      )} from their image cache${runningPods(holders)}`,
    );
  }
  if (failingNode) {
    const hasCopy = cache.nodesWithImage.some((h) => h.node === failingNode);
    lines.push(
      hasCopy
        ? `  ${failingNode} holds a copy, yet kubelet pulls again (imagePullPolicy ${story?.pullPolicy ?? "Always"}) and the pull fails: ${code}`
        : `  ${failingNode} has no copy and cannot pull: ${code}`,
    );
  }
  const otherMissing = (cache.nodesWithout ?? []).filter((n) => n !== failingNode);
  if (otherMissing.length > 0) {
    const n = otherMissing.length;
    lines.push(
      `  ${n} other node${n === 1 ? " has" : "s have"} no copy either (${listNames(otherMissing, 8)}): new pods scheduled there fail the same way`,
    );
  }
  if (cache.nodesWithout === null)
    lines.push("  (nodes could not be listed: nodes without a copy are unknown)");
  lines.push(...explanation(holders.length > 0, always, code));
  return lines;
}

function runningPods(holders: ImageCache["nodesWithImage"]): string {
  const pods = holders.flatMap((h) => h.pods.map((p) => `${p} on ${h.node}`));
  if (pods.length === 0) return " (listed in their node image lists)";
  return `; running: ${listNames(pods, 6)}`;
}

function explanation(cachedElsewhere: boolean, always: boolean, code: string): string[] {
  if (always) {
    return [
      "  imagePullPolicy is Always: kubelet asks the registry for every new container, so new pods fail on every node;",
      "  only containers that are already running keep running.",
    ];
  }
  if (cachedElsewhere) {
    return [
      "  That is why the running pods are fine and only new pods fail: a node with the image cached needs no pull,",
      `  so ${code} shows only where the image is missing.`,
    ];
  }
  return ["  No node has a copy: every node must pull the image, and the pull fails."];
}

function okLines(report: WhyReport): string[] {
  const phase = report.pod.phase ? `phase ${report.pod.phase}` : "no phase yet";
  const lines = [
    `  ${phase}${report.pod.node ? ` on ${report.pod.node}` : ""}; no container waits on an image pull.`,
  ];
  for (const w of report.otherWaiting) {
    lines.push(
      `  container ${w.container} waits: ${oneLine(w.reason)}${w.message ? ` — ${oneLine(w.message)}` : ""} (not a pull problem)`,
    );
  }
  lines.push("");
  return lines;
}

function timelineLine(entry: TimelineEntry): string {
  const when = entry.first ? shortTime(entry.first) : "(no time)          ";
  const count =
    entry.count > 1
      ? ` (×${entry.count}${entry.last && entry.last !== entry.first ? `, last ${shortTime(entry.last)}` : ""})`
      : "";
  const message = oneLine(shorten(entry.message));
  return `  ${when}  ${entry.type.padEnd(7)}  ${entry.reason.padEnd(9)}  ${message}${count}`;
}

/** Long pull errors keep their head (which image) and their tail (the innermost error), which is what matters. */
function shorten(message: string): string {
  if (message.length <= MAX_TIMELINE_MESSAGE) return message;
  const pull = /^Failed to pull image "[^"]*": /.exec(message)?.[0];
  if (pull) return `${pull}… ${classifyPullError(message).detail}`;
  return `${message.slice(0, MAX_TIMELINE_MESSAGE - 1)}…`;
}

/** 2026-03-01T10:00:05.000Z → 2026-03-01 10:00:05Z */
function shortTime(iso: string): string {
  return iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
}
