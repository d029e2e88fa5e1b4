import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Json, wireNode, wirePod } from "./fake-cluster.ts";
import { useFakeCluster } from "./harness.ts";

function agentPod(node: string): Json {
  const pod = wirePod({
    namespace: "regtrust",
    name: `regtrust-agent-${node}`,
    node,
    createdAt: "2026-01-10T08:00:00Z",
    containers: [
      {
        name: "agent",
        image: "ghcr.io/regtrust/regtrust:latest",
        state: { running: { startedAt: "2026-01-10T08:01:00Z" } },
      },
    ],
  });
  (pod.metadata as Json).labels = { "app.kubernetes.io/name": "regtrust-agent" };
  return pod;
}

function nodeWith(name: string, condition: Json | null, registries: Json[] | null): Json {
  const node = wireNode(name, []);
  const status = node.status as { conditions: Json[] };
  if (condition)
    status.conditions.push({
      type: "RegistryTrustReady",
      lastHeartbeatTime: "2026-01-10T09:00:00Z",
      lastTransitionTime: "2026-01-10T09:00:00Z",
      ...condition,
    });
  if (registries) {
    (node.metadata as Json).annotations = {
      "regtrust.io/status": JSON.stringify({
        schemaVersion: 1,
        mode: "enforce",
        checkedAt: "2026-01-10T09:00:00Z",
        registries,
      }),
    };
  }
  return node;
}

describe("regtrust k8s status", () => {
  const kube = useFakeCluster(() => ({
    nodes: [
      nodeWith(
        "node-a",
        { status: "True", reason: "AllRegistriesTrusted", message: "1 registries trusted" },
        [{ registry: "repo.example.com:5000", trusted: true }],
      ),
      nodeWith(
        "node-b",
        { status: "False", reason: "UnknownAuthority", message: "repo.example.com:5000: unknown-authority" },
        [{ registry: "repo.example.com:5000", trusted: false, code: "unknown-authority" }],
      ),
      nodeWith("node-c", { status: "True", reason: "AllRegistriesTrusted", message: "" }, [
        { registry: "repo.example.com:5000", trusted: true, insecureOverride: true },
      ]),
      nodeWith("node-d", null, null),
    ],
    pods: [agentPod("node-a"), agentPod("node-b"), agentPod("node-c")],
    events: [],
  }));

  it("--json: per registry ready/not ready with why, insecure overrides, nodes with no agent; exit 1", async () => {
    const run = await kube.run(["k8s", "status", "--json"]);
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.registries, [
      {
        registry: "repo.example.com:5000",
        ready: ["node-a", "node-c"],
        notReady: [{ node: "node-b", code: "unknown-authority" }],
        insecure: ["node-c"],
      },
    ]);
    assert.deepEqual(report.noAgent, ["node-d"]);
    assert.equal(report.nodes.find((n: Json) => n.node === "node-b").condition.reason, "UnknownAuthority");
    const paths = kube.server().requests.map((r) => r.path);
    assert.ok(
      paths.some((p) => p.includes("/api/v1/namespaces/regtrust/pods")),
      JSON.stringify(paths),
    );
  });

  it("text: one row per registry and the nodes with no agent", async () => {
    const run = await kube.run(["k8s", "status"]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /repo\.example\.com:5000 {2,}2\/3 {2,}node-b \(unknown-authority\) {2,}node-c/);
    assert.match(run.stdout, /nodes with no agent: node-d/);
  });
});
