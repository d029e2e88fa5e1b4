import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { CoreV1Event, V1Node } from "@kubernetes/client-node";
import fastJsonPatch from "fast-json-patch";
import type { NodeWriteApi } from "../../src/k8s/client/kube-api.ts";
import type { NodeTrustStatus } from "../../src/k8s/fleet/node-condition.ts";
import { publishNodeStatus } from "../../src/k8s/fleet/node-status.ts";
import { taintPatch } from "../../src/k8s/fleet/startup-taint.ts";
import { buildManifests } from "../../src/k8s/manifests/manifests.ts";
import { NODE_NAME_KEY, STARTUP_TAINT_KEY } from "../../src/k8s/manifests/node-write-policy.ts";
import { type AdmissionRequest, admit } from "../support/admission-policy.ts";

/**
 * The generated ValidatingAdmissionPolicy, evaluated by a real CEL
 * implementation (test/support/admission-policy.ts) against admission
 * requests built the way kube-apiserver builds them: the stored Node
 * (fixtures/node-worker-1.json, a kubelet-registered node in unstructured
 * form), the patch applied, then the strategy's reset (nodes: status kept;
 * nodes/status: spec kept — pkg/registry/core/node/strategy.go), and the
 * managedFields the field manager rewrites before admission.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON fixtures, navigated freely by the edits
type Json = Record<string, any>;

const AGENT = "system:serviceaccount:regtrust:regtrust-agent";
const stored: Json = JSON.parse(
  readFileSync(new URL("fixtures/node-worker-1.json", import.meta.url), "utf8"),
);
const clone = (v: Json): Json => structuredClone(v);

function policyDocs(options: { startupTaint?: boolean } = {}) {
  const docs = buildManifests({
    registries: ["repo.example.com:5000"],
    caPem: "",
    mode: "enforce",
    image: "img",
    namespace: "regtrust",
    ...(options.startupTaint ? { gate: { by: "agent", mode: "bootstrap-only" } as const } : {}),
  }) as Json[];
  const policy = docs.find((d) => d.kind === "ValidatingAdmissionPolicy");
  const binding = docs.find((d) => d.kind === "ValidatingAdmissionPolicyBinding");
  assert.ok(policy && binding);
  return { policy, binding };
}

/** RFC 7386 JSON merge patch (what patchNode sends). */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: Json = target && typeof target === "object" && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Strategic merge of status.conditions by their merge key `type` (core/v1 NodeStatus), as patchNodeStatus sends. */
function conditionsPatch(node: Json, patch: Json): Json {
  const out = clone(node);
  const conditions: Json[] = out.status.conditions ?? [];
  for (const c of patch.status.conditions as Json[]) {
    const i = conditions.findIndex((x) => x.type === c.type);
    if (i >= 0) conditions[i] = { ...conditions[i], ...c };
    else conditions.push(c);
  }
  out.status.conditions = conditions;
  return out;
}

interface Change {
  subResource?: "status";
  /** Returns the object as the patch leaves it (before the strategy's reset). */
  edit: (node: Json) => Json;
}

function request(
  change: Change,
  opts: { node?: string; user?: string; extra?: Record<string, string[]> } = {},
) {
  const old = clone(stored);
  const patched = change.edit(clone(stored));
  // The strategy resets what the subresource may not change; the field manager stamps managedFields.
  if (change.subResource === "status") patched.spec = clone(old.spec);
  else patched.status = clone(old.status);
  patched.metadata.managedFields = [
    ...old.metadata.managedFields,
    { manager: "regtrust", operation: "Update", apiVersion: "v1", time: "2026-12-06T11:00:00Z" },
  ];
  const req: AdmissionRequest = {
    operation: "UPDATE",
    resource: { group: "", version: "v1", resource: "nodes" },
    ...(change.subResource ? { subResource: change.subResource } : {}),
    name: patched.metadata.name,
    userInfo: {
      username: opts.user ?? AGENT,
      groups: ["system:serviceaccounts", "system:serviceaccounts:regtrust", "system:authenticated"],
      extra: opts.extra ?? {
        "authentication.kubernetes.io/credential-id": ["JTI=4f1c"],
        "authentication.kubernetes.io/pod-name": ["regtrust-agent-x7k2p"],
        "authentication.kubernetes.io/pod-uid": ["0b1f2e3d-4c5b-6a79-8897-a6b5c4d3e2f1"],
        [NODE_NAME_KEY]: [opts.node ?? "worker-1"],
        "authentication.kubernetes.io/node-uid": ["9d1c6a0e-3f43-4c36-9a57-3b8f0f0d6b11"],
      },
    },
    object: patched,
    oldObject: old,
  };
  return req;
}

