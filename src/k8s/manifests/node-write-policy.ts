import { CONDITION_TYPE, STATUS_ANNOTATION } from "../fleet/node-condition.ts";

/**
 * RBAC cannot say "your own Node" (the agent's ClusterRole grants `patch`
 * on every Node, whose names are not known in advance), so a
 * ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, GA in
 * Kubernetes 1.30) narrows what the agent's ServiceAccount may change:
 * - only the Node its pod runs on: the node name the API server takes from
 *   the pod-bound token into `request.userInfo.extra` under NODE_NAME_KEY
 *   (k8s.io/apiserver pkg/authentication/serviceaccount/util.go UserInfo;
 *   feature ServiceAccountTokenPodNodeInfo: beta and on by default in 1.30,
 *   GA in 1.32, pkg/features/kube_features.go). No claim, no write;
 * - only the regtrust.io/status annotation and the RegistryTrustReady
 *   condition: labels, other annotations, finalizers, owner references, the
 *   spec (taints, unschedulable, …) and the rest of the status stay as they
 *   were. Checked by comparing everything else with `oldObject`, so a field
 *   added to Node later is covered too.
 *
 * The API server hands objects to CEL as plain maps and lists
 * (staging/src/k8s.io/apiserver/pkg/admission/plugin/cel/filter.go
 * objectToResolveVal: the unstructured form), so the expressions iterate map
 * keys. They use only standard CEL (has, in, all, filter, size, ?:) — no
 * Kubernetes library function — so the tests evaluate them with a
 * conformance-tested CEL implementation (node-write-policy.test.ts).
 */
export const NODE_NAME_KEY = "authentication.kubernetes.io/node-name";
export const POLICY_NAME = "regtrust-agent-node-writes";
/** The startup taint of the fleet's `--gate agent` (issue 20): the only taint the agent may add or remove. */
export const STARTUP_TAINT_KEY = "readiness.k8s.io/registry-trust";

export interface NodeWritePolicyOptions {
  /** The agent's ServiceAccount, as `system:serviceaccount:<namespace>:<name>`. */
  username: string;
  /** Also allow adding/removing the STARTUP_TAINT_KEY NoSchedule taint (the agent gate). */
  startupTaint?: boolean;
  labels: Record<string, string>;
}

type Doc = Record<string, unknown>;

const q = (s: string) => `'${s}'`;
/** `m` minus `skip` equals `n` minus `skip`, as key sets and values (CEL maps have no "remove key"). */
const sameExcept = (m: string, n: string, skip: string) =>
  `${n}.all(k, k in ${skip} || (k in ${m} && ${n}[k] == ${m}[k])) && ${m}.all(k, k in ${skip} || k in ${n})`;

export function nodeWritePolicy(opts: NodeWritePolicyOptions): Doc {
  const owned = opts.startupTaint ? [STARTUP_TAINT_KEY] : [];
  const extra = `request.userInfo.extra[${q(NODE_NAME_KEY)}]`;
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: POLICY_NAME, labels: opts.labels },
    spec: {
      failurePolicy: "Fail",
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: [""],
            apiVersions: ["v1"],
            operations: ["UPDATE"],
            resources: ["nodes", "nodes/status"],
          },
        ],
      },
      matchConditions: [
        { name: "regtrust-agent", expression: `request.userInfo.username == ${q(opts.username)}` },
      ],
      variables: [
        {
          name: "nodeName",
          expression: `has(request.userInfo.extra) && ${q(NODE_NAME_KEY)} in request.userInfo.extra && size(${extra}) == 1 ? ${extra}[0] : ''`,
        },
        { name: "ownedTaintKeys", expression: `[${owned.map(q).join(", ")}]` },
        ...oldAndNew("Annotations", (o) => `${o}.metadata`, "annotations", "{}"),
        ...oldAndNew("Spec", (o) => o, "spec", "{}"),
        ...oldAndNew("Status", (o) => o, "status", "{}"),
        ...oldAndNew("Taints", (_, age) => `variables.${age}Spec`, "taints", "[]"),
        ...oldAndNew("Conditions", (_, age) => `variables.${age}Status`, "conditions", "[]"),
      ],
      validations: validations(opts),
    },
  };
}

