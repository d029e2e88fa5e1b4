import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { NodeWriteApi } from "../../src/k8s/client/kube-api.ts";
import { connectKube } from "../../src/k8s/client/kube-client.ts";
import type { NodeTrustStatus } from "../../src/k8s/fleet/node-condition.ts";
import { type PublishedState, publishNodeStatus } from "../../src/k8s/fleet/node-status.ts";
import { type FakeApiServer, startFakeApiServer } from "../k8s/fake-apiserver.ts";
import { wireNode } from "../k8s/fake-cluster.ts";
import { type NodeWrite, nodeWriteRoutes } from "../k8s/fake-node-writes.ts";
import { type TempKubeconfig, writeKubeconfig } from "../k8s/kubeconfig-file.ts";
import { assertMatchesSchema } from "../support/json-schema.ts";

function body(i: number): Record<string, unknown> {
  const write = writes[i];
  assert.ok(write, `no write #${i}`);
  return write.body;
}

const T0 = new Date("2026-03-01T10:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const status = (trusted: boolean, checkedAt: Date): NodeTrustStatus => ({
  schemaVersion: 1,
  mode: "enforce",
  checkedAt: checkedAt.toISOString(),
  registries: [
    { registry: "repo.example.com:5000", trusted, ...(trusted ? {} : { code: "unknown-authority" }) },
  ],
});

const writes: NodeWrite[] = [];

describe("publishNodeStatus through @kubernetes/client-node against the fake API server", () => {
  let server: FakeApiServer;
  let config: TempKubeconfig;
  let writer: NodeWriteApi;
  before(async () => {
    server = await startFakeApiServer({ nodes: [wireNode("node-a", [])], pods: [], events: [] });
    server.extraRoutes.push(nodeWriteRoutes(writes));
    config = writeKubeconfig({ server: server.url, caPem: server.caPem, token: server.token });
    const kube = await connectKube({ kubeconfig: config.path, timeoutMs: 5000, env: {} });
    assert.ok(kube.nodeWriter);
    writer = kube.nodeWriter;
  });
  after(async () => {
    await server.close();
    config.cleanup();
  });

  it("patches on change, heartbeats on the interval, records Events only on transitions", async () => {
    const publish = (trusted: boolean, s: number, prev: PublishedState | null) =>
      publishNodeStatus(
        writer,
        { node: "node-a", status: status(trusted, at(s)), heartbeatMs: 60_000, now: at(s) },
        prev,
      );

    let state = await publish(false, 0, null);
    assert.deepEqual(
      writes.map((w) => `${w.method} ${w.path} ${w.contentType}`),
      [
        "PATCH /api/v1/nodes/node-a/status application/strategic-merge-patch+json",
        "PATCH /api/v1/nodes/node-a application/merge-patch+json",
        "POST /api/v1/namespaces/default/events application/json",
      ],
    );
    assert.deepEqual(writes[0]?.body, {
      status: {
        conditions: [
          {
            type: "RegistryTrustReady",
            status: "False",
            reason: "UnknownAuthority",
            message: "repo.example.com:5000: unknown-authority",
            lastHeartbeatTime: "2026-03-01T10:00:00Z",
            lastTransitionTime: "2026-03-01T10:00:00Z",
          },
        ],
      },
    });
    const annotation = (body(1).metadata as { annotations: Record<string, string> }).annotations;
    const published = JSON.parse(annotation["regtrust.io/status"] ?? "");
    assertMatchesSchema("node-trust-status", published);
    assert.equal(published.registries[0].code, "unknown-authority");
    // biome-ignore lint/suspicious/noExplicitAny: a recorded JSON body
    const event = body(2) as Record<string, any>;
    assert.deepEqual(event.involvedObject, { apiVersion: "v1", kind: "Node", name: "node-a", uid: "node-a" });
    assert.equal(event.type, "Warning");
    assert.equal(event.reason, "RegistryTrustUnknownAuthority");

    writes.length = 0;
    state = await publish(false, 30, state); // same verdict, before the heartbeat: nothing
    assert.equal(writes.length, 0);

    state = await publish(false, 60, state); // heartbeat: condition only, transition time kept
    assert.equal(writes.length, 1);
    const hb = (body(0).status as { conditions: Record<string, string>[] }).conditions[0];
    assert.equal(hb?.lastHeartbeatTime, "2026-03-01T10:01:00Z");
    assert.equal(hb?.lastTransitionTime, "2026-03-01T10:00:00Z");

    writes.length = 0;
    state = await publish(true, 75, state); // transition: condition, annotation, Normal event
    assert.deepEqual(
      writes.map((w) => w.path),
      ["/api/v1/nodes/node-a/status", "/api/v1/nodes/node-a", "/api/v1/namespaces/default/events"],
    );
    const c = (body(0).status as { conditions: Record<string, string>[] }).conditions[0];
    assert.equal(c?.status, "True");
    assert.equal(c?.lastTransitionTime, "2026-03-01T10:01:15Z");
    assert.equal((body(2) as Record<string, string>).type, "Normal");
    assert.equal(state.condition.status, "True");
  });
});
