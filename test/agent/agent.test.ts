/**
 * `regtrust agent --once` as the DaemonSet runs it, against a node root built
 * here, a real docker-registry with a private CA, and the local API server
 * recording the exact Node patches and Events: in enforce mode a node that
 * joined without the CA is Ready=True after one check; report mode only
 * reports (the node tree is byte-identical afterwards).
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../integration/cli.ts";
import { buildNodeRoot, withContainerd } from "../integration/node-root.ts";
import { type FakeApiServer, startFakeApiServer } from "../k8s/fake-apiserver.ts";
import { wireNode } from "../k8s/fake-cluster.ts";
import { type NodeWrite, nodeWriteRoutes } from "../k8s/fake-node-writes.ts";
import { type TempKubeconfig, writeKubeconfig } from "../k8s/kubeconfig-file.ts";
import { startPrivateCaRegistry } from "../support/private-registry.ts";
import type { RunningRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/tmp.ts";
import { treeChecksum } from "../trust/node.ts";
import { agentArgs } from "./agent-args.ts";

const dirs = new TempDirs();
const writes: NodeWrite[] = [];
let server: FakeApiServer;
let kubeconfig: TempKubeconfig;
let registry: RunningRegistry;
let target: string;
let caFile: string;

before(async () => {
  ({ registry, target, caFile } = await startPrivateCaRegistry(dirs));
  server = await startFakeApiServer({ pods: [], events: [], nodes: [wireNode("node-new", [])] });
  server.extraRoutes.push(nodeWriteRoutes(writes));
  kubeconfig = writeKubeconfig({ server: server.url, caPem: server.caPem, token: server.token });
});

after(async () => {
  await registry?.stop();
  await server?.close();
  kubeconfig?.cleanup();
  await dirs.cleanup();
});

async function agentOnce(mode: "enforce" | "report", root: string) {
  const dir = await dirs.make("agent-config");
  const config = join(dir, "agent.yaml");
  await writeFile(config, `registries: ["${target}"]\ncaFile: ${caFile}\nmode: ${mode}\n`);
  writes.length = 0;
  return runCli(agentArgs({ config, root, node: "node-new", once: true, kubeconfig: kubeconfig.path }));
}

function conditionPatch(): Record<string, unknown> {
  const patch = writes.find((w) => w.path === "/api/v1/nodes/node-new/status");
  assert.ok(patch, JSON.stringify(writes));
  assert.equal(patch.contentType, "application/strategic-merge-patch+json");
  const conditions = (patch.body.status as { conditions: Array<Record<string, unknown>> }).conditions;
  assert.equal(conditions.length, 1);
  return conditions[0] as Record<string, unknown>;
}

describe("regtrust agent --once", () => {
  test("enforce: a new node without the CA is fixed and reported RegistryTrustReady=True", async () => {
    const root = await buildNodeRoot(dirs, withContainerd());
    const run = await agentOnce("enforce", root);
    assert.equal(run.code, 0, run.stderr);
    const condition = conditionPatch();
    assert.equal(condition.type, "RegistryTrustReady");
    assert.equal(condition.status, "True");
    assert.equal(condition.reason, "AllRegistriesTrusted");
    const event = writes.find((w) => w.method === "POST");
    assert.equal(event?.path, "/api/v1/namespaces/default/events");
    assert.equal(event?.body.reason, "RegistryTrustReady");
    assert.deepEqual(event?.body.involvedObject, {
      apiVersion: "v1",
      kind: "Node",
      name: "node-new",
      uid: "node-new",
    });
    const annotation = writes.find((w) => w.path === "/api/v1/nodes/node-new");
    const metadata = annotation?.body.metadata as { annotations?: Record<string, string> } | undefined;
    const status = JSON.parse(metadata?.annotations?.["regtrust.io/status"] ?? "{}");
    assert.deepEqual(status.registries, [{ registry: target, trusted: true }]);
    const logs = run.stderr
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.ok(
      logs.some(
        (l) =>
          l.msg === "enforce: trust fix applied" &&
          l.registry === target &&
          /containerd: verified/.test(l.detail),
      ),
      run.stderr,
    );
    const again = await runCli(["diagnose", target, "--root", root, "--json"]);
    assert.equal(again.code, 0, again.stdout);
  });

  test("report: the verdict is published, nothing on the node changes", async () => {
    const root = await buildNodeRoot(dirs, withContainerd());
    const before = await treeChecksum(root);
    const run = await agentOnce("report", root);
    assert.equal(run.code, 1, run.stderr);
    const condition = conditionPatch();
    assert.equal(condition.status, "False");
    assert.equal(condition.reason, "UnknownAuthority");
    assert.match(String(condition.message), new RegExp(target.replace(/\./g, "\\.")));
    assert.deepEqual(await treeChecksum(root), before, "report mode writes nothing on the node");
  });

  test("bad config: exit 2 naming the file, nothing published", async () => {
    const dir = await dirs.make("agent-bad");
    const config = join(dir, "agent.yaml");
    await writeFile(config, "registries: []\ncaFile: /x\n");
    writes.length = 0;
    const run = await runCli(["agent", "--config", config, "--node", "n", "--once", "--no-publish"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, new RegExp(`--config ${config}: registries`));
    assert.equal(writes.length, 0);
  });

  test("bad metrics port: exit 2 with what to change, never an internal error", async () => {
    const dir = await dirs.make("agent-port");
    const root = await buildNodeRoot(dirs, withContainerd());
    const config = join(dir, "agent.yaml");
    await writeFile(config, `registries: ["${target}"]\ncaFile: ${caFile}\nmetricsPort: 70000\n`);
    const base = ["agent", "--config", config, "--root", root, "--node", "n", "--once", "--no-publish"];
    const inConfig = await runCli(base);
    assert.equal(inConfig.code, 2, inConfig.stderr);
    assert.match(inConfig.stderr, /metricsPort: a TCP port from 1 to 65535, not 70000/);
    await writeFile(config, `registries: ["${target}"]\ncaFile: ${caFile}\n`);
    const onFlag = await runCli([...base, "--metrics-port", "abc"]);
    assert.equal(onFlag.code, 2, onFlag.stderr);
    assert.match(onFlag.stderr, /--metrics-port must be a whole number from 0 to 65535, got "abc"/);
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "0.0.0.0", resolve));
    try {
      const port = (busy.address() as AddressInfo).port;
      // Without --once (which does not listen): the agent stops before its first check.
      const looping = base.filter((a) => a !== "--once");
      const inUse = await runCli([...looping, "--metrics-port", String(port)]);
      assert.equal(inUse.code, 2, inUse.stderr);
      assert.match(
        inUse.stderr,
        new RegExp(`cannot serve metrics on 0\\.0\\.0\\.0:${port}: the port is in use`),
      );
    } finally {
      busy.close();
    }
  });
});
