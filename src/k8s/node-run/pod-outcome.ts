import type { V1Pod } from "@kubernetes/client-node";
import { CONTAINER_NAME } from "./pod-spec.ts";

/** Where a node pod stands, read from its status alone (pure: table-tested). */
export type PodOutcome =
  | { kind: "running" }
  | { kind: "finished"; exitCode: number }
  | { kind: "failed"; reason: string; message: string };

/** The waiting reasons kubelet reports when the image cannot be pulled (kubelet images/types.go). */
const PULL_FAILURES = new Set(["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"]);
/** Waiting reasons that never resolve by themselves (kubelet kuberuntime_container.go). */
const CONFIG_FAILURES = new Set(["CreateContainerConfigError", "CreateContainerError", "RunContainerError"]);

export function podOutcome(pod: V1Pod, node: string): PodOutcome {
  const status = pod.status;
  const container = status?.containerStatuses?.find((c) => c.name === CONTAINER_NAME);
  // The deadline wins over the container's own end: when activeDeadlineSeconds
  // passes, kubelet kills the container (terminated, exit 137) and marks the pod
  // Failed/DeadlineExceeded; the 137 alone would be an exit with no explanation.
  if (status?.phase === "Failed" && status.reason === "DeadlineExceeded") {
    const seconds = pod.spec?.activeDeadlineSeconds;
    return {
      kind: "failed",
      reason: "DeadlineExceeded",
      message: `the pod ran longer than its deadline (${seconds} s) on node ${node} and Kubernetes stopped it; raise --deadline if the node is slow`,
    };
  }
  const terminated = container?.state?.terminated;
  if (terminated) return { kind: "finished", exitCode: terminated.exitCode };
  if (status?.phase === "Failed") {
    return failed(status.reason ?? "Failed", status.message ?? "the pod failed before the command ran", node);
  }
  const waiting = container?.state?.waiting;
  if (waiting?.reason && PULL_FAILURES.has(waiting.reason)) {
    const image = pod.spec?.containers?.[0]?.image ?? "the regtrust image";
    return {
      kind: "failed",
      reason: waiting.reason,
      message: `node ${node} cannot pull ${image} (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}). This may be the very registry trust problem you are diagnosing: pass --image with a copy the node can pull (a registry it already trusts, or pre-load it)`,
    };
  }
  if (waiting?.reason && CONFIG_FAILURES.has(waiting.reason)) {
    return failed(waiting.reason, waiting.message ?? "", node);
  }
  return { kind: "running" };
}

function failed(reason: string, message: string, node: string): PodOutcome {
  return { kind: "failed", reason, message: `the pod on node ${node} failed (${reason}): ${message}` };
}

/** What a pod that never finished was waiting on, for the timeout message. */
export function pendingDetail(pod: V1Pod | null): string {
  if (pod === null) return "its status was never read";
  const phase = pod.status?.phase ?? "Pending";
  const conditions = (pod.status?.conditions ?? [])
    .filter((c) => c.status !== "True")
    .map(
      (c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ""})` : ""}`,
    );
  const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
  const parts = [
    `phase ${phase}`,
    ...conditions,
    ...(waiting?.reason ? [`container waiting: ${waiting.reason}`] : []),
  ];
  return parts.join("; ");
}
