import type { V1Node, V1Pod } from "@kubernetes/client-node";
import type { KubeApi } from "../client/kube-api.ts";
import { listAll } from "../client/paging.ts";
import { AGENT_LABELS } from "../manifests/manifests.ts";
import {
  CONDITION_TYPE,
  type ConditionValue,
  type NodeTrustStatus,
  parseStatusAnnotation,
  STATUS_ANNOTATION,
} from "./node-condition.ts";

/** `regtrust k8s status`: the agent's verdicts across the fleet. */
export interface FleetNode {
  node: string;
  condition: ConditionValue | null;
  hasAgentPod: boolean;
  status: NodeTrustStatus | null;
  /** The condition's lastHeartbeatTime (ISO-8601); null without a condition. */
  lastHeartbeat: string | null;
  /** The agent has not re-sent the condition for longer than the stale limit: its verdict may be old. */
  stale: boolean;
}

export interface FleetRegistry {
  registry: string;
  ready: string[];
  notReady: { node: string; code: string }[];
  insecure: string[];
}

export interface FleetReport {
  schemaVersion: 1;
  nodes: FleetNode[];
  registries: FleetRegistry[];
  /** Nodes with no condition or no agent pod: nothing watches their trust. */
  noAgent: string[];
  /** Nodes whose condition's heartbeat is older than the stale limit (a dead or stuck agent). */
  stale: string[];
  ok: boolean;
}

export interface FleetOptions {
  now: Date;
  /** A heartbeat older than this is stale; the agent re-sends it at least once per check interval. */
  staleAfterMs: number;
}

export async function fleetStatus(
  api: KubeApi,
  options: { namespace: string; chunkSize: number } & FleetOptions,
): Promise<FleetReport> {
  const nodes = await listAll((q) => api.listNodes(q), {}, options.chunkSize);
  const selector = Object.entries(AGENT_LABELS)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const pods = await listAll(
    (q) => api.listPods({ ...q, namespace: options.namespace }),
    { labelSelector: selector },
    options.chunkSize,
  );
  return summarise(nodes, pods, options);
}

export function summarise(nodes: V1Node[], agentPods: V1Pod[], options: FleetOptions): FleetReport {
  const withAgent = new Set(agentPods.filter(isAgentPod).map((p) => p.spec?.nodeName));
  const fleet = nodes.map((n): FleetNode => {
    const name = n.metadata?.name ?? "";
    const c = n.status?.conditions?.find((x) => x.type === CONDITION_TYPE);
    const beat = c?.lastHeartbeatTime ? new Date(c.lastHeartbeatTime) : null;
    return {
      node: name,
      condition: c
        ? { status: c.status as ConditionValue["status"], reason: c.reason ?? "", message: c.message ?? "" }
        : null,
      hasAgentPod: withAgent.has(name),
      status: parseStatusAnnotation(n.metadata?.annotations?.[STATUS_ANNOTATION]),
      lastHeartbeat: beat ? beat.toISOString() : null,
      stale:
        c !== undefined && (beat === null || options.now.getTime() - beat.getTime() > options.staleAfterMs),
    };
  });
  const registries = new Map<string, FleetRegistry>();
  for (const n of fleet) {
    for (const v of n.status?.registries ?? []) {
      const r = registries.get(v.registry) ?? { registry: v.registry, ready: [], notReady: [], insecure: [] };
      if (v.trusted) r.ready.push(n.node);
      else r.notReady.push({ node: n.node, code: v.code ?? "untrusted" });
      if (v.insecureOverride) r.insecure.push(n.node);
      registries.set(v.registry, r);
    }
  }
  const noAgent = fleet.filter((n) => !n.condition || !n.hasAgentPod).map((n) => n.node);
  const sorted = [...registries.values()].sort((a, b) => a.registry.localeCompare(b.registry));
  const stale = fleet.filter((n) => n.stale).map((n) => n.node);
  const ok = noAgent.length === 0 && stale.length === 0 && fleet.every((n) => n.condition?.status === "True");
  return { schemaVersion: 1, nodes: fleet, registries: sorted, noAgent, stale, ok };
}

function isAgentPod(pod: V1Pod): boolean {
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(AGENT_LABELS).every(([k, v]) => labels[k] === v) && Boolean(pod.spec?.nodeName);
}
