import type { FindingCode } from "../../findings/codes.ts";
import type { KubeApi, ListQuery } from "../client/kube-api.ts";
import { KubeApiError } from "../client/kube-errors.ts";
import { pages } from "../client/paging.ts";
import { registryOfImage } from "./image-ref.ts";
import { failingPulls, podKey, type WaitingPull } from "./pod-pulls.ts";
import { causeText, fixSteps } from "./pull-advice.ts";
import { type PullCause, resolveCause, statusNamesCause } from "./pull-cause.ts";
import { PullEventIndex } from "./pull-events.ts";

/**
 * `regtrust k8s pulls`: every container waiting on an image pull, its cause
 * classified, grouped by registry and cause. Pods are read page by page and
 * only failing containers are kept; events are read only when some status
 * message does not name the cause, filtered to kubelet's `Failed` events and
 * joined to pods through a hash index — linear in pods + events.
 */
export interface PullsOptions {
  /** null: all namespaces. */
  namespace: string | null;
  chunkSize: number;
}

export interface FailingContainer {
  namespace: string;
  pod: string;
  node: string | null;
  container: string;
  init: boolean;
  image: string;
  reason: string;
  code: FindingCode;
  detail: string;
  /** The runtime's text the cause was read from. */
  text: string | null;
  source: PullCause["source"];
}

export interface PullGroup {
  registry: string;
  code: FindingCode;
  severity: "error";
  message: string;
  containers: number;
  pods: number;
  nodes: string[];
  images: string[];
  /** The innermost runtime error of the first container in the group. */
  detail: string;
  fix: string[];
  failing: FailingContainer[];
}

export interface PullsReport {
  schemaVersion: 1;
  namespace: string | null;
  ok: boolean;
  scannedPods: number;
  failingContainers: number;
  failingPods: number;
  groups: PullGroup[];
  /** Things we could not read (e.g. events forbidden), said plainly. */
  warnings: string[];
}

/** Pods that finished are skipped by the server (status.phase is a supported pod field selector). */
const LIVE_PODS = "status.phase!=Succeeded,status.phase!=Failed";
const KUBELET_FAILED_EVENTS = "involvedObject.kind=Pod,reason=Failed";

export async function collectPulls(api: KubeApi, options: PullsOptions): Promise<PullsReport> {
  const waiting: WaitingPull[] = [];
  let scannedPods = 0;
  const listPods = pages(
    (q) => api.listPods({ ...q, namespace: options.namespace }),
    { fieldSelector: LIVE_PODS },
    options.chunkSize,
  );
  for await (const items of listPods) {
    scannedPods += items.length;
    for (const pod of items) waiting.push(...failingPulls(pod));
  }
  const warnings: string[] = [];
  const events = await readPullEvents(api, options, waiting, warnings);
  const failing = waiting.map((w) => toFailing(w, resolveCause(w, events?.latestFor(w) ?? null)));
  const groups = groupFailures(failing);
  return {
    schemaVersion: 1,
    namespace: options.namespace,
    ok: failing.length === 0,
    scannedPods,
    failingContainers: failing.length,
    failingPods: new Set(failing.map((f) => podKey(f.namespace, f.pod))).size,
    groups,
    warnings,
  };
}

async function readPullEvents(
  api: KubeApi,
  options: PullsOptions,
  waiting: readonly WaitingPull[],
  warnings: string[],
): Promise<PullEventIndex | null> {
  if (waiting.every(statusNamesCause)) return null;
  const wanted = new Map(waiting.map((w) => [podKey(w.namespace, w.pod), w.podUid]));
  const index = new PullEventIndex(wanted);
  try {
    const list = (q: ListQuery) => api.listEvents({ ...q, namespace: options.namespace });
    for await (const items of pages(list, { fieldSelector: KUBELET_FAILED_EVENTS }, options.chunkSize)) {
      for (const event of items) index.add(event);
    }
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.kind !== "forbidden") throw error;
    warnings.push(`events not readable, so causes come from pod status only: ${error.message}`);
  }
  return index;
}

function toFailing(w: WaitingPull, cause: PullCause): FailingContainer {
  return {
    namespace: w.namespace,
    pod: w.pod,
    node: w.node,
    container: w.container,
    init: w.init,
    image: w.image,
    reason: w.reason,
    code: cause.code,
    detail: cause.detail,
    text: cause.text,
    source: cause.source,
  };
}

export function groupFailures(failing: readonly FailingContainer[]): PullGroup[] {
  const byKey = new Map<string, FailingContainer[]>();
  for (const f of failing) {
    const key = `${registryOf(f)}\u0000${f.code}`;
    const list = byKey.get(key);
    if (list) list.push(f);
    else byKey.set(key, [f]);
  }
  const groups = [...byKey.values()].map(toGroup);
  return groups.sort(
    (a, b) =>
      b.containers - a.containers || a.registry.localeCompare(b.registry) || a.code.localeCompare(b.code),
  );
}

function registryOf(f: FailingContainer): string {
  return registryOfImage(f.image) ?? "(unreadable image name)";
}

function toGroup(members: FailingContainer[]): PullGroup {
  const first = members[0] as FailingContainer;
  const registry = registryOf(first);
  const nodes = sortedUnique(members.map((m) => m.node).filter((n): n is string => n !== null));
  return {
    registry,
    code: first.code,
    severity: "error",
    message: causeText(first.code, registry),
    containers: members.length,
    pods: new Set(members.map((m) => podKey(m.namespace, m.pod))).size,
    nodes,
    images: sortedUnique(members.map((m) => m.image)),
    detail: first.detail,
    fix: fixSteps(first.code, registry, nodes),
    failing: members,
  };
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
