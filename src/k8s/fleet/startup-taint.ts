import type { V1Node, V1Taint } from "@kubernetes/client-node";
import type { GateMode } from "../../agent/agent-config.ts";
import type { NodeWriteApi } from "../client/kube-api.ts";
import { STARTUP_TAINT_KEY } from "../manifests/node-write-policy.ts";

/**
 * The agent gate (`k8s manifests --gate agent`, docs/gating.md): the agent
 * removes the startup taint from its own Node once trust verifies, and in
 * `continuous` mode puts it back when trust breaks. Bootstrap-only never adds
 * the taint, so it needs no memory across restarts: a Node without the taint
 * is simply done.
 *
 * The change is one RFC 6902 JSON patch (application/json-patch+json) on
 * nodes/NAME that touches only spec.taints and carries its own precondition:
 * - remove: `test` that element i still is exactly our taint, then `remove`
 *   it. Another controller adding or removing a taint in between shifts the
 *   list; the test fails (the API server answers 422) and the agent re-reads.
 * - add: `test` that the list is still exactly what was read, then append
 *   (`add …/-`); with no list yet, `test` the resourceVersion and add the list.
 * Not a merge patch (it would replace the whole list, clobbering a taint added
 * concurrently) and not a resourceVersion precondition on every change: the
 * kubelet updates the Node every few seconds, so that would conflict for
 * reasons that have nothing to do with taints. Not a strategic merge patch
 * with `$patch: delete` either: it has no precondition at all.
 */
export const STARTUP_TAINT: Readonly<V1Taint> = { key: STARTUP_TAINT_KEY, effect: "NoSchedule" };

export type JsonPatchOp =
  | { op: "test"; path: string; value: unknown }
  | { op: "remove"; path: string }
  | { op: "add"; path: string; value: unknown };

/** What the agent knows of the taint on its Node: present, absent, or unknown (read before acting). */
export type TaintKnowledge = boolean | null;

const isStartupTaint = (t: V1Taint) => t.key === STARTUP_TAINT_KEY && t.effect === STARTUP_TAINT.effect;

/** The taints as the API server stores them (the client turns timeAdded into a Date). */
function plainTaints(node: V1Node): Record<string, unknown>[] {
  return (node.spec?.taints ?? []).map((t) => {
    const { timeAdded, ...rest } = t;
    return timeAdded
      ? { ...rest, timeAdded: new Date(timeAdded).toISOString().replace(/\.\d{3}Z$/, "Z") }
      : rest;
  });
}

/** The JSON patch that makes the taint's presence `want`, or null when the Node already agrees. */
export function taintPatch(node: V1Node, want: boolean): JsonPatchOp[] | null {
  const taints = node.spec?.taints ?? [];
  const at = taints.findIndex(isStartupTaint);
  if (want === at >= 0) return null;
  const plain = plainTaints(node);
  if (!want) {
    return [
      { op: "test", path: `/spec/taints/${at}`, value: plain[at] },
      { op: "remove", path: `/spec/taints/${at}` },
    ];
  }
  if (node.spec?.taints === undefined) {
    return [
      { op: "test", path: "/metadata/resourceVersion", value: node.metadata?.resourceVersion ?? "" },
      { op: "add", path: "/spec/taints", value: [{ ...STARTUP_TAINT }] },
    ];
  }
  return [
    { op: "test", path: "/spec/taints", value: plain },
    { op: "add", path: "/spec/taints/-", value: { ...STARTUP_TAINT } },
  ];
}

/** Bounded: a Node whose taints keep changing under us is retried at the next check, not in a loop. */
const ATTEMPTS = 3;

/**
 * Brings the taint to what `trusted` asks for under `mode`. Reads the Node only
 * when the wanted state differs from what the agent last knew, so a steady
 * fleet makes no taint requests at all. Returns the new knowledge (null after
 * a failure: read again next time).
 */
export async function reconcileStartupTaint(
  api: NodeWriteApi,
  input: { node: string; mode: GateMode; trusted: boolean; known: TaintKnowledge },
  log: (level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void,
): Promise<TaintKnowledge> {
  // Bootstrap-only removes, never adds: an untrusted node keeps whatever it has.
  if (!input.trusted && input.mode === "bootstrap-only") return input.known;
  const want = !input.trusted;
  if (input.known === want) return input.known;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const node = await api.readNode(input.node);
      if (!node) throw new Error(`Node ${input.node} not found`);
      const patch = taintPatch(node, want);
      if (patch === null) return want;
      await api.jsonPatchNode(input.node, patch);
      log("info", want ? "startup taint added: trust broke" : "startup taint removed: trust verified", {
        taint: `${STARTUP_TAINT_KEY}:${STARTUP_TAINT.effect}`,
        gate: input.mode,
      });
      return want;
    } catch (error) {
      log("warn", "changing the startup taint failed", {
        attempt,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return null;
}
