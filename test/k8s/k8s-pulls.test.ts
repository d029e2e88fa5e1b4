/**
 * `regtrust k8s pulls` end to end against the fake API server: grouping by
 * registry and cause across namespaces, paging through `continue`, events
 * read only when a status message does not name the cause.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertGolden } from "../golden/assert-golden.ts";
import { useFakeCluster } from "./harness.ts";
import { APP_IMAGE, capturedImage, fleetCluster } from "./scenarios.ts";

interface PullsJson {
  schemaVersion: number;
  namespace: string | null;
  ok: boolean;
  scannedPods: number;
  failingContainers: number;
  failingPods: number;
  groups: Array<{
    registry: string;
    code: string;
    containers: number;
    pods: number;
    nodes: string[];
    images: string[];
    fix: string[];
    failing: Array<{ namespace: string; pod: string; container: string; init: boolean; source: string }>;
  }>;
  warnings: string[];
}

const registryOf = (image: string) => image.split("/")[0];

describe("k8s pulls", () => {
  const kube = useFakeCluster(fleetCluster);

  test("-A groups every failing container by registry and cause (golden)", async () => {
    const run = await kube.run(["k8s", "pulls", "-A"]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr, "");
    assertGolden("k8s-pulls-all.txt", run.stdout);
  });

  test("-A --json: groups, counts and where each cause came from", async () => {
    const run = await kube.run(["k8s", "pulls", "-A", "--json"]);
    const result = JSON.parse(run.stdout) as PullsJson;
    assert.equal(result.schemaVersion, 1);
    assert.equal(result.namespace, null);
    assert.equal(result.scannedPods, 7);
    assert.equal(result.failingContainers, 4);
    assert.equal(result.failingPods, 4);
    assert.deepEqual(
      result.groups.map((g) => [g.registry, g.code, g.containers, g.nodes]),
      [
        [registryOf(APP_IMAGE), "unknown-authority", 2, ["node-c", "node-d"]],
        [registryOf(capturedImage("hostname-mismatch")), "hostname-mismatch", 1, ["node-c"]],
        [registryOf(capturedImage("plain-http")), "plain-http", 1, ["node-b"]],
      ],
    );
    const [untrusted, , plain] = result.groups;
    assert.deepEqual(
      untrusted?.failing.map((f) => [f.pod, f.source]),
      [
        ["app-6c5d8f7b9-tz8wn", "event"],
        ["app-6c5d8f7b9-w2xjd", "status"],
      ],
    );
    assert.deepEqual(
      plain?.failing.map((f) => [f.namespace, f.container, f.init]),
      [["shop", "migrate", true]],
    );
    assert.match(untrusted?.fix[0] ?? "", /^on node-c and node-d: regtrust diagnose repo\.example\.com:\d+/);
  });

  test("pages through pods and events with limit/continue", async () => {
    const run = await kube.run(["k8s", "pulls", "-A", "--chunk-size", "2"]);
    assert.equal(run.code, 1, run.stderr);
    const pods = kube.server().requests.filter((r) => r.path === "/api/v1/pods");
    assert.equal(pods.length, 4, "7 pods in pages of 2");
    assert.ok(pods.every((r) => r.query.limit === "2"));
    assert.equal(pods[0]?.query.continue, undefined);
    assert.ok(pods.slice(1).every((r) => typeof r.query.continue === "string" && r.query.continue !== ""));
    assert.equal(pods[0]?.query.fieldSelector, "status.phase!=Succeeded,status.phase!=Failed");
    const events = kube.server().requests.filter((r) => r.path === "/api/v1/events");
    assert.ok(events.length >= 2, "events are paged too");
    assert.equal(events[0]?.query.fieldSelector, "involvedObject.kind=Pod,reason=Failed");
    const whole = JSON.parse((await kube.run(["k8s", "pulls", "-A", "--json"])).stdout) as PullsJson;
    const paged = JSON.parse(
      (await kube.run(["k8s", "pulls", "-A", "--json", "--chunk-size", "2"])).stdout,
    ) as PullsJson;
    assert.deepEqual(paged, whole, "paging changes nothing in the result");
  });

  test("-n shop reads one namespace; status messages name every cause, so no events are read", async () => {
    const run = await kube.run(["k8s", "pulls", "-n", "shop", "--json"]);
    assert.equal(run.code, 1, run.stderr);
    const result = JSON.parse(run.stdout) as PullsJson;
    assert.equal(result.namespace, "shop");
    assert.deepEqual(
      result.groups.map((g) => g.code),
      ["hostname-mismatch", "plain-http"],
    );
    const paths = new Set(kube.server().requests.map((r) => r.path));
    assert.deepEqual([...paths], ["/api/v1/namespaces/shop/pods"]);
  });

  test("a namespace without pull failures: exit 0", async () => {
    const run = await kube.run(["k8s", "pulls", "-n", "kube-system"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /✓ no container is waiting on an image pull \(1 pod scanned, namespace "kube-system"\)/,
    );
  });

  test("without -n: the context's namespace (default)", async () => {
    const run = await kube.run(["k8s", "pulls", "--json"]);
    const result = JSON.parse(run.stdout) as PullsJson;
    assert.equal(result.namespace, "default");
    assert.equal(result.failingPods, 2);
  });

  test("events forbidden: causes from pod status only, with a note", async () => {
    kube.server().forbid.push({ verb: "list", resource: "events" });
    try {
      const run = await kube.run(["k8s", "pulls", "-A", "--json"]);
      assert.equal(run.code, 1, run.stderr);
      const result = JSON.parse(run.stdout) as PullsJson;
      const codes = result.groups.map((g) => [g.code, g.containers]);
      assert.deepEqual(codes, [
        ["hostname-mismatch", 1],
        ["plain-http", 1],
        ["pull-failed", 1],
        ["unknown-authority", 1],
      ]);
      assert.match(result.warnings[0] ?? "", /events not readable.*verb "list" on resource "events"/);
    } finally {
      kube.server().forbid.length = 0;
    }
  });

  test("-n and -A together: usage error", async () => {
    const run = await kube.run(["k8s", "pulls", "-n", "shop", "-A"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /cannot be used with/);
  });
});
