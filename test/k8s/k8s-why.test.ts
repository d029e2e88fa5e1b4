/**
 * `regtrust k8s why` end to end: the real @kubernetes/client-node against the
 * fake API server, the CLI run in-process. The incident's shape: old pods on
 * node-a and node-b run app:v1 from cache, the new pod on node-c cannot pull.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertGolden } from "../golden/assert-golden.ts";
import { useFakeCluster } from "./harness.ts";
import { APP_IMAGE, incidentCluster } from "./scenarios.ts";

const NEW_POD = "app-6c5d8f7b9-tz8wn";

interface WhyJson {
  schemaVersion: number;
  ok: boolean;
  pod: { namespace: string; name: string; node: string };
  failing: Array<{
    container: string;
    code: string;
    detail: string;
    source: string;
    text: string;
    registry: string;
  }>;
  timeline: Array<{ reason: string; message: string; count: number }>;
  cache: Array<{
    image: string;
    nodesWithImage: Array<{ node: string; evidence: string[]; pods: string[] }>;
    nodesWithout: string[] | null;
    podScope: string;
  }>;
  findings: Array<{ code: string; severity: string; fix: string[] }>;
  warnings: string[];
}

describe("k8s why on the incident", () => {
  const kube = useFakeCluster(incidentCluster);

  test("tells the cache story and the cause (golden)", async () => {
    const run = await kube.run(["k8s", "why", NEW_POD]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr, "");
    assert.match(run.stdout, /runs on node-a and node-b from their image cache/);
    assert.match(run.stdout, /node-c has no copy and cannot pull: unknown-authority/);
    assert.match(run.stdout, /x509: certificate signed by unknown authority/);
    assertGolden("k8s-why-incident.txt", run.stdout);
  });

  test("--json: cause from kubelet's Failed event, cache evidence per node", async () => {
    const run = await kube.run(["k8s", "why", `pod/${NEW_POD}`, "-n", "default", "--json"]);
    assert.equal(run.code, 1, run.stderr);
    const result = JSON.parse(run.stdout) as WhyJson;
    assert.equal(result.schemaVersion, 1);
    assert.equal(result.ok, false);
    assert.equal(result.pod.node, "node-c");
    const [story] = result.failing;
    assert.equal(story?.code, "unknown-authority");
    assert.equal(story?.source, "event", "kubelet 1.29's back-off message carries no cause");
    assert.equal(story?.detail, "x509: certificate signed by unknown authority");
    assert.equal(story?.registry, APP_IMAGE.split("/")[0]);
    assert.match(
      story?.text ?? "",
      /^Failed to pull image ".*": rpc error: code = Unknown desc = failed to pull and unpack image/,
    );
    const [cache] = result.cache;
    assert.deepEqual(
      cache?.nodesWithImage.map((n) => [n.node, n.evidence, n.pods]),
      [
        ["node-a", ["node-status", "running-pod"], ["default/app-6c5d8f7b9-4xk2p"]],
        ["node-b", ["node-status", "running-pod"], ["default/app-6c5d8f7b9-9hq7m"]],
      ],
    );
    assert.deepEqual(cache?.nodesWithout, ["node-c"]);
    assert.equal(cache?.podScope, "all-namespaces");
    assert.deepEqual(
      result.findings.map((f) => [f.code, f.severity]),
      [["unknown-authority", "error"]],
    );
    assert.deepEqual(result.warnings, []);
  });

  test("the timeline holds this pod's events only (an earlier pod of the same name is left out)", async () => {
    const run = await kube.run(["k8s", "why", NEW_POD, "--json"]);
    const result = JSON.parse(run.stdout) as WhyJson;
    assert.deepEqual(
      result.timeline.map((e) => e.reason),
      ["Scheduled", "Pulling", "Failed", "Failed", "BackOff", "Failed"],
    );
    assert.ok(
      !run.stdout.includes("certificate is valid for"),
      "the stale hostname-mismatch event is ignored",
    );
    const query = kube.server().requests.find((r) => r.path === "/api/v1/namespaces/default/events")?.query;
    assert.equal(query?.fieldSelector, `involvedObject.kind=Pod,involvedObject.name=${NEW_POD}`);
  });

  test("a healthy pod: says so, exit 0", async () => {
    const run = await kube.run(["k8s", "why", "app-6c5d8f7b9-4xk2p"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /default\/app-6c5d8f7b9-4xk2p has no image pull problem/);
    assert.match(run.stdout, /phase Running on node-a/);
  });

  test("no such pod: exit 2 naming pod and namespace", async () => {
    const run = await kube.run(["k8s", "why", "ghost", "-n", "shop"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /pod "ghost" not found in namespace "shop"/);
    assert.equal(run.stdout, "");
  });

  test("nodes forbidden: the story still comes from running pods, with a note", async () => {
    kube.server().forbid.push({ verb: "list", resource: "nodes" });
    try {
      const run = await kube.run(["k8s", "why", NEW_POD, "--json"]);
      assert.equal(run.code, 1, run.stderr);
      const result = JSON.parse(run.stdout) as WhyJson;
      assert.deepEqual(
        result.cache[0]?.nodesWithImage.map((n) => [n.node, n.evidence]),
        [
          ["node-a", ["running-pod"]],
          ["node-b", ["running-pod"]],
        ],
      );
      assert.equal(result.cache[0]?.nodesWithout, null);
      assert.match(result.warnings.join("\n"), /verb "list" on resource "nodes"/);
    } finally {
      kube.server().forbid.length = 0;
    }
  });

  test("pods forbidden cluster-wide: falls back to the pod's namespace", async () => {
    kube.server().forbid.push({ verb: "list", resource: "pods", namespace: null });
    try {
      const run = await kube.run(["k8s", "why", NEW_POD, "--json"]);
      const result = JSON.parse(run.stdout) as WhyJson;
      assert.equal(result.cache[0]?.podScope, "namespace");
      assert.equal(result.cache[0]?.nodesWithImage.length, 2);
      assert.match(result.warnings.join("\n"), /only in namespace "default"/);
    } finally {
      kube.server().forbid.length = 0;
    }
  });

  test("reading the pod forbidden: exit 2 naming the verb, resource and namespace", async () => {
    kube.server().forbid.push({ verb: "get", resource: "pods" });
    try {
      const run = await kube.run(["k8s", "why", NEW_POD]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /forbidden to get pod "app-6c5d8f7b9-tz8wn" in namespace "default" \(403\)/);
      assert.match(
        run.stderr,
        /RBAC must grant verb "get" on resource "pods" \(API group ""\) in namespace "default"/,
      );
    } finally {
      kube.server().forbid.length = 0;
    }
  });

  test("an invalid pod name is a usage error", async () => {
    const run = await kube.run(["k8s", "why", "Bad_Name"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /"Bad_Name" is not a pod name/);
  });
});
