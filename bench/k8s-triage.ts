/**
 * Benchmark (not a test): `regtrust k8s pulls -A` and `regtrust k8s why` on a
 * synthetic cluster of 5,000 pods / 20,000 events / 500 nodes served by the
 * fake API server (test/k8s/fake-apiserver.ts) on loopback. The CLI runs in a
 * child process, bundled the way `npm run build` bundles it (into a temp
 * directory, so dist/ is left alone); the child reports its own peak RSS.
 * Target: under 2 s wall and under 200 MiB. Prints a Markdown table.
 *   node --import tsx bench/k8s-triage.ts
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
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

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PODS = 5_000;
const EVENTS = 20_000;
const NODES = 500;
const NAMESPACES = 50;
/** One pod in 20 waits on a pull: 250 failing pods. */
const FAILING_EVERY = 20;
const TARGET_MS = 2_000;
const TARGET_MIB = 200;

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

async function bundleCli(): Promise<{ entry: string; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), "regtrust-bench-k8s-"));
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  // The same options as scripts/build.mjs, into a temp directory.
  await build({
    entryPoints: { regtrust: "src/cli/main.ts" },
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    chunkNames: "chunks/[name]-[hash]",
    banner: {
      js: "import { createRequire as __regtrustCreateRequire } from 'node:module'; const require = __regtrustCreateRequire(import.meta.url);",
    },
    define: { __REGTRUST_VERSION__: JSON.stringify(version) },
    logLevel: "warning",
  });
  return { entry: join(dir, "regtrust.mjs"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Preloaded into the child: report its peak RSS (KiB on Linux) on stderr as it exits. */
const REPORT_RSS = `data:text/javascript,process.on("exit",()=>process.stderr.write("\\nmaxRSS_KiB="+process.resourceUsage().maxRSS+"\\n"))`;

interface Sample {
  ms: number;
  rssMiB: number;
  code: number | null;
  stdout: string;
}

function runCli(entry: string, argv: string[]): Promise<Sample> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", REPORT_RSS, entry, ...argv], {
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.once("error", reject);
    child.once("close", (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const kib = Number(/maxRSS_KiB=(\d+)/.exec(stderr)?.[1] ?? "0");
      if (code !== 0 && code !== 1) reject(new Error(`regtrust ${argv.join(" ")} exited ${code}: ${stderr}`));
      else resolve({ ms, rssMiB: kib / 1024, code, stdout });
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function measure(name: string, entry: string, argv: string[], server: FakeApiServer): Promise<string> {
  await runCli(entry, argv); // warm the page cache
  const samples: Sample[] = [];
  let requests = 0;
  for (let i = 0; i < RUNS; i++) {
    server.requests.length = 0;
    samples.push(await runCli(entry, argv));
    requests = server.requests.length;
  }
  const ms = median(samples.map((s) => s.ms));
  const rss = Math.max(...samples.map((s) => s.rssMiB));
  const verdict = ms < TARGET_MS && rss < TARGET_MIB ? "met" : "MISSED";
  const range = `${Math.min(...samples.map((s) => s.ms)).toFixed(0)}–${Math.max(...samples.map((s) => s.ms)).toFixed(0)}`;
  return `| ${name} | ${ms.toFixed(0)} | ${range} | ${rss.toFixed(1)} | ${requests} | ${verdict} |`;
}

async function main(): Promise<void> {
  const cluster = syntheticCluster();
  const server = await startFakeApiServer(cluster);
  const kubeconfig = writeKubeconfig({ server: server.url, caPem: server.caPem, token: server.token });
  const cli = await bundleCli();
  try {
    const base = ["--kubeconfig", kubeconfig.path];
    const check = await runCli(cli.entry, ["k8s", "pulls", "-A", "--json", ...base]);
    const report = JSON.parse(check.stdout) as {
      scannedPods: number;
      failingContainers: number;
      groups: unknown[];
    };
    const rows = [
      await measure("k8s pulls -A", cli.entry, ["k8s", "pulls", "-A", ...base], server),
      await measure("k8s pulls -A --json", cli.entry, ["k8s", "pulls", "-A", "--json", ...base], server),
      await measure(
        "k8s why <failing pod>",
        cli.entry,
        ["k8s", "why", "app-0", "-n", "team-0", ...base],
        server,
      ),
    ];
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}`;
    console.log(
      `## k8s triage: ${cluster.pods.length} pods / ${cluster.events.length} events / ${cluster.nodes.length} nodes (${RUNS} runs each; ${machine})\n`,
    );
    console.log(
      `pulls -A found ${report.failingContainers} failing containers in ${report.groups.length} groups among ${report.scannedPods} pods.\n`,
    );
    console.log(
      `| command | median ms | min–max ms | peak RSS MiB | API requests | target (< ${TARGET_MS} ms, < ${TARGET_MIB} MiB) |`,
    );
    console.log("|---|---:|---:|---:|---:|---|");
    for (const row of rows) console.log(row);
  } finally {
    cli.cleanup();
    kubeconfig.cleanup();
    await server.close();
  }
}

await main();