/** The two patches the agent itself sends for a verdict (k8s/fleet/node-status.ts), captured, not transcribed. */
async function agentPatches(): Promise<{ status: Json; node: Json }> {
  const sent: { status?: Json; node?: Json } = {};
  const api: NodeWriteApi = {
    readNode: async () => null,
    patchNodeStatus: async (_name, patch) => {
      sent.status = patch as Json;
    },
    patchNode: async (_name, patch) => {
      sent.node = patch as Json;
    },
    jsonPatchNode: async () => {},
    createEvent: async (_ns: string, _e: CoreV1Event) => {},
  };
  const status: NodeTrustStatus = {
    schemaVersion: 1,
    mode: "enforce",
    checkedAt: "2026-12-06T11:00:00Z",
    registries: [{ registry: "repo.example.com:5000", trusted: true }],
  };
  await publishNodeStatus(api, { node: "worker-1", status, heartbeatMs: 60_000, now: new Date() }, null);
  assert.ok(sent.status && sent.node);
  return { status: sent.status, node: sent.node };
}

const annotate = (key: string, value: string | null): Change => ({
  edit: (n) => mergePatch(n, { metadata: { annotations: { [key]: value } } }) as Json,
});
const editSpec = (f: (spec: Json) => void): Change => ({
  edit: (n) => {
    f(n.spec);
    return n;
  },
});
const editStatus = (f: (status: Json) => void): Change => ({
  subResource: "status",
  edit: (n) => {
    f(n.status);
    return n;
  },
});
const ownTaint = { key: STARTUP_TAINT_KEY, effect: "NoSchedule" };

