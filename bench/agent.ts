/**
 * Benchmark (not a test): the idle DaemonSet agent. Runs the bundled CLI
 * (dist/regtrust.mjs; `npm run build` first) as `regtrust agent` on a throwaway
 * node root against a loopback registry address, waits for its first check,
 * then samples RSS and CPU time from /proc over an idle window. The CPU share
 * at a 60 s interval = (one check's CPU + the idle wake-ups of 60 s) / 60 s.
 * Targets: under 80 MiB RSS, under 1% of a core at a 60 s interval.
 *   node --import tsx bench/agent.ts [--json-out FILE]
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { agentArgs } from "../test/agent/agent-args.ts";
import { type AgentResult, emitResult } from "./results.ts";

const IDLE_SECONDS = Number(process.env.BENCH_AGENT_IDLE ?? 20);
const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Number(line?.replace(/\D+/g, "")) / 1024;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "regtrust-bench-agent-"));
  const root = join(dir, "node");
  mkdirSync(join(root, "etc/containerd"), { recursive: true });
  writeFileSync(join(root, "etc/os-release"), "ID=debian\n");
  writeFileSync(
    join(root, "etc/containerd/config.toml"),
    'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n',
  );
  writeFileSync(join(dir, "ca.crt"), "");
  const config = join(dir, "agent.yaml");
  writeFileSync(
    config,
    `registries: ["127.0.0.1:9"]\ncaFile: ${join(dir, "ca.crt")}\nmode: report\nintervalSeconds: 60\n`,
  );
  const child = spawn(
    process.execPath,
    [resolve(import.meta.dirname, "../dist/regtrust.mjs"), ...agentArgs({ config, root, node: "bench" })],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  try {
    await emitResult(await sample(child));
  } finally {
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

async function sample(child: ChildProcessByStdio<null, null, Readable>): Promise<AgentResult> {
  const pid = child.pid as number;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no first check within 30 s")), 30_000);
    child.once("exit", (code) => reject(new Error(`agent exited ${code} before its first check`)));
    child.stderr.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes('"registry checked"')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const firstCheckCpu = cpuSeconds(pid);
  const firstCheckWallMs = performance.now() - started;
  await sleep(IDLE_SECONDS * 1000);
  const idleCpu = cpuSeconds(pid) - firstCheckCpu;
  // Start-up plus first check bound one check's CPU from above.
  const sharePercent = ((firstCheckCpu + (idleCpu / IDLE_SECONDS) * 60) / 60) * 100;
  return {
    kind: "agent",
    idleSeconds: IDLE_SECONDS,
    rssMiB: rssMiB(pid),
    firstCheckCpuMs: firstCheckCpu * 1000,
    firstCheckWallMs,
    idleCpuMsPerSecond: (idleCpu / IDLE_SECONDS) * 1000,
    sharePercent,
  };
}

await main();
