import assert from "node:assert/strict";
import { test } from "node:test";
import type { V1Pod } from "@kubernetes/client-node";
import { pendingDetail, podOutcome } from "./pod-outcome.ts";
import { nodePod, podName } from "./pod-spec.ts";

const base = nodePod({
  node: "node-a",
  action: "diagnose",
  args: ["x"],
  namespace: "ns",
  image: "img:1",
  deadlineSeconds: 60,
  suffix: "abcde",
});
const withStatus = (status: V1Pod["status"]): V1Pod => ({ ...base, status });
const container = (state: object) => ({
  name: "regtrust",
  image: "",
  imageID: "",
  ready: false,
  restartCount: 0,
  state,
});

const cases: Array<[string, V1Pod["status"], string, RegExp | number | null]> = [
  ["pending, nothing yet", { phase: "Pending" }, "running", null],
  ["running", { phase: "Running", containerStatuses: [container({ running: {} })] }, "running", null],
  [
    "exit 0",
    { phase: "Succeeded", containerStatuses: [container({ terminated: { exitCode: 0 } })] },
    "finished",
    0,
  ],
  [
    "exit 1 (findings)",
    { phase: "Failed", containerStatuses: [container({ terminated: { exitCode: 1 } })] },
    "finished",
    1,
  ],
  [
    "image pull",
    {
      phase: "Pending",
      containerStatuses: [container({ waiting: { reason: "ImagePullBackOff", message: "Back-off" } })],
    },
    "failed",
    /cannot pull img:1 \(ImagePullBackOff: Back-off\)/,
  ],
  [
    "bad image name",
    { phase: "Pending", containerStatuses: [container({ waiting: { reason: "InvalidImageName" } })] },
    "failed",
    /InvalidImageName/,
  ],
  [
    "config error",
    {
      phase: "Pending",
      containerStatuses: [
        container({ waiting: { reason: "CreateContainerConfigError", message: "no user" } }),
      ],
    },
    "failed",
    /CreateContainerConfigError\): no user/,
  ],
  ["deadline", { phase: "Failed", reason: "DeadlineExceeded" }, "failed", /deadline \(60 s\)/],
  [
    "deadline after kubelet killed the container (137): the deadline is the explanation",
    {
      phase: "Failed",
      reason: "DeadlineExceeded",
      containerStatuses: [container({ terminated: { exitCode: 137, reason: "Error" } })],
    },
    "failed",
    /deadline \(60 s\)/,
  ],
  [
    "evicted",
    { phase: "Failed", reason: "Evicted", message: "low on memory" },
    "failed",
    /Evicted\): low on memory/,
  ],
  [
    "container creating",
    { phase: "Pending", containerStatuses: [container({ waiting: { reason: "ContainerCreating" } })] },
    "running",
    null,
  ],
];

for (const [name, status, kind, expected] of cases) {
  test(`podOutcome: ${name}`, () => {
    const outcome = podOutcome(withStatus(status), "node-a");
    assert.equal(outcome.kind, kind);
    if (outcome.kind === "finished") assert.equal(outcome.exitCode, expected);
    if (outcome.kind === "failed") assert.match(outcome.message, expected as RegExp);
  });
}

test("pendingDetail names the unmet conditions", () => {
  const pod = withStatus({
    phase: "Pending",
    conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "node gone" }],
  });
  assert.equal(pendingDetail(pod), "phase Pending; PodScheduled=False (Unschedulable: node gone)");
  assert.equal(pendingDetail(null), "its status was never read");
});

const names: Array<[string, string]> = [
  ["node-a", "regtrust-diagnose-node-a-abcde"],
  [
    "ip-10-0-1-23.eu-west-1.compute.internal",
    "regtrust-diagnose-ip-10-0-1-23-eu-west-1-compute-internal-abcde",
  ],
  ["a".repeat(200), `regtrust-diagnose-${"a".repeat(63 - "regtrust-diagnose--abcde".length)}-abcde`],
];
for (const [node, expected] of names) {
  test(`podName is a DNS-1123 label of at most 63 characters: ${node.slice(0, 30)}`, () => {
    const name = podName("diagnose", node, "abcde");
    assert.equal(name, expected);
    assert.ok(name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name));
  });
}
