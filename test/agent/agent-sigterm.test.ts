/**
 * SIGTERM to a running agent process (as kubelet sends it on a rolling update):
 * sent while the first check is applying the fix, the agent finishes that
 * check, exits 0, and leaves every file whole — the node verifies afterwards
 * and no temporary file is left. Sent while it waits, it exits at once.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../integration/cli.ts";
import { buildNodeRoot, withContainerd } from "../integration/node-root.ts";
import { startPrivateCaRegistry } from "../support/private-registry.ts";
import type { RunningRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/tmp.ts";
import { agentArgs } from "./agent-args.ts";

const CLI = join(import.meta.dirname, "../reliability/regtrust.ts");
const dirs = new TempDirs();
let registry: RunningRegistry;
let target: string;
let config: string;

before(async () => {
  let caFile: string;
  ({ registry, target, caFile } = await startPrivateCaRegistry(dirs));
  const dir = await dirs.make("agent-sigterm");
  config = join(dir, "agent.yaml");
  await writeFile(
    config,
    `registries: ["${target}"]\ncaFile: ${caFile}\nmode: enforce\nintervalSeconds: 300\n`,
  );
});

after(async () => {
  await registry?.stop();
  await dirs.cleanup();
});

/** Starts the agent, sends SIGTERM when `when` matches a log line, resolves with the exit code and the logs. */
function agentUntil(root: string, when: (log: { msg: string }) => boolean) {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...agentArgs({ config, root, node: "n" })], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Array<{ msg: string }> = [];
  let buffered = "";
  child.stderr.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      const log = JSON.parse(line) as { msg: string };
      logs.push(log);
      if (when(log)) child.kill("SIGTERM");
    }
  });
  return new Promise<{ code: number | null; logs: Array<{ msg: string }> }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`agent did not exit; logs: ${JSON.stringify(logs)}`));
    }, 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, logs });
    });
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map(String);
}

describe("agent and SIGTERM", () => {
  test("during the first check's apply: the check completes, exit 0, files whole, node verifies", async () => {
    const root = await buildNodeRoot(dirs, withContainerd());
    const { code, logs } = await agentUntil(root, (l) => l.msg === "agent started");
    assert.equal(code, 0, JSON.stringify(logs));
    const messages = logs.map((l) => l.msg);
    assert.ok(messages.includes("enforce: trust fix applied"), messages.join(" | "));
    assert.equal(messages.at(-1), "stopping: signal received");
    assert.deepEqual(
      (await filesUnder(root)).filter((f) => /\.tmp|regtrust-tmp/.test(f)),
      [],
    );
    const after = await runCli(["diagnose", target, "--root", root, "--runtime", "containerd", "--json"]);
    assert.equal(after.code, 0, after.stdout);
  });

  test("while waiting for the next interval: exits at once", async () => {
    const root = await buildNodeRoot(dirs, withContainerd());
    const { code, logs } = await agentUntil(root, (l) => l.msg === "registry checked");
    assert.equal(code, 0);
    assert.equal(logs.at(-1)?.msg, "stopping: signal received");
  });
});
