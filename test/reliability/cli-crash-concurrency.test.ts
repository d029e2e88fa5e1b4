/**
 * Issue #10 (2, 3): the whole CLI process (not just applyPlan) killed with
 * SIGKILL at random moments of `insecure`/`untrust` against a node root, and
 * 10 parallel CLI runs on one root.
 * - after a kill every file is its old or its new content, never partial;
 * - the next run (untrust) finds the interrupted journal, finishes or rolls it
 *   back, and leaves the tree byte-identical to the original;
 * - parallel runs end consistent (original or fully applied) and audit is clean
 *   after the last untrust.
 * Seeded RNG (REGTRUST_CRASH_SEED), seed printed. REGTRUST_CRASH_ITERATIONS
 * sets the number of kills (default 12 for CI; `npm run test:reliability:full` uses 100).
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { watch } from "node:fs";
import { cp, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { TempDirs } from "../support/tmp.ts";
import { buildDebianNode, treeChecksum as rawChecksum } from "../trust/node.ts";

const run = promisify(execFile);
const CLI = join(import.meta.dirname, "regtrust.ts");
const HOST = "repo.example.com:5000";
const CONFIG =
  'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n';
const INSECURE = ["--ttl", "4h"];
const ITERATIONS = Number(process.env.REGTRUST_CRASH_ITERATIONS ?? 12);
const SEED = Number(process.env.REGTRUST_CRASH_SEED ?? Date.now() % 2 ** 31);
console.log(`# crash seed ${SEED}, ${ITERATIONS} iterations (replay: REGTRUST_CRASH_SEED=${SEED})`);

/**
 * The tree checksum with ISO timestamps blanked: insecure writes its expiry
 * time into hosts.toml, so two complete runs differ only there.
 */
async function treeChecksum(root: string): Promise<Record<string, string>> {
  const tree = await rawChecksum(root);
  for (const [rel, v] of Object.entries(tree)) {
    if (!v.startsWith("file ")) continue;
    const text = (await readFile(join(root, rel), "latin1")).replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "T");
    tree[rel] = `${v.split(" ").slice(0, 2).join(" ")} ${createHash("sha256").update(text).digest("hex")}`;
  }
  return tree;
}

/** mulberry32: tiny, seedable, good enough to spread kill points. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const dirs = new TempDirs();
const scratch = new TempDirs();
after(() => Promise.all([dirs.cleanup(), scratch.cleanup()]));
let template = "";
let original: Record<string, string> = {};
let applied: Record<string, string> = {};
let fullMs = 1000;

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(process.execPath, ["--import", "tsx", CLI, ...args], { timeout: 60_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : -1, out: `${err.stdout}${err.stderr}` };
  }
}

async function copyOf(state: "original" | "applied"): Promise<string> {
  const root = await scratch.make("crash");
  await cp(template, root, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  if (state === "applied") assert.equal((await cli(["insecure", HOST, ...INSECURE, "--root", root])).code, 0);
  return root;
}

/**
 * Starts the CLI and SIGKILLs it. `armedMs` null: after `ms` from spawn.
 * Otherwise: `armedMs` after the first filesystem event under the root
 * (the lock/journal appearing), which lands kills inside the short apply
 * window instead of mostly in start-up.
 */
function killAfter(args: string[], root: string, ms: number, armedMs: number | null): Promise<void> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
      stdio: "ignore",
    });
    const timers: NodeJS.Timeout[] = [];
    const watcher = watch(root, { recursive: true }, () => {
      if (armedMs === null) return;
      watcher.close();
      timers.push(setTimeout(() => child.kill("SIGKILL"), armedMs));
    });
    timers.push(setTimeout(() => child.kill("SIGKILL"), armedMs === null ? ms : 60_000));
    child.on("exit", () => {
      for (const t of timers) clearTimeout(t);
      watcher.close();
      resolve();
    });
  });
}

