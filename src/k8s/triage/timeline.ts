import type { CoreV1Event } from "@kubernetes/client-node";
import { redactMessage } from "../../core/redact.ts";
import { eventTime } from "./pull-events.ts";

/** One line of a pod's event history, as kubectl describe shows it. */
export interface TimelineEntry {
  /** ISO time the event was first seen; null when the event carries none. */
  first: string | null;
  /** ISO time it was last seen (same as first for a single occurrence). */
  last: string | null;
  type: string;
  reason: string;
  message: string;
  count: number;
  /** The container the event is about, from its fieldPath. */
  container: string | null;
  /** Who reported it: kubelet, default-scheduler… */
  source: string | null;
}

const FIELD_PATH = /^spec\.(?:initContainers|containers|ephemeralContainers)\{(.+)\}$/;

/** A pod's events, oldest first; events of an earlier pod with the same name (other uid) are left out. */
export function buildTimeline(events: readonly CoreV1Event[], podUid: string | null): TimelineEntry[] {
  return events
    .filter((e) => !podUid || !e.involvedObject?.uid || e.involvedObject.uid === podUid)
    .map((e) => ({ event: e, order: firstTime(e) }))
    .sort((a, b) => a.order - b.order || eventTime(a.event) - eventTime(b.event))
    .map(({ event }) => toEntry(event));
}

function toEntry(e: CoreV1Event): TimelineEntry {
  const first = firstTime(e);
  const last = eventTime(e);
  return {
    first: first > 0 ? new Date(first).toISOString() : null,
    last: last > 0 ? new Date(last).toISOString() : null,
    type: e.type ?? "Normal",
    reason: e.reason ?? "",
    // Repeated to whoever reads regtrust's output: credentials in it are masked (core/redact.ts).
    message: redactMessage(e.message ?? ""),
    count: e.series?.count ?? e.count ?? 1,
    container: FIELD_PATH.exec(e.involvedObject?.fieldPath ?? "")?.[1] ?? null,
    source: e.source?.component ?? e.reportingComponent ?? null,
  };
}

function firstTime(e: CoreV1Event): number {
  const t = e.firstTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? e.lastTimestamp;
  return t ? new Date(t).getTime() : 0;
}
