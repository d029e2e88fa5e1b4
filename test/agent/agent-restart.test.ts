/**
 * Issue #20 item 4: conditions stay honest across agent restarts. Each
 * `agent --once` (and each agent pod after a DaemonSet rollout) starts with no
 * memory; it must read what is already on its Node, so an unchanged verdict
 * posts no transition Event and keeps lastTransitionTime. Also: --once does not
 * listen on the metrics port at all.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../integration/cli.ts";
import { buildNodeRoot, withContainerd } from "../integration/node-root.ts";
import { type FakeApiServer, startFakeApiServer } from "../k8s/fake-apiserver.ts";
import { wireNode } from "../k8s/fake-cluster.ts";
import { type NodeWrite, statefulNodeRoutes } from "../k8s/fake-node-writes.ts";
import { type TempKubeconfig, writeKubeconfig } from "../k8s/kubeconfig-file.ts";
import { startPrivateCaRegistry } from "../support/private-registry.ts";
import type { RunningRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/tmp.ts";

const dirs = new TempDirs();
const writes: NodeWrite[] = [];
const nodes = new Map<string, Record<string, unknown>>();
let server: FakeApiServer;
let kubeconfig: TempKubeconfig;
let registry: RunningRegistry;
let target: string;
let caFile: string;

before(async () => {
  ({ registry, target, caFile } = await startPrivateCaRegistry(dirs));
  nodes.set("node-r", wireNode("node-r", []) as Record<string, unknown>);
  server = await startFakeApiServer({ pods: [], events: [], nodes: [] });
  server.extraRoutes.push(statefulNodeRoutes(nodes, writes));
  kubeconfig = writeKubeconfig({ server: server.url, caPem: server.caPem, token: server.token });
});

after(async () => {
  await registry?.stop();
  await server?.close();
  kubeconfig?.cleanup();
  await dirs.cleanup();
});

async function agentOnce(root: string, extraConfig = "") {
  const dir = await dirs.make("agent-config");
  const config = join(dir, "agent.yaml");
  await writeFile(config, `registries: ["${target}"]\ncaFile: ${caFile}\nmode: report\n${extraConfig}`);
  writes.length = 0;
  const argv = ["agent", "--config", config, "--root", root, "--node", "node-r", "--once"];
  return runCli([...argv, "--kubeconfig", kubeconfig.path]);
}

// biome-ignore lint/suspicious/noExplicitAny: a stored Node navigated freely
const conditionOnNode = (): Record<string, any> | undefined =>
  // biome-ignore lint/suspicious/noExplicitAny: a stored Node navigated freely
  ((nodes.get("node-r") as any).status.conditions as Array<Record<string, any>>).find(
    (c) => c.type === "RegistryTrustReady",
  );

describe("agent restarts keep the published condition", () => {
  test("a second --once with the same verdict sends no Event and keeps lastTransitionTime", async () => {
    const root = await buildNodeRoot(dirs, withContainerd());
    const first = await agentOnce(root);
    assert.equal(first.code, 1, first.stderr);
    assert.deepEqual(
      writes.map((w) => `${w.method} ${w.path}`),
      [
        "PATCH /api/v1/nodes/node-r/status",
        "PATCH /api/v1/nodes/node-r",
        "POST /api/v1/namespaces/default/events",
      ],
    );
    const transition = conditionOnNode()?.lastTransitionTime;
    assert.ok(transition);

    const second = await agentOnce(root);
    assert.equal(second.code, 1, second.stderr);
    assert.equal(
      writes.length,
      0,
      `same verdict within the heartbeat: nothing to write, got ${JSON.stringify(writes)}`,
    );

    // An old heartbeat on the Node: the condition is re-sent, its transition time kept, still no Event.
    const stored = conditionOnNode() as Record<string, unknown>;
    stored.lastHeartbeatTime = "2020-01-01T00:00:00Z";
    const third = await agentOnce(root);
    assert.equal(third.code, 1, third.stderr);
    assert.deepEqual(
      writes.map((w) => `${w.method} ${w.path}`),
      ["PATCH /api/v1/nodes/node-r/status"],
    );
    const status = writes[0]?.body.status as { conditions: Array<Record<string, unknown>> } | undefined;
    const sent = status?.conditions[0];
    assert.equal(sent?.lastTransitionTime, transition);
  });

  test("--once does not listen: a metrics port already in use is no obstacle", async () => {
    const root = await buildNodeRoot(dirs, withContainerd());
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "0.0.0.0", resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const run = await agentOnce(root, `metricsPort: ${port}\n`);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /"metricsPort":null/);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});
