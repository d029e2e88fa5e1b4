/**
 * Benchmark (not a test): `regtrust scan --json` of 200 and 1,000 loopback
 * TLS registries (Node HTTPS servers answering /v2/ like a registry, one
 * private-CA chain with an IP SAN) — throughput and peak RSS (VmHWM of the
 * child), to show cost grows linearly with targets. Uses dist/regtrust.mjs
 * (`npm run build` first). Targets: 1,000 endpoints ≤ 5 s wall, ≤ 250 MiB.
 *   node --import tsx bench/scan.ts
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestPki } from "../src/pki/generate.ts";

const SIZES = [200, 1000];
const CONCURRENCY = process.env.BENCH_SCAN_CONCURRENCY ?? "64";

async function startRegistries(count: number): Promise<{ ports: number[]; close(): Promise<void> }> {
  const pki = await createTestPki({ hostnames: ["localhost"], ipAddresses: ["127.0.0.1"] });
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

function peakRssMiB(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("VmHWM:"));
    return line ? Number(line.replace(/\D+/g, "")) / 1024 : 0; // gone: a zombie has no VmHWM
  } catch {
    return 0;
  }
}

async function scanOnce(file: string, root: string): Promise<{ ms: number; peak: number; lines: number }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      "dist/regtrust.mjs",
      "scan",
      file,
      "--json",
      "--root",
      root,
      "--concurrency",
      CONCURRENCY,
      "--timeout",
      "5000",
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  let peak = 0;
  let lines = 0;
  child.stdout.on("data", (chunk: Buffer) => {
    lines += chunk.toString().split("\n").length - 1;
    peak = Math.max(peak, peakRssMiB(child.pid as number));
  });
  const timer = setInterval(() => {
    peak = Math.max(peak, peakRssMiB(child.pid as number));
  }, 20);
  await new Promise((resolve) => child.on("exit", resolve));
  clearInterval(timer);
  return { ms: performance.now() - started, peak, lines };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "regtrust-bench-scan-"));
  const root = join(dir, "node");
  mkdirSync(join(root, "etc"), { recursive: true });
  writeFileSync(join(root, "etc/os-release"), "ID=debian\n");
  const registries = await startRegistries(Math.max(...SIZES));
  console.log("| scan --json | endpoints | wall ms | per second | peak RSS MiB | results | target |");
  console.log("|---|---:|---:|---:|---:|---:|---|");
  try {
    for (const size of SIZES) {
      const file = join(dir, `targets-${size}.txt`);
      writeFileSync(
        file,
        `${registries.ports
          .slice(0, size)
          .map((p) => `127.0.0.1:${p}`)
          .join("\n")}\n`,
      );
      const r = await scanOnce(file, root);
      const target =
        size === 1000 ? `≤ 5000 ms, ≤ 250 MiB: ${r.ms <= 5000 && r.peak <= 250 ? "met" : "not met"}` : "";
      console.log(
        `| concurrency ${CONCURRENCY} | ${size} | ${r.ms.toFixed(0)} | ${((size * 1000) / r.ms).toFixed(0)} | ${r.peak.toFixed(1)} | ${r.lines} | ${target} |`,
      );
    }
  } finally {
    await registries.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