/**
 * `oldX`/`newX` for a field that may be absent (omitempty in the unstructured
 * form), defaulting to an empty map or list; `parent` names the map holding it.
 */
function oldAndNew(
  name: string,
  parent: (object: string, age: "old" | "new") => string,
  field: string,
  empty: string,
): { name: string; expression: string }[] {
  return (
    [
      ["old", "oldObject"],
      ["new", "object"],
    ] as const
  ).map(([age, object]) => {
    const path = `${parent(object, age)}.${field}`;
    return { name: `${age}${name}`, expression: `has(${path}) ? ${path} : ${empty}` };
  });
}

function validations(opts: NodeWritePolicyOptions): Doc[] {
  const v = "variables";
  const notOwnedTaint = `!(t.key in ${v}.ownedTaintKeys)`;
  const otherCondition = `c.type != ${q(CONDITION_TYPE)}`;
  return [
    {
      expression: `${v}.nodeName != ''`,
      message: `regtrust-agent's credential names no node (user extra ${NODE_NAME_KEY}): Node writes need a pod-bound service-account token from Kubernetes 1.30 or later (ServiceAccountTokenPodNodeInfo)`,
      reason: "Forbidden",
    },
    {
      expression: `${v}.nodeName == '' || request.name == ${v}.nodeName`,
      messageExpression: `'regtrust-agent on node ' + ${v}.nodeName + ' may change only its own Node, not ' + request.name`,
      reason: "Forbidden",
    },
    {
      expression: sameExcept(
        "oldObject.metadata",
        "object.metadata",
        "['annotations', 'managedFields', 'resourceVersion']",
      ),
      message:
        "regtrust-agent may not change a Node's labels, finalizers, owner references or other metadata",
      reason: "Forbidden",
    },
    {
      expression: sameExcept(`${v}.oldAnnotations`, `${v}.newAnnotations`, `[${q(STATUS_ANNOTATION)}]`),
      message: `regtrust-agent may change only the ${STATUS_ANNOTATION} annotation of a Node`,
      reason: "Forbidden",
    },
    {
      expression: sameExcept(`${v}.oldSpec`, `${v}.newSpec`, "['taints']"),
      message: "regtrust-agent may not change a Node's spec (unschedulable, podCIDR, providerID, …)",
      reason: "Forbidden",
    },
    {
      expression:
        `${v}.newTaints.filter(t, ${notOwnedTaint}) == ${v}.oldTaints.filter(t, ${notOwnedTaint})` +
        ` && ${v}.newTaints.all(t, ${notOwnedTaint} || t.effect == 'NoSchedule')`,
      message: opts.startupTaint
        ? `regtrust-agent may add or remove only its own startup taint ${STARTUP_TAINT_KEY}:NoSchedule`
        : "regtrust-agent may not change a Node's taints",
      reason: "Forbidden",
    },
    {
      expression: sameExcept(`${v}.oldStatus`, `${v}.newStatus`, "['conditions']"),
      message: `regtrust-agent may not change a Node's status other than its ${CONDITION_TYPE} condition`,
      reason: "Forbidden",
    },
    {
      expression: `${v}.newConditions.filter(c, ${otherCondition}) == ${v}.oldConditions.filter(c, ${otherCondition})`,
      message: `regtrust-agent may change only the ${CONDITION_TYPE} condition of a Node`,
      reason: "Forbidden",
    },
  ];
}

export function nodeWritePolicyBinding(labels: Record<string, string>): Doc {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name: POLICY_NAME, labels },
    spec: { policyName: POLICY_NAME, validationActions: ["Deny"] },
  };
}
