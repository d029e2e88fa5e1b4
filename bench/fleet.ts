/**
 * Benchmark (not a test), issue #20 item 5: a fleet of 5,000 simulated nodes
 * against the fake API server (test/k8s/fake-apiserver.ts) on loopback.
 * - steady state: 5,000 agents publishing through the real client
 *   (connectKube → NodeWriteApi, src/k8s/fleet/node-status.ts) on a virtual clock,
 *   start times spread over one interval, verdicts unchanged: Node writes per
 *   node per 5 minutes, for the default heartbeat and for others;
 * - start-up (a DaemonSet rollout): each agent reads its Node and publishes
 *   its first verdict, 500 at a time (maxUnavailable 10 %): requests per agent
 *   and wall time;
 * - `regtrust k8s status` over the 5,000 Nodes and agent pods, from
 *   dist/regtrust.mjs in a child process (`npm run build` first).
 * Targets: ≤ 1 write per node per 5 min; `k8s status` ≤ 2 s.
 *   node --import tsx bench/fleet.ts [--json-out FILE]
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { connectKube } from "../src/k8s/client/kube-client.ts";
import type { NodeTrustStatus } from "../src/k8s/fleet/node-condition.ts";
import { type PublishedState, publishedStateOf, publishNodeStatus } from "../src/k8s/fleet/node-status.ts";
import { startFakeApiServer } from "../test/k8s/fake-apiserver.ts";
import { type Json, wireNode, wirePod } from "../test/k8s/fake-cluster.ts";
import { type NodeWrite, statefulNodeRoutes } from "../test/k8s/fake-node-writes.ts";
import { writeKubeconfig } from "../test/k8s/kubeconfig-file.ts";
import { summarise } from "./measure.ts";
import { emitResult, type FleetResult } from "./results.ts";

const NODES = Number(process.env.BENCH_FLEET_NODES ?? 5_000);
const ENTRY = resolve(import.meta.dirname, "../dist/regtrust.mjs");
const INTERVAL_S = 300;
const WINDOW_S = 30 * 60;
const ROLLOUT_CONCURRENCY = Math.ceil(NODES / 10);
const STATUS_RUNS = Number(process.env.BENCH_FLEET_STATUS_RUNS ?? 3);

const nodeName = (i: number) => `node-${String(i).padStart(5, "0")}`;
const verdict = (at: Date): NodeTrustStatus => ({
  schemaVersion: 1,
  mode: "enforce",
  checkedAt: at.toISOString(),
  registries: [{ registry: "repo.example.com:5000", trusted: true }],
});

function fleetNode(i: number, now: Date): Json {
  const node = wireNode(nodeName(i), []);
  (node.status as { conditions: Json[] }).conditions.push({
    type: "RegistryTrustReady",
    status: "True",
    reason: "AllRegistriesTrusted",
    message: "1 registries trusted",
    lastHeartbeatTime: new Date(now.getTime() - 30_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    lastTransitionTime: "2026-01-10T09:00:00Z",
  });
  (node.metadata as Json).annotations = { "regtrust.io/status": JSON.stringify(verdict(now)) };
  return node;
}

function agentPod(i: number): Json {
  const pod = wirePod({
    namespace: "regtrust",
    name: `regtrust-agent-${i}`,
    node: nodeName(i),
    createdAt: "2026-01-10T08:00:00Z",
    containers: [
      { name: "agent", image: "r/regtrust:1", state: { running: { startedAt: "2026-01-10T08:01:00Z" } } },
    ],
  });
  (pod.metadata as Json).labels = { "app.kubernetes.io/name": "regtrust-agent" };
  return pod;
}

async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(lanes);
}

function runStatus(kubeconfig: string): Promise<number> {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [ENTRY, "k8s", "status", "--json", "--kubeconfig", kubeconfig], {
      stdio: ["ignore", "ignore", "pipe"],
      timeout: 120_000,
    });
    let err = "";
    child.stderr.on("data", (c) => {
      err += c;
    });
    child.once("close", (code) => {
      // Exit 1 is a finding (e.g. a stale heartbeat); anything else is a failure of the run.
      if (code !== 0 && code !== 1) return fail(new Error(`k8s status exited ${code}: ${err.slice(-400)}`));
      done(Number(process.hrtime.bigint() - started) / 1e6);
    });
  });
}

async function main(): Promise<void> {
  const now = new Date();
  const nodes = Array.from({ length: NODES }, (_, i) => fleetNode(i, now));
  const server = await startFakeApiServer({
    nodes,
    pods: Array.from({ length: NODES }, (_, i) => agentPod(i)),
    events: [],
  });
  const writes: NodeWrite[] = [];
  const byName = new Map(nodes.map((n) => [String((n.metadata as Json).name), structuredClone(n)]));
  server.extraRoutes.push(statefulNodeRoutes(byName, writes));
  const kubeconfig = writeKubeconfig({ server: server.url, caPem: server.caPem, token: server.token });
  try {
    const kube = await connectKube({ kubeconfig: kubeconfig.path, timeoutMs: 30_000, env: {} });
    const api = kube.nodeWriter;
    if (!api) throw new Error("no node writer");

    // Start-up: read the Node, publish the (unchanged) first verdict.
    process.stderr.write(`fleet: rollout of ${NODES} agents, ${ROLLOUT_CONCURRENCY} at a time\n`);
    const requestsBefore = server.requests.length;
    writes.length = 0;
    const state = new Map<string, PublishedState | null>();
    const rolloutStart = process.hrtime.bigint();
    await pool([...byName.keys()], ROLLOUT_CONCURRENCY, async (name) => {
      const node = await api.readNode(name);
      const previous = node ? publishedStateOf(node) : null;
      state.set(
        name,
        await publishNodeStatus(
          api,
          { node: name, status: verdict(now), heartbeatMs: 60_000, now },
          previous,
        ),
      );
    });
    const rolloutMs = Number(process.hrtime.bigint() - rolloutStart) / 1e6;
    const startupRequests = (server.requests.length - requestsBefore) / NODES;
    const startupWrites = writes.length / NODES;

    // Steady state on a virtual clock, for several heartbeat intervals.
    const steady: FleetResult["steady"] = [];
    // Virtual time runs on from one heartbeat setting to the next, as a config change would.
    let base = now.getTime() + 1000;
    for (const heartbeatS of [60, 600]) {
      process.stderr.write(`fleet: steady state, heartbeat ${heartbeatS} s\n`);
      writes.length = 0;
      const names = [...byName.keys()];
      const offsets = names.map((_, i) => (i / names.length) * INTERVAL_S * 1000);
      const started = process.hrtime.bigint();
      // Each agent's checks in order (its state carries over); agents side by side, as on a real fleet.
      await pool([...names.entries()], 200, async ([i, name]) => {
        for (let t = offsets[i] as number; t < WINDOW_S * 1000; t += INTERVAL_S * 1000) {
          const when = new Date(base + t);
          const next = await publishNodeStatus(
            api,
            { node: name, status: verdict(when), heartbeatMs: heartbeatS * 1000, now: when },
            state.get(name) ?? null,
          );
          state.set(name, next);
        }
      });
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      base += WINDOW_S * 1000;
      steady.push({
        heartbeatSeconds: heartbeatS,
        writesPerNodePer5Min: writes.length / NODES / (WINDOW_S / 300),
        writesPerSecondFleet: writes.length / WINDOW_S,
        simulatedWallMs: wallMs,
      });
    }

    process.stderr.write(`fleet: k8s status over ${NODES} nodes, ${STATUS_RUNS} runs\n`);
    const statusMs: number[] = [];
    for (let r = 0; r < STATUS_RUNS; r++) statusMs.push(await runStatus(kubeconfig.path));

    await emitResult({
      kind: "fleet",
      nodes: NODES,
      intervalSeconds: INTERVAL_S,
      windowSeconds: WINDOW_S,
      rollout: {
        concurrency: ROLLOUT_CONCURRENCY,
        wallMs: rolloutMs,
        requestsPerAgent: startupRequests,
        writesPerAgent: startupWrites,
      },
      steady,
      status: summarise("k8s status", statusMs),
    });
  } finally {
    kubeconfig.cleanup();
    await server.close();
  }
}

await main();
