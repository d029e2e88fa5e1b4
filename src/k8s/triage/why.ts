import type { CoreV1Event, V1Pod } from "@kubernetes/client-node";
import type { FindingCode } from "../../findings/codes.ts";
import { type Finding, finding } from "../../findings/finding.ts";
import type { KubeApi, ListQuery } from "../client/kube-api.ts";
import { KubeApiError } from "../client/kube-errors.ts";
import { listAll } from "../client/paging.ts";
import { type ImageCache, imageCache } from "./image-cache.ts";
import { registryOfImage } from "./image-ref.ts";
import { failingPulls, otherWaiting, podKey } from "./pod-pulls.ts";
import { causeText, fixSteps, isTrustCode, listNames } from "./pull-advice.ts";
import { type PullCause, resolveCause } from "./pull-cause.ts";
import { PullEventIndex } from "./pull-events.ts";
import { buildTimeline, type TimelineEntry } from "./timeline.ts";

/**
 * `regtrust k8s why <pod>`: one pod's image-pull story — image, registry,
 * node, the classified cause with the runtime's own words, the event
 * timeline, and the image-cache effect across nodes — then the fix.
 */
export interface WhyOptions {
  namespace: string;
  pod: string;
  chunkSize: number;
}

export interface ContainerStory {
  container: string;
  init: boolean;
  image: string;
  registry: string;
  reason: string;
  pullPolicy: string | null;
  code: FindingCode;
  /** Plain words for the cause. */
  message: string;
  detail: string;
  /** The runtime's own text (kubelet event or waiting message). */
  text: string | null;
  source: PullCause["source"];
}

export interface WhyReport {
  schemaVersion: 1;
  pod: { namespace: string; name: string; uid: string | null; node: string | null; phase: string | null };
  ok: boolean;
  failing: ContainerStory[];
  /** Containers waiting for reasons other than a pull (CrashLoopBackOff…). */
  otherWaiting: Array<{ container: string; reason: string; message: string | null }>;
  timeline: TimelineEntry[];
  /** One per distinct failing image. */
  cache: ImageCache[];
  findings: Finding[];
  warnings: string[];
}

export async function explainPod(api: KubeApi, options: WhyOptions): Promise<WhyReport> {
  const pod = await api.readPod(options.namespace, options.pod);
  const warnings: string[] = [];
  const events = await podEvents(api, options, warnings);
  const uid = pod.metadata?.uid ?? null;
  const waiting = failingPulls(pod);
  const index = new PullEventIndex(new Map([[podKey(options.namespace, options.pod), uid]]));
  for (const event of events) index.add(event);
  const failing = waiting.map((w) => toStory(w, resolveCause(w, index.latestFor(w))));
  const cache: ImageCache[] = [];
  for (const image of new Set(failing.map((f) => f.image))) {
    cache.push(
      await imageCache(api, { image, namespace: options.namespace, chunkSize: options.chunkSize }, warnings),
    );
  }
  return {
    schemaVersion: 1,
    pod: podSummary(pod, options),
    ok: failing.length === 0,
    failing,
    otherWaiting: otherWaiting(pod),
    timeline: buildTimeline(events, uid),
    cache,
    findings: failing.map((f) => toFinding(f, pod.spec?.nodeName ?? null, cache)),
    warnings,
  };
}

async function podEvents(api: KubeApi, options: WhyOptions, warnings: string[]): Promise<CoreV1Event[]> {
  const list = (q: ListQuery) => api.listEvents({ ...q, namespace: options.namespace });
  try {
    return await listAll(
      list,
      { fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${options.pod}` },
      options.chunkSize,
    );
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.kind !== "forbidden") throw error;
    warnings.push(`events not readable, so no timeline: ${error.message}`);
    return [];
  }
}

function podSummary(pod: V1Pod, options: WhyOptions): WhyReport["pod"] {
  return {
    namespace: pod.metadata?.namespace ?? options.namespace,
    name: pod.metadata?.name ?? options.pod,
    uid: pod.metadata?.uid ?? null,
    node: pod.spec?.nodeName ?? null,
    phase: pod.status?.phase ?? null,
  };
}

function toStory(w: ReturnType<typeof failingPulls>[number], cause: PullCause): ContainerStory {
  const registry = registryOfImage(w.image) ?? cause.host ?? "(unreadable image name)";
  return {
    container: w.container,
    init: w.init,
    image: w.image,
    registry,
    reason: w.reason,
    pullPolicy: w.pullPolicy,
    code: cause.code,
    message: causeText(cause.code, registry),
    detail: cause.detail,
    text: cause.text,
    source: cause.source,
  };
}

function toFinding(story: ContainerStory, node: string | null, caches: readonly ImageCache[]): Finding {
  const fix = fixSteps(story.code, story.registry, node ? [node] : []);
  const cached = caches.find((c) => c.image === story.image)?.nodesWithImage.map((n) => n.node) ?? [];
  const others = cached.filter((n) => n !== node);
  if (isTrustCode(story.code) && others.length > 0) {
    fix.push(
      `then check ${listNames(others, 5)} the same way: they run the image from their cache and have not pulled it since, so the same gap may be hidden there until the cache is evicted or the tag moves`,
    );
  }
  return finding(story.code, "error", `container ${story.container}: ${story.message}`, {
    evidence: story.text ? [story.text] : [],
    fix,
  });
}
