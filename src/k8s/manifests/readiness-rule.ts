import type { GateMode } from "../../agent/agent-config.ts";
import { CONDITION_TYPE } from "../fleet/node-condition.ts";
import { STARTUP_TAINT_KEY } from "./node-write-policy.ts";

/**
 * `k8s manifests --gate nrc`: a NodeReadinessRule for the Node Readiness
 * Controller (kubernetes-sigs/node-readiness-controller v0.5.0,
 * api/v1alpha1/nodereadinessrule_types.go; CRD
 * config/crd/bases/readiness.node.x-k8s.io_nodereadinessrules.yaml). The
 * controller removes the taint once the agent publishes RegistryTrustReady=True;
 * `continuous` also re-taints the Node when the condition leaves True.
 *
 * conditions, enforcementMode, nodeSelector and the taint's key/effect/value
 * are immutable (x-kubernetes-validations `self == oldSelf`): switching
 * `--gate-mode` means deleting the rule and creating it again, which
 * `kubectl apply` cannot do (docs/gating.md).
 */
export const READINESS_RULE_NAME = "regtrust-registry-trust";

export function nodeReadinessRule(mode: GateMode, labels: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: "readiness.node.x-k8s.io/v1alpha1",
    kind: "NodeReadinessRule",
    metadata: { name: READINESS_RULE_NAME, labels },
    spec: {
      conditions: [{ type: CONDITION_TYPE, requiredStatus: "True" }],
      taint: { key: STARTUP_TAINT_KEY, effect: "NoSchedule" },
      enforcementMode: mode,
      // Required by the CRD; empty selects every Node, as the agent runs on every Node.
      nodeSelector: {},
    },
  };
}
