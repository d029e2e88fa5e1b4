import type { V1Container, V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import { redactMessage } from "../../core/redact.ts";

/**
 * The containers of a pod that wait on an image pull. kubelet sets
 * `state.waiting.reason` to ErrImagePull, then ImagePullBackOff; a CRI error
 * starting with RegistryUnavailable or SignatureValidationFailed becomes
 * that reason instead (runtimes.md §7.1, kubelet `evalCRIPullErr`).
 */
export const PULL_FAILURE_REASONS: ReadonlySet<string> = new Set([
  "ErrImagePull",
  "ImagePullBackOff",
  "RegistryUnavailable",
  "SignatureValidationFailed",
]);

export interface ContainerRef {
  namespace: string;
  pod: string;
  podUid: string | null;
  node: string | null;
  container: string;
  init: boolean;
  /** The image as the pod spec names it. */
  image: string;
  pullPolicy: string | null;
}

export interface WaitingPull extends ContainerRef {
  reason: string;
  /** `state.waiting.message`: the pull error, or only `Back-off pulling image "…"` before Kubernetes 1.32. */
  message: string | null;
}

export function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function failingPulls(pod: V1Pod): WaitingPull[] {
  const spec = pod.spec;
  if (!spec) return [];
  const init = failing(pod, spec.initContainers ?? [], pod.status?.initContainerStatuses ?? [], true);
  return [...init, ...failing(pod, spec.containers, pod.status?.containerStatuses ?? [], false)];
}

function failing(
  pod: V1Pod,
  containers: readonly V1Container[],
  statuses: readonly V1ContainerStatus[],
  init: boolean,
): WaitingPull[] {
  const result: WaitingPull[] = [];
  for (const status of statuses) {
    const waiting = status.state?.waiting;
    if (!waiting?.reason || !PULL_FAILURE_REASONS.has(waiting.reason)) continue;
    const spec = containers.find((c) => c.name === status.name);
    result.push({
      ...containerRef(pod, status.name, spec?.image ?? status.image, spec?.imagePullPolicy ?? null, init),
      reason: waiting.reason,
      // The runtime's text is repeated in regtrust's output: credentials in it are masked.
      message: waiting.message ? redactMessage(waiting.message) : null,
    });
  }
  return result;
}

function containerRef(
  pod: V1Pod,
  container: string,
  image: string,
  pullPolicy: string | null,
  init: boolean,
): ContainerRef {
  return {
    namespace: pod.metadata?.namespace ?? "default",
    pod: pod.metadata?.name ?? "",
    podUid: pod.metadata?.uid ?? null,
    node: pod.spec?.nodeName ?? null,
    container,
    init,
    image,
    pullPolicy,
  };
}

/** Other waiting containers (CrashLoopBackOff, ContainerCreating…), for "no pull problem, but…". */
export function otherWaiting(
  pod: V1Pod,
): Array<{ container: string; reason: string; message: string | null }> {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return statuses
    .filter((s) => s.state?.waiting?.reason && !PULL_FAILURE_REASONS.has(s.state.waiting.reason))
    .map((s) => ({
      container: s.name,
      reason: s.state?.waiting?.reason ?? "",
      message: s.state?.waiting?.message ? redactMessage(s.state.waiting.message) : null,
    }));
}
