import type { CoreV1Event } from "@kubernetes/client-node";
import { type ContainerRef, podKey } from "./pod-pulls.ts";

/**
 * The latest kubelet `Failed to pull image "<img>": <err>` event per
 * container (runtimes.md §7.1), for the pods we care about. Events are added
 * one page at a time and looked up by pod key — a hash join, so triage
 * stays linear in pods + events however many there are.
 */
const FAILED_TO_PULL = /^Failed to pull image "([^"]*)": /;
/** kubelet's fieldPath for container events: `spec.containers{name}` / `spec.initContainers{name}`. */
const FIELD_PATH = /^spec\.(?:initContainers|containers|ephemeralContainers)\{(.+)\}$/;

export class PullEventIndex {
  /** pod key → container name (or image when the event has no fieldPath) → latest event. */
  private readonly latest = new Map<string, Map<string, CoreV1Event>>();

  /** `wanted`: pod keys (namespace/name) → pod uid; events of other pods (or older pods of the same name) are dropped. */
  constructor(private readonly wanted: ReadonlyMap<string, string | null>) {}

  add(event: CoreV1Event): void {
    const involved = event.involvedObject;
    if (involved?.kind !== "Pod" || event.reason !== "Failed") return;
    const key = podKey(involved.namespace ?? "default", involved.name ?? "");
    if (!this.wanted.has(key)) return;
    const uid = this.wanted.get(key);
    if (uid && involved.uid && involved.uid !== uid) return;
    const image = FAILED_TO_PULL.exec(event.message ?? "")?.[1];
    if (image === undefined) return;
    const slot = FIELD_PATH.exec(involved.fieldPath ?? "")?.[1] ?? `image:${image}`;
    let byContainer = this.latest.get(key);
    if (!byContainer) {
      byContainer = new Map();
      this.latest.set(key, byContainer);
    }
    const previous = byContainer.get(slot);
    if (!previous || eventTime(event) >= eventTime(previous)) byContainer.set(slot, event);
  }

  latestFor(ref: ContainerRef): CoreV1Event | null {
    const byContainer = this.latest.get(podKey(ref.namespace, ref.pod));
    return byContainer?.get(ref.container) ?? byContainer?.get(`image:${ref.image}`) ?? null;
  }
}

/** When the event last happened: lastTimestamp (core/v1), else series / eventTime (events.k8s.io writers). */
export function eventTime(event: CoreV1Event): number {
  const t =
    event.lastTimestamp ??
    event.series?.lastObservedTime ??
    event.eventTime ??
    event.firstTimestamp ??
    event.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}
