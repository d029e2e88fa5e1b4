/**
 * Benchmark (not a test): `regtrust scan --json` of 200 and 1,000 loopback
 * TLS registries (Node HTTPS servers answering /v2/ like a registry, one
 * private-CA chain with an IP SAN) — throughput and peak RSS (the child's
 * maxRSS at exit), to show cost grows linearly with targets. Uses
 * dist/regtrust.mjs (`npm run build` first). BENCH_SCAN_RUNS runs of each
 * size (default 3), alternating. Targets: 1,000 endpoints ≤ 5 s, ≤ 250 MiB.
 *   node --import tsx bench/scan.ts [--json-out FILE]
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createPrivatePki } from "../src/pki/generate.ts";
import { peakRssMiBFrom, REPORT_PEAK_RSS, summarise } from "./measure.ts";
import { emitResult, type ScanResult, type ScanRow } from "./results.ts";

const SIZES = [200, 1000];
const CONCURRENCY = Number(process.env.BENCH_SCAN_CONCURRENCY ?? 64);
const RUNS = Number(process.env.BENCH_SCAN_RUNS ?? 3);
const ENTRY = resolve(import.meta.dirname, "../dist/regtrust.mjs");

async function startRegistries(count: number): Promise<{ ports: number[]; close(): Promise<void> }> {
  const pki = await createPrivatePki({ hostnames: ["localhost"], ipAddresses: ["127.0.0.1"] });
  const options = { cert: `${pki.leaf.certPem}\n${pki.intermediate.certPem}\n`, key: pki.leaf.keyPem };
  const servers: Server[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer(options, (_req, res) => {
      res.writeHead(200, {
        "docker-distribution-api-version": "registry/2.0",
        "content-type": "application/json",
      });
      res.end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
  }
  return {
    ports: servers.map((s) => (s.address() as AddressInfo).port),
    close: async () => {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}

interface ScanRun {
  ms: number;
  peak: number;
  lines: number;
  status: string | null;
}

/** One `regtrust scan --json` in a child that reports its own peak RSS; exit 0 or 1 (findings) is a run. */
function scanOnce(file: string, root: string): Promise<ScanRun> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      "--import",
      REPORT_PEAK_RSS,
      ENTRY,
      "scan",
      file,
      "--json",
      "--root",
      root,
      "--concurrency",
      String(CONCURRENCY),
      "--timeout",
      "5000",
    ],
    { stdio: ["ignore", "pipe", "pipe"], timeout: 120_000, killSignal: "SIGKILL" },
  );
  let lines = 0;
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    lines += chunk.toString().split("\n").length - 1;
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  return new Promise((resolve) => {
    child.once("error", (error) =>
      resolve({ ms: Number.NaN, peak: Number.NaN, lines, status: error.message }),
    );
    child.once("close", (code, signal) => {
      const ms = performance.now() - started;
      const status =
        signal === "SIGKILL" ? "timeout" : code === 0 || code === 1 ? null : `exit ${code ?? signal}`;
      resolve({ ms, peak: peakRssMiBFrom(stderr), lines, status });
    });
  });
}

function summariseRuns(endpoints: number, runs: ScanRun[]): ScanRow {
  const ok = runs.filter((r) => r.status === null);
  return {
    ...summarise(
      `${endpoints} endpoints`,
      ok.map((r) => r.ms),
    ),
    runs: runs.length,
    failures: runs.length - ok.length,
    failedAs: [...new Set(runs.flatMap((r) => (r.status === null ? [] : [r.status])))],
    endpoints,
    peakRssMiB: ok.length > 0 ? Math.max(...ok.map((r) => r.peak)) : Number.NaN,
    results: Math.min(...runs.map((r) => r.lines)),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "regtrust-bench-scan-"));
  const root = join(dir, "node");
  mkdirSync(join(root, "etc"), { recursive: true });
  writeFileSync(join(root, "etc/os-release"), "ID=debian\n");
  const registries = await startRegistries(Math.max(...SIZES));
  try {
    const files = SIZES.map((size) => {
      const file = join(dir, `targets-${size}.txt`);
      const lines = registries.ports.slice(0, size).map((p) => `127.0.0.1:${p}`);
      writeFileSync(file, `${lines.join("\n")}\n`);
      return file;
    });
    const runs = SIZES.map((): ScanRun[] => []);
    for (const file of files) await scanOnce(file, root); // warm the page cache and the servers
    // Sizes alternate so load noise hits both alike.
    for (let i = 0; i < RUNS; i++) {
      for (const [k, file] of files.entries()) runs[k]?.push(await scanOnce(file, root));
    }
    const result: ScanResult = {
      kind: "scan",
      concurrency: CONCURRENCY,
      rows: SIZES.map((size, k) => summariseRuns(size, runs[k] ?? [])),
    };
    await emitResult(result);
  } finally {
    await registries.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