describe("ValidatingAdmissionPolicy: the agent changes only its own Node's regtrust keys", () => {
  it("allows the agent's own annotation patch and condition patch (captured from node-status.ts)", async () => {
    const { policy, binding } = policyDocs();
    const patches = await agentPatches();
    const annotation = admit(policy, binding, request({ edit: (n) => mergePatch(n, patches.node) as Json }));
    assert.deepEqual(annotation, { applies: true, allowed: true, messages: [] });
    const condition = admit(
      policy,
      binding,
      request({ subResource: "status", edit: (n) => conditionsPatch(n, patches.status) }),
    );
    assert.deepEqual(condition, { applies: true, allowed: true, messages: [] });
  });

  it("allows the first condition and the first annotation on a Node that has neither", async () => {
    const { policy, binding } = policyDocs();
    const patches = await agentPatches();
    const bare = clone(stored);
    delete bare.metadata.annotations;
    bare.status.conditions = bare.status.conditions.filter((c: Json) => c.type !== "RegistryTrustReady");
    const on = (edit: Change["edit"], subResource?: "status") => {
      const req = request({ ...(subResource ? { subResource } : {}), edit: () => edit(clone(bare)) });
      req.oldObject = clone(bare);
      if (subResource) (req.object as Json).spec = clone(bare.spec);
      else (req.object as Json).status = clone(bare.status);
      return admit(policy, binding, req);
    };
    assert.equal(on((n) => mergePatch(n, patches.node) as Json).allowed, true);
    assert.equal(on((n) => conditionsPatch(n, patches.status), "status").allowed, true);
  });

  const denied: [string, Change, RegExp][] = [
    [
      "a label added",
      { edit: (n) => mergePatch(n, { metadata: { labels: { evil: "1" } } }) as Json },
      /labels/,
    ],
    [
      "a label changed",
      { edit: (n) => mergePatch(n, { metadata: { labels: { "kubernetes.io/os": "windows" } } }) as Json },
      /labels/,
    ],
    [
      "a label removed through nodes/status",
      {
        subResource: "status",
        edit: (n) => mergePatch(n, { metadata: { labels: { "topology.kubernetes.io/zone": null } } }) as Json,
      },
      /labels/,
    ],
    [
      "another annotation added",
      annotate("evil.example.com/x", "1"),
      /only the regtrust.io\/status annotation/,
    ],
    [
      "another annotation changed",
      annotate("node.alpha.kubernetes.io/ttl", "30"),
      /regtrust.io\/status annotation/,
    ],
    [
      "another annotation removed",
      annotate("volumes.kubernetes.io/controller-managed-attach-detach", null),
      /regtrust.io\/status annotation/,
    ],
    [
      "a finalizer",
      { edit: (n) => mergePatch(n, { metadata: { finalizers: ["x/y"] } }) as Json },
      /finalizers/,
    ],
    [
      "an owner reference",
      {
        edit: (n) =>
          mergePatch(n, {
            metadata: { ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "c", uid: "u" }] },
          }) as Json,
      },
      /owner references/,
    ],
    ["unschedulable", editSpec((s) => Object.assign(s, { unschedulable: true })), /spec/],
    ["providerID", editSpec((s) => Object.assign(s, { providerID: "aws:///x/i-1" })), /spec/],
    ["podCIDR removed", editSpec((s) => delete s.podCIDR), /spec/],
    ["a taint added", editSpec((s) => s.taints.push({ key: "evil", effect: "NoExecute" })), /taints/],
    ["a taint removed", editSpec((s) => s.taints.splice(0, 1)), /taints/],
    ["a taint changed", editSpec((s) => Object.assign(s.taints[0], { effect: "NoExecute" })), /taints/],
    ["the startup taint without --gate agent", editSpec((s) => s.taints.push(ownTaint)), /taints/],
    [
      "the Ready condition changed",
      editStatus((s) => Object.assign(s.conditions[1], { status: "False" })),
      /only the RegistryTrustReady condition/,
    ],
    [
      "another condition added",
      editStatus((s) => s.conditions.push({ type: "Evil", status: "True" })),
      /RegistryTrustReady condition/,
    ],
    ["a condition removed", editStatus((s) => s.conditions.splice(0, 1)), /RegistryTrustReady condition/],
    ["capacity changed", editStatus((s) => Object.assign(s.capacity, { pods: "500" })), /status other than/],
    ["addresses changed", editStatus((s) => s.addresses.pop()), /status other than/],
  ];
  for (const [what, change, message] of denied) {
    it(`denies ${what}`, () => {
      const { policy, binding } = policyDocs();
      const outcome = admit(policy, binding, request(change));
      assert.equal(outcome.allowed, false, `${what} was allowed`);
      assert.match(outcome.messages.join("\n"), message);
    });
  }

  it("denies the agent's own patches on another Node, naming both", async () => {
    const { policy, binding } = policyDocs();
    const patches = await agentPatches();
    const outcome = admit(
      policy,
      binding,
      request({ edit: (n) => mergePatch(n, patches.node) as Json }, { node: "worker-2" }),
    );
    assert.equal(outcome.allowed, false);
    assert.deepEqual(outcome.messages, [
      "regtrust-agent on node worker-2 may change only its own Node, not worker-1",
    ]);
  });

  it("denies a credential without the node-name claim (no extra, other keys, an empty value)", async () => {
    const { policy, binding } = policyDocs();
    const patches = await agentPatches();
    const change = { edit: (n: Json) => mergePatch(n, patches.node) as Json };
    const extras: Record<string, string[]>[] = [
      {},
      { "authentication.kubernetes.io/pod-name": ["p"] },
      { [NODE_NAME_KEY]: [] },
    ];
    for (const extra of extras) {
      const outcome = admit(policy, binding, request(change, { extra }));
      assert.equal(outcome.allowed, false, JSON.stringify(extra));
      assert.match(outcome.messages.join("\n"), /names no node .*1\.30/);
    }
    const noExtra = request(change);
    delete noExtra.userInfo.extra;
    assert.equal(admit(policy, binding, noExtra).allowed, false);
  });

  it("does not apply to other users (kubelet, operators) nor to other resources", () => {
    const { policy, binding } = policyDocs();
    const labels = { edit: (n: Json) => mergePatch(n, { metadata: { labels: { x: "1" } } }) as Json };
    const kubelet = admit(policy, binding, request(labels, { user: "system:node:worker-1", extra: {} }));
    assert.deepEqual(kubelet, { applies: false, allowed: true, messages: [] });
    const pods = request(labels);
    pods.resource = { group: "", version: "v1", resource: "pods" };
    assert.equal(admit(policy, binding, pods).applies, false);
  });

  it("with the startup taint (--gate agent): adds and removes exactly that taint, nothing else", () => {
    const { policy, binding } = policyDocs({ startupTaint: true });
    const tainted = clone(stored);
    tainted.spec.taints.push(ownTaint);
    const from = (old: Json, edit: (s: Json) => void) => {
      const req = request(editSpec(edit));
      req.oldObject = clone(old);
      const object = clone(old);
      edit(object.spec);
      object.metadata.managedFields = (req.object as Json).metadata.managedFields;
      req.object = object;
      return admit(policy, binding, req);
    };
    assert.equal(from(stored, (s) => s.taints.push(ownTaint)).allowed, true, "add");
    assert.equal(from(tainted, (s) => s.taints.splice(1, 1)).allowed, true, "remove");
    const onlyOwn = clone(tainted);
    onlyOwn.spec.taints = [ownTaint];
    assert.equal(
      from(onlyOwn, (s) => delete s.taints).allowed,
      true,
      "remove the last taint (field omitted)",
    );
    assert.equal(from(stored, (s) => s.taints.push({ ...ownTaint, effect: "NoExecute" })).allowed, false);
    assert.equal(from(tainted, (s) => s.taints.splice(0, 1)).allowed, false, "another taint removed");
    const both = from(tainted, (s) => {
      s.taints.splice(1, 1);
      s.unschedulable = true;
    });
    assert.equal(both.allowed, false);
    assert.match(both.messages.join("\n"), /spec/);
  });

  it("allows exactly the agent's own taint patches (startup-taint.ts), applied as RFC 6902, on its own Node only", () => {
    const { policy, binding } = policyDocs({ startupTaint: true });
    const tainted = clone(stored);
    tainted.spec.taints.push(ownTaint);
    const onlyOwn = clone(stored);
    onlyOwn.spec.taints = [ownTaint];
    const untainted = clone(stored);
    delete untainted.spec.taints;
    const cases: Array<[string, Json, boolean]> = [
      ["remove next to another taint", tainted, false],
      ["remove the only taint", onlyOwn, false],
      ["add next to another taint", stored, true],
      ["add to a Node without taints", untainted, true],
    ];
    for (const [name, old, want] of cases) {
      const ops = taintPatch(old as V1Node, want);
      assert.ok(ops, name);
      const object = fastJsonPatch.applyPatch(clone(old), ops, true, false).newDocument as Json;
      const req = request(editSpec(() => {}));
      req.oldObject = clone(old);
      object.metadata.managedFields = (req.object as Json).metadata.managedFields;
      req.object = object;
      const outcome = admit(policy, binding, req);
      assert.equal(outcome.allowed, true, `${name}: ${outcome.messages.join("; ")}`);
      // The same patch from an agent on another node is denied.
      const elsewhere = admit(policy, binding, {
        ...req,
        userInfo: { ...req.userInfo, extra: { [NODE_NAME_KEY]: ["worker-2"] } },
      });
      assert.equal(elsewhere.allowed, false, name);
      // Without --gate agent the policy refuses the same patch.
      const plain = policyDocs();
      assert.equal(admit(plain.policy, plain.binding, req).allowed, false, `${name} without the gate`);
    }
  });
});
