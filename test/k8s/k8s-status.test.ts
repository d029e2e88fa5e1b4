import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Json, wireAgentPod, wireNode } from "./fake-cluster.ts";
import { useFakeCluster } from "./harness.ts";

const agentPod = (node: string): Json => wireAgentPod(node, "ghcr.io/regtrust/regtrust:latest");

const FRESH = new Date().toISOString();
const TWO_HOURS_AGO = new Date(Date.now() - 2 * 3600_000).toISOString();

function nodeWith(name: string, condition: Json | null, registries: Json[] | null, heartbeat = FRESH): Json {
  const node = wireNode(name, []);
  const status = node.status as { conditions: Json[] };
  if (condition)
    status.conditions.push({
      type: "RegistryTrustReady",
      lastHeartbeatTime: heartbeat,
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
      nodeWith(
        "node-e",
        { status: "True", reason: "AllRegistriesTrusted", message: "" },
        null,
        TWO_HOURS_AGO,
      ),
    ],
    pods: [agentPod("node-a"), agentPod("node-b"), agentPod("node-c"), agentPod("node-e")],
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
    assert.deepEqual(report.stale, ["node-e"], "its agent pod exists, but its heartbeat is 2 h old");
    assert.equal(report.nodes.find((n: Json) => n.node === "node-a").stale, false);
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
    assert.match(
      run.stdout,
      /nodes whose agent stopped reporting \(no heartbeat for over 15 min; their verdict above may be old\): node-e \(last 2 h ago\)/,
    );
  });

  it("--stale-after: a longer limit clears node-e; a bad value is exit 2", async () => {
    const run = await kube.run(["k8s", "status", "--json", "--stale-after", "180"]);
    assert.deepEqual(JSON.parse(run.stdout).stale, []);
    const bad = await kube.run(["k8s", "status", "--stale-after", "soon"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--stale-after must be a whole number from 1 to 10080, got "soon"/);
  });
});
