/**
 * Artifact tier: the agent as the DaemonSet runs it — a long-lived process,
 * not --once — on a k3s node: it logs JSON lines, fixes the node, serves
 * /healthz, /readyz (after its first check) and /metrics on the port it was
 * given, and exits 0 on SIGTERM (kubelet's stop signal) within a bound.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { agentArgs } from "../agent/agent-args.ts";
import { TempDirs } from "../support/tmp.ts";
import { waitFor } from "../support/wait.ts";
import { startTrustFixture, type TrustFixture } from "../trust/fixture.ts";
import { runArtifact, selectedArtifact, spawnArtifact, transcript } from "./artifact.ts";
import { familyNode } from "./families.ts";

const artifact = selectedArtifact();
const dirs = new TempDirs();
let fx: TrustFixture;
let agent: ChildProcess | undefined;

before(async () => {
  fx = await startTrustFixture(dirs);
});
after(async () => {
  agent?.kill("SIGKILL");
  await fx?.registry.stop();
  await dirs.cleanup();
});

interface LogLine {
  msg: string;
  level: string;
  metricsPort?: number;
  trusted?: boolean;
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.text() };
}

test(`agent loop on a k3s node: fixes it, serves health and metrics, exits 0 on SIGTERM (${artifact.label})`, async () => {
  const root = await familyNode(dirs, "k3s");
  const config = join(await dirs.make("agent-loop"), "agent.yaml");
  await writeFile(
    config,
    `registries: ["${fx.host}"]\ncaFile: ${fx.caFile}\nmode: enforce\nintervalSeconds: 300\n`,
  );
  const child = spawnArtifact(artifact, [...agentArgs({ config, root, node: "node-k3s" })]);
  agent = child;
  const logs: LogLine[] = [];
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    const lines = stderr.split("\n");
    stderr = lines.pop() ?? "";
    for (const line of lines) logs.push(JSON.parse(line) as LogLine);
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));

  const started = await waitFor(async () => logs.find((l) => l.msg === "agent started"), {
    what: "the agent's start line",
    timeoutMs: 30_000,
  });
  const port = started.metricsPort as number;
  assert.ok(port > 0, JSON.stringify(started));
  assert.equal((await get(port, "/healthz")).status, 200);
  await waitFor(async () => logs.find((l) => l.msg === "registry checked"), {
    what: "the first check",
    timeoutMs: 60_000,
  });
  assert.equal((await get(port, "/readyz")).status, 200);
  const metrics = await get(port, "/metrics");
  assert.equal(metrics.status, 200);
  assert.match(metrics.body, /^# HELP /m);
  assert.ok(logs.find((l) => l.msg === "registry checked")?.trusted, JSON.stringify(logs));

  child.kill("SIGTERM");
  const code = await Promise.race([
    exited,
    new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 20_000).unref()),
  ]);
  assert.equal(code, 0, `exit after SIGTERM; logs: ${JSON.stringify(logs)}`);
  assert.ok(
    logs.every((l) => l.level !== "error"),
    JSON.stringify(logs),
  );

  const diagnosed = await runArtifact(artifact, [
    "diagnose",
    fx.host,
    "--root",
    root,
    "--json",
    "--timeout",
    "5000",
  ]);
  assert.equal(diagnosed.code, 0, transcript(diagnosed));
});
