/**
 * Benchmark (not a test): `regtrust k8s pulls -A` and `regtrust k8s why` on a
 * synthetic cluster of 5,000 pods / 20,000 events / 500 nodes served by the
 * fake API server (test/k8s/fake-apiserver.ts) on loopback. The CLI runs in a
 * child process from dist/regtrust.mjs (`npm run build` first); the child
 * reports its own peak RSS. BENCH_TRIAGE_RUNS runs each (default 5).
 * Target: under 2 s wall and under 200 MiB.
 *   node --import tsx bench/k8s-triage.ts [--json-out FILE]
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { type FakeApiServer, startFakeApiServer } from "../test/k8s/fake-apiserver.ts";
import {
  type FakeCluster,
  type Json,
  pullFailureEvents,
  wireEvent,
  wireNode,
  wirePod,
} from "../test/k8s/fake-cluster.ts";
import { writeKubeconfig } from "../test/k8s/kubeconfig-file.ts";
import { criError } from "../test/k8s/scenarios.ts";
import { peakRssMiBFrom, REPORT_PEAK_RSS, summarise } from "./measure.ts";
import { emitResult, type TriageResult, type TriageRow } from "./results.ts";

const RUNS = Number(process.env.BENCH_TRIAGE_RUNS ?? 5);
const ENTRY = resolve(import.meta.dirname, "../dist/regtrust.mjs");
const PODS = 5_000;
const EVENTS = 20_000;
const NODES = 500;
const NAMESPACES = 50;
/** One pod in 20 waits on a pull: 250 failing pods. */
const FAILING_EVERY = 20;

/** Failing registries and the real containerd text each one produces (captured in this repo). */
const FAILURES = ["unknown-authority", "hostname-mismatch", "plain-http"].map((scenario) => {
  const error = criError(scenario);
  const image = /failed to pull and unpack image "([^"]+)"/.exec(error)?.[1] ?? "";
  return { error, image };
});

function syntheticCluster(): FakeCluster {
  const nodeName = (i: number) => `node-${String(i % NODES).padStart(3, "0")}`;
  const healthyImage = (i: number) => `registry.example.com/team-${i % 40}/svc-${i % 100}:1.${i % 7}`;
  const nodes = Array.from({ length: NODES }, (_, n) =>
    wireNode(
      nodeName(n),
      Array.from({ length: 20 }, (_, k) => [healthyImage(n + k * 5)]),
    ),
  );
  const pods: Json[] = [];
  const events: Json[] = [];
  for (let i = 0; i < PODS; i++) {
    const namespace = `team-${i % NAMESPACES}`;
    const node = nodeName(i);
    const createdAt = new Date(Date.UTC(2026, 1, 1) + i * 1000).toISOString().replace(".000Z", "Z");
    if (i % FAILING_EVERY === 0) {
      const failure = FAILURES[(i / FAILING_EVERY) % FAILURES.length] as (typeof FAILURES)[number];
      // Half on kubelet < 1.32 (cause only in the Failed event), half with the cause in the status.
      const message =
        i % (2 * FAILING_EVERY) === 0 ? `Back-off pulling image "${failure.image}"` : failure.error;
      const reason = message === failure.error ? "ErrImagePull" : "ImagePullBackOff";
      const pod = wirePod({
        namespace,
        name: `app-${i}`,
        node,
        createdAt,
        owner: `app-${i % 97}`,
        containers: [{ name: "app", image: failure.image, state: { waiting: { reason, message } } }],
      });
      pods.push(pod);
      events.push(
        ...pullFailureEvents(pod, "app", failure.image, failure.error, {
          first: createdAt,
          last: createdAt,
          attempts: 4,
        }),
      );
    } else {
      const image = healthyImage(i);
      pods.push(
        wirePod({
          namespace,
          name: `svc-${i}`,
          node,
          createdAt,
          owner: `svc-${i % 97}`,
          containers: [
            {
              name: "svc",
              image,
              state: { running: { startedAt: createdAt } },
              imageID: `${image.replace(/:[^:/]+$/, "")}@sha256:${"0".repeat(64)}`,
            },
          ],
        }),
      );
    }
  }
  for (let i = 0; events.length < EVENTS; i++) {
    const pod = pods[(i * 7) % pods.length] as Json;
    const reasons = ["Scheduled", "Pulled", "Created", "Started"] as const;
    const reason = reasons[i % reasons.length] as (typeof reasons)[number];
    events.push(
      wireEvent({
        pod,
        reason,
        type: "Normal",
        message: `${reason} (synthetic)`,
        first: "2026-02-01T00:00:00Z",
        container: "svc",
      }),
    );
  }
  return { pods, events, nodes };
}

interface Sample {
  ms: number;
  rssMiB: number;
  status: string | null;
  stdout: string;
}

/** One CLI run; exit 0 or 1 (pull failures found) is a run, anything else a failed one. */
function runCli(argv: string[]): Promise<Sample> {
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", REPORT_PEAK_RSS, ENTRY, ...argv], {
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
      killSignal: "SIGKILL",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.once("error", (error) =>
      resolve({ ms: Number.NaN, rssMiB: Number.NaN, status: error.message, stdout }),
    );
    child.once("close", (code, signal) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const status =
        signal === "SIGKILL" ? "timeout" : code === 0 || code === 1 ? null : `exit ${code ?? signal}`;
      resolve({ ms, rssMiB: peakRssMiBFrom(stderr), status, stdout });
    });
  });
}

async function measure(name: string, argv: string[], server: FakeApiServer): Promise<TriageRow> {
  await runCli(argv); // warm the page cache
  const samples: Sample[] = [];
  let apiRequests = 0;
  for (let i = 0; i < RUNS; i++) {
    server.requests.length = 0;
    samples.push(await runCli(argv));
    apiRequests = server.requests.length;
  }
  const ok = samples.filter((s) => s.status === null);
  return {
    ...summarise(
      name,
      ok.map((s) => s.ms),
    ),
    runs: samples.length,
    failures: samples.length - ok.length,
    failedAs: [...new Set(samples.flatMap((s) => (s.status === null ? [] : [s.status])))],
    peakRssMiB: ok.length > 0 ? Math.max(...ok.map((s) => s.rssMiB)) : Number.NaN,
    apiRequests,
  };
}

async function main(): Promise<void> {
  const cluster = syntheticCluster();
  const server = await startFakeApiServer(cluster);
  const kubeconfig = writeKubeconfig({ server: server.url, caPem: server.caPem, token: server.token });
  try {
    const base = ["--kubeconfig", kubeconfig.path];
    const check = await runCli(["k8s", "pulls", "-A", "--json", ...base]);
    if (check.status !== null) throw new Error(`regtrust k8s pulls -A --json: ${check.status}`);
    const report = JSON.parse(check.stdout) as { failingContainers: number; groups: unknown[] };
    const result: TriageResult = {
      kind: "triage",
      pods: cluster.pods.length,
      events: cluster.events.length,
      nodes: cluster.nodes.length,
      failingContainers: report.failingContainers,
      groups: report.groups.length,
      rows: [
        await measure("k8s pulls -A", ["k8s", "pulls", "-A", ...base], server),
        await measure("k8s pulls -A --json", ["k8s", "pulls", "-A", "--json", ...base], server),
        await measure(
          "k8s why app-0 (a failing pod)",
          ["k8s", "why", "app-0", "-n", "team-0", ...base],
          server,
        ),
      ],
    };
    await emitResult(result);
  } finally {
    kubeconfig.cleanup();
    await server.close();
  }
}

await main();