function assertOldOrNew(now: Record<string, string>): void {
  for (const path of new Set([...Object.keys(now), ...Object.keys(original), ...Object.keys(applied)])) {
    // Temp files beside a target (written, fsynced, then renamed over it) may
    // survive a kill; the next run must remove them (checked by the exact untrust).
    if (/\/\.[^/]*\.regtrust-[^/]*\.tmp$/.test(path)) continue;
    const v = now[path];
    assert.ok(v === original[path] || v === applied[path], `${path} is neither old nor new: ${v}`);
  }
}

before(async () => {
  template = await buildDebianNode(dirs, { "/etc/containerd/config.toml": CONFIG });
  original = await treeChecksum(template);
  const probe = await copyOf("original");
  const t0 = Date.now();
  const first = await cli(["insecure", HOST, ...INSECURE, "--root", probe]);
  assert.equal(first.code, 0, first.out);
  fullMs = Date.now() - t0;
  applied = await treeChecksum(probe);
  assert.notDeepEqual(applied, original, "insecure must change the tree for this test to mean anything");
});

describe("kill -9 of the whole CLI at random points", () => {
  it(`${ITERATIONS} seeded kills of insecure/untrust: old-or-new, then untrust restores the original exactly`, async () => {
    const random = rng(SEED);
    const seen = { untouched: 0, complete: 0, between: 0 };
    for (let i = 0; i < ITERATIONS; i++) {
      const op = random() < 0.5 ? "insecure" : "untrust";
      const root = await copyOf(op === "insecure" ? "original" : "applied");
      const ms = Math.floor(fullMs * (0.3 + random() * 0.9));
      const armedMs = random() < 0.7 ? Math.floor(random() * 40) : null;
      await killAfter([op, HOST, ...(op === "insecure" ? INSECURE : []), "--root", root], root, ms, armedMs);
      const killed = await treeChecksum(root);
      assertOldOrNew(killed);
      const start = op === "insecure" ? original : applied;
      const end = op === "insecure" ? applied : original;
      if (JSON.stringify(killed) === JSON.stringify(start)) seen.untouched++;
      else if (JSON.stringify(killed) === JSON.stringify(end)) seen.complete++;
      else seen.between++;
      const next = await cli(["untrust", HOST, "--root", root]);
      assert.equal(
        next.code,
        0,
        `iteration ${i} (${op} killed at ${armedMs === null ? `${ms} ms` : `${armedMs} ms after first write`}, seed ${SEED}):\n${next.out}`,
      );
      assert.deepEqual(
        await treeChecksum(root),
        original,
        `iteration ${i}: untrust not exact (seed ${SEED})`,
      );
      await scratch.cleanup();
    }
    console.log(`# kill points: ${JSON.stringify(seen)} (between = killed mid-apply)`);
  });
});

describe("concurrency: 10 parallel CLI runs on one root", () => {
  it("ends consistent (original or applied), never an internal error; untrust + audit clean after", async () => {
    const root = await copyOf("original");
    const ops = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? "insecure" : "untrust"));
    const results = await Promise.all(
      ops.map((op) => cli([op, HOST, ...(op === "insecure" ? INSECURE : []), "--root", root])),
    );
    for (const [i, r] of results.entries()) {
      assert.ok(
        r.code === 0 || r.code === 1 || r.code === 2,
        `run ${i} (${ops[i]}) exit ${r.code}:\n${r.out}`,
      );
      assert.doesNotMatch(r.out, /internal error/i);
    }
    const now = await treeChecksum(root);
    assert.ok(
      JSON.stringify(now) === JSON.stringify(original) || JSON.stringify(now) === JSON.stringify(applied),
      "tree is a mix of runs",
    );
    assert.equal((await cli(["untrust", HOST, "--root", root])).code, 0);
    assert.deepEqual(await treeChecksum(root), original);
    const audit = await cli(["audit", "--root", root]);
    assert.equal(audit.code, 0, audit.out);
  });
});
