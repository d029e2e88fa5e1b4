import type { CoreV1Event } from "@kubernetes/client-node";
import type { NodeWriteApi } from "./kube-api.ts";
import {
  CONDITION_TYPE,
  type ConditionValue,
  conditionOf,
  type NodeTrustStatus,
  STATUS_ANNOTATION,
} from "./node-condition.ts";

/**
 * Publishes the agent's verdict on its Node the way node-problem-detector
 * does (pkg/exporters/k8sexporter/condition/manager.go): the condition is
 * patched when it changes, and otherwise re-sent every heartbeat interval
 * with a fresh lastHeartbeatTime; lastTransitionTime moves only when the
 * status (True/False/Unknown) flips. A status flip also records an Event.
 */
export interface PublishedState {
  condition: ConditionValue;
  annotation: string;
  lastTransition: string;
  lastHeartbeat: number;
}

export async function publishNodeStatus(
  api: NodeWriteApi,
  input: { node: string; status: NodeTrustStatus; heartbeatMs: number; now: Date },
  previous: PublishedState | null,
): Promise<PublishedState> {
  const condition = conditionOf(input.status);
  // checkedAt changes every run; the annotation is re-patched only when a verdict changes.
  const annotation = JSON.stringify({ ...input.status, checkedAt: undefined });
  const flipped = previous?.condition.status !== condition.status;
  const changed =
    flipped ||
    previous?.condition.reason !== condition.reason ||
    previous?.condition.message !== condition.message;
  const due = !previous || input.now.getTime() - previous.lastHeartbeat >= input.heartbeatMs;
  const nowText = input.now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const lastTransition = flipped ? nowText : (previous?.lastTransition ?? nowText);
  if (changed || due) {
    await api.patchNodeStatus(input.node, {
      status: {
        conditions: [
          {
            type: CONDITION_TYPE,
            ...condition,
            lastHeartbeatTime: nowText,
            lastTransitionTime: lastTransition,
          },
        ],
      },
    });
  }
  if (previous?.annotation !== annotation) {
    await api.patchNode(input.node, {
      metadata: { annotations: { [STATUS_ANNOTATION]: JSON.stringify(input.status) } },
    });
  }
  if (flipped) await api.createEvent("default", eventFor(input.node, condition, nowText));
  return {
    condition,
    annotation,
    lastTransition,
    lastHeartbeat: changed || due ? input.now.getTime() : (previous?.lastHeartbeat ?? input.now.getTime()),
  };
}

/** Node events live in "default" with uid = node name, as kubelet records them. */
function eventFor(node: string, condition: ConditionValue, at: string): CoreV1Event {
  return {
    metadata: { generateName: `${node}.regtrust.` },
    involvedObject: { apiVersion: "v1", kind: "Node", name: node, uid: node },
    reason: condition.status === "True" ? "RegistryTrustReady" : `RegistryTrust${condition.reason}`,
    message: condition.message,
    type: condition.status === "True" ? "Normal" : "Warning",
    source: { component: "regtrust-agent", host: node },
    firstTimestamp: at as unknown as Date,
    lastTimestamp: at as unknown as Date,
    count: 1,
  };
}
