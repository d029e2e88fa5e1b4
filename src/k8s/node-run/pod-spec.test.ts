import assert from "node:assert/strict";
import { test } from "node:test";
import { type NodeAction, nodePod, podName } from "./pod-spec.ts";

const base = { node: "worker-1", namespace: "ops", image: "img:1", deadlineSeconds: 300, suffix: "abcde" };

const cases: {
  action: NodeAction;
  args: string[];
  readOnly: boolean;
  caps: string[];
  hostPID: boolean;
}[] = [
  { action: "diagnose", args: ["repo.example.com:5000"], readOnly: true, caps: [], hostPID: false },
  { action: "audit", args: [], readOnly: true, caps: [], hostPID: false },
  {
    action: "trust",
    args: ["r:5000"],
    readOnly: false,
    caps: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SYS_CHROOT"],
    hostPID: false,
  },
  {
    action: "untrust",
    args: ["r:5000"],
    readOnly: false,
    caps: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SYS_CHROOT"],
    hostPID: false,
  },
  {
    action: "trust",
    args: ["r:5000", "--restart"],
    readOnly: false,
    caps: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SYS_CHROOT", "SYS_PTRACE", "SYS_ADMIN"],
    hostPID: true,
  },
  // --restart means nothing to diagnose: no extra privilege.
  { action: "diagnose", args: ["r:5000", "--restart"], readOnly: true, caps: [], hostPID: false },
];

for (const c of cases) {
  test(`${c.action} ${c.args.join(" ")}: mount ${c.readOnly ? "ro" : "rw"}, caps [${c.caps}]`, () => {
    const pod = nodePod({ ...base, action: c.action, args: c.args });
    const spec = pod.spec;
    const container = spec?.containers[0];
    assert.equal(spec?.nodeName, "worker-1");
    assert.deepEqual(spec?.tolerations, [{ operator: "Exists" }]);
    assert.equal(spec?.restartPolicy, "Never");
    assert.equal(spec?.activeDeadlineSeconds, 300);
    assert.equal(spec?.hostNetwork, true);
    assert.equal(spec?.automountServiceAccountToken, false);
    assert.equal(spec?.hostPID === true, c.hostPID);
    assert.deepEqual(container?.args, [c.action, ...c.args, "--root", "/host"]);
    assert.deepEqual(container?.volumeMounts, [{ name: "host", mountPath: "/host", readOnly: c.readOnly }]);
    assert.deepEqual(spec?.volumes, [{ name: "host", hostPath: { path: "/", type: "Directory" } }]);
    const sc = container?.securityContext;
    assert.equal(sc?.runAsUser, 0);
    assert.equal(sc?.privileged, undefined, "never a privileged container");
    assert.equal(sc?.allowPrivilegeEscalation, false);
    assert.equal(sc?.appArmorProfile?.type, c.hostPID ? "Unconfined" : undefined);
    assert.deepEqual(sc?.capabilities, { drop: ["ALL"], ...(c.caps.length ? { add: c.caps } : {}) });
    assert.equal(pod.metadata?.labels?.["regtrust.io/action"], c.action);
    assert.equal(pod.metadata?.labels?.["regtrust.io/node"], "worker-1");
    assert.equal(pod.metadata?.labels?.["app.kubernetes.io/name"], "regtrust");
  });
}

const names: [NodeAction, string, string][] = [
  ["diagnose", "worker-1", "regtrust-diagnose-worker-1-abcde"],
  ["trust", "Node_A.example.com", "regtrust-trust-node-a-example-com-abcde"],
  ["untrust", "x".repeat(100), `regtrust-untrust-${"x".repeat(63 - "regtrust-untrust--abcde".length)}-abcde`],
  ["audit", "---", "regtrust-audit-node-abcde"],
];
for (const [action, node, want] of names) {
  test(`podName(${action}, ${node.slice(0, 20)}) is a DNS-1123 label`, () => {
    const got = podName(action, node, "abcde");
    assert.equal(got, want);
    assert.ok(got.length <= 63);
    assert.match(got, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
}
