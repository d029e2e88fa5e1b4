import assert from "node:assert/strict";
import { test } from "node:test";
import type { ImageCache } from "../../k8s/triage/image-cache.ts";
import type { ContainerStory, WhyReport } from "../../k8s/triage/why.ts";
import { makeStyle } from "../style.ts";
import { renderWhyText } from "./k8s-why-text.ts";

const IMAGE = "repo.example.com:5000/team/app:v1";
const plain = makeStyle(false);

function report(story: Partial<ContainerStory>, cache: Partial<ImageCache>): WhyReport {
  const failing: ContainerStory = {
    container: "app",
    init: false,
    image: IMAGE,
    registry: "repo.example.com:5000",
    reason: "ImagePullBackOff",
    pullPolicy: "IfNotPresent",
    code: "unknown-authority",
    message: "m",
    detail: "x509: certificate signed by unknown authority",
    text: null,
    source: "none",
    ...story,
  };
  return {
    schemaVersion: 1,
    pod: { namespace: "default", name: "app-1", uid: null, node: "node-c", phase: "Pending" },
    ok: false,
    failing: [failing],
    otherWaiting: [],
    timeline: [],
    cache: [
      {
        image: IMAGE,
        nodesWithImage: [],
        nodesWithout: ["node-c"],
        totalNodes: 1,
        podScope: "all-namespaces",
        ...cache,
      },
    ],
    findings: [],
    warnings: [],
  };
}

const holders: ImageCache["nodesWithImage"] = [
  { node: "node-a", evidence: ["node-status", "running-pod"], pods: ["default/app-0"] },
  { node: "node-c", evidence: ["node-status"], pods: [] },
];

test("imagePullPolicy Always: cached copies do not help new pods", () => {
  const text = renderWhyText(
    report({ pullPolicy: "Always" }, { nodesWithImage: holders, nodesWithout: [] }),
    plain,
  );
  assert.match(text, /runs on node-a from their image cache; running: default\/app-0 on node-a/);
  assert.match(
    text,
    /node-c holds a copy, yet kubelet pulls again \(imagePullPolicy Always\) and the pull fails: unknown-authority/,
  );
  assert.match(text, /imagePullPolicy is Always: kubelet asks the registry for every new container/);
  assert.doesNotMatch(text, /That is why/);
});

test("no node holds the image; other nodes will fail the same way", () => {
  const text = renderWhyText(
    report({}, { nodesWithout: ["node-c", "node-d", "node-e"], totalNodes: 3 }),
    plain,
  );
  assert.match(text, /node-c has no copy and cannot pull: unknown-authority/);
  assert.match(
    text,
    /2 other nodes have no copy either \(node-d and node-e\): new pods scheduled there fail the same way/,
  );
  assert.match(text, /No node has a copy: every node must pull the image, and the pull fails\./);
  assert.match(text, /runtime {4}\(no runtime error text/);
});

test("a pod without a pull problem names what else it waits on", () => {
  const ok: WhyReport = {
    ...report({}, {}),
    ok: true,
    failing: [],
    cache: [],
    otherWaiting: [
      { container: "app", reason: "CrashLoopBackOff", message: "back-off 5m0s restarting failed container" },
    ],
  };
  const text = renderWhyText(ok, plain);
  assert.match(text, /^✓ default\/app-1 has no image pull problem\n/);
  assert.match(
    text,
    /container app waits: CrashLoopBackOff — back-off 5m0s restarting failed container \(not a pull problem\)/,
  );
});
