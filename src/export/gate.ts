import { STARTUP_TAINT_KEY } from "../k8s/manifests/node-write-policy.ts";

/**
 * The startup taint `--gate` puts on new nodes (the fleet gating of
 * docs/agent.md): the node registers tainted and the regtrust agent, or the
 * Node Readiness Controller, removes the taint once the registry is trusted.
 */
export const GATE_TAINT = { key: STARTUP_TAINT_KEY, effect: "NoSchedule" } as const;

/** What every `--gate` output says about the taint, as comment lines. */
export const GATE_NOTE = [
  `--gate: new nodes start with the taint ${STARTUP_TAINT_KEY}:NoSchedule. Something must remove it once the`,
  "registry is trusted: the regtrust agent deployed with the startup taint (docs/agent.md) or a Node Readiness",
  "Controller rule; without one the nodes stay unschedulable.",
];

/** A Kubernetes object name from the registry: DNS-1123 label characters only. */
export function objectNameFor(registry: string): string {
  const base = `regtrust-${registry
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")}`.replace(/-+$/, "");
  return base.slice(0, 63).replace(/-+$/, "");
}
