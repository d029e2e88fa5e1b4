import type { CoreV1Event } from "@kubernetes/client-node";
import { redactMessage } from "../../core/redact.ts";
import { type ClassifiedPullError, classifyPullError, isSpecificCause } from "./classify-pull-error.ts";
import type { WaitingPull } from "./pod-pulls.ts";

/** A classified cause and the runtime text it came from. */
export interface PullCause extends ClassifiedPullError {
  /** The full text classified: the waiting message or the kubelet event. */
  text: string | null;
  source: "status" | "event" | "none";
}

/**
 * The waiting message carries the error for ErrImagePull, and for
 * ImagePullBackOff only since Kubernetes 1.32 (PR #127918); before that it
 * says just `Back-off pulling image "<img>"`, and the cause lives in the
 * latest `Failed to pull image` event. Take whichever names a cause.
 */
export function resolveCause(waiting: WaitingPull, event: CoreV1Event | null): PullCause {
  const fromStatus = waiting.message ? classifyPullError(waiting.message) : null;
  if (fromStatus && isSpecificCause(fromStatus.code)) {
    return { ...fromStatus, text: waiting.message, source: "status" };
  }
  const eventText = event?.message ? redactMessage(event.message) : null;
  const fromEvent = eventText ? classifyPullError(eventText) : null;
  if (fromEvent && isSpecificCause(fromEvent.code)) return { ...fromEvent, text: eventText, source: "event" };
  if (fromEvent) return { ...fromEvent, text: eventText, source: "event" };
  if (fromStatus) return { ...fromStatus, text: waiting.message, source: "status" };
  return {
    code: "pull-failed",
    detail: waiting.reason,
    image: waiting.image,
    host: null,
    text: null,
    source: "none",
  };
}

/** Whether the waiting message alone already names the cause (then events need not be read). */
export function statusNamesCause(waiting: WaitingPull): boolean {
  return waiting.message !== null && isSpecificCause(classifyPullError(waiting.message).code);
}
