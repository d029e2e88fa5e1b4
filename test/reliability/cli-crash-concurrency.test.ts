/**
 * Issue #10 (2, 3): the whole CLI process (not just applyPlan) killed with
 * SIGKILL at seeded random moments of `trust`, `insecure` and `untrust` against
 * a node root where trust writes several files (OS store CA + the
 * update-ca-certificates bundle and links, containerd hosts.toml + CA, k3s
 * registries.yaml + CA), and 10 parallel CLI runs on one root.
 * - after a kill every path is its state before or after an uninterrupted run
 *   of the same command, never partial (temp files beside targets aside);
 * - the next run (untrust, or the same command again) finds the interrupted
 *   journal, rolls it back or finishes it, and leaves the journal clean;
 * - a following untrust leaves the tree byte-identical to the original (modes
 *   and symlinks included);
 * - kills are timed on the journal appearing under the root, so a good share
 *   lands inside apply; the share is counted and asserted.
 * Seeded RNG (REGTRUST_CRASH_SEED), seed printed. REGTRUST_CRASH_ITERATIONS
 * sets the number of kills (default 12 for CI; `npm run test:crash` runs 100).
 */
import assert from "node:assert/strict";
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { TempDirs } from "../support/tmp.ts";
import { buildDebianNode } from "../trust/node.ts";
import {
  cli,
  describeKill,
  journalView,
  type KillPlan,
  killDuring,
  neitherOldNorNew,
  type Phase,
  phaseOf,
  rng,
  sameTree,
  type Tree,
  timedRun,
  treeState,
} from "./crash-support.ts";

const HOST = "repo.example.com:5000"; // nothing listens: trust installs without the live check
const NODE_FILES = {
  "/etc/containerd/config.toml":
    'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n',
  "/etc/rancher/k3s/registries.yaml": `mirrors:\n  docker.io:\n    endpoint:\n      - "https://mirror.example.net"\nconfigs:\n  "${HOST}":\n    auth:\n      username: robot\n      password: hunter2\n`,
};
const ITERATIONS = Number(process.env.REGTRUST_CRASH_ITERATIONS ?? 12);
const SEED = Number(process.env.REGTRUST_CRASH_SEED ?? Date.now() % 2 ** 31);
console.log(`# crash seed ${SEED}, ${ITERATIONS} iterations (replay: REGTRUST_CRASH_SEED=${SEED})`);

type State = "original" | "trusted" | "insecure";
interface Scenario {
  op: "trust" | "insecure" | "untrust";
  from: State;
  to: State;
}
const SCENARIOS: Scenario[] = [
  { op: "trust", from: "original", to: "trusted" },
  { op: "insecure", from: "original", to: "insecure" },
  { op: "untrust", from: "trusted", to: "original" },
  { op: "untrust", from: "insecure", to: "original" },
];

const dirs = new TempDirs();
const scratch = new TempDirs();
after(() => Promise.all([dirs.cleanup(), scratch.cleanup()]));
let caFile = "";
let tmp = "";
const snapshot: Record<State, Tree> = { original: {}, trusted: {}, insecure: {} };
/** Per scenario, from one uninterrupted run: its duration and the span of its journal writes. */
const timing = new Map<Scenario, { fullMs: number; spanMs: number }>();

function argsOf(op: Scenario["op"], root: string): string[] {
  const extra = op === "trust" ? ["--ca", caFile] : op === "insecure" ? ["--ttl", "4h"] : [];
  return [op, HOST, ...extra, "--root", root];
}

/** A fresh node in `state`, reached by uninterrupted runs. registries.yaml holds a password: 0600, as audit wants it. */
async function nodeIn(state: State): Promise<string> {
  const root = await buildDebianNode(scratch, NODE_FILES);
  await chmod(join(root, "/etc/rancher/k3s/registries.yaml"), 0o600);
  if (state === "original") return root;
  const r = await cli(argsOf(state === "trusted" ? "trust" : "insecure", root), tmp);
  assert.equal(r.code, 0, r.out);
  return root;
}

before(async () => {
  const pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
  caFile = join(await dirs.make("ca"), "root.pem");
  await writeFile(caFile, pki.root.certPem);
  tmp = await dirs.make("crash-tmpdir");
  snapshot.original = await treeState(await nodeIn("original"));
  for (const s of SCENARIOS) {
    const root = await nodeIn(s.from);
    assert.deepEqual(await treeState(root), snapshot[s.from]);
    const timed = await timedRun(argsOf(s.op, root), root, tmp);
    assert.equal(timed.code, 0, timed.out);
    timing.set(s, timed);
    console.log(
      `# uninterrupted ${s.op} from ${s.from}: ${Math.round(timed.fullMs)} ms, journal writes over ${Math.round(timed.spanMs)} ms`,
    );
    if (s.from === "original") snapshot[s.to] = await treeState(root);
    else
      assert.deepEqual(
        await treeState(root),
        snapshot.original,
        `uninterrupted ${s.op} from ${s.from} not exact`,
      );
  }
  for (const state of ["trusted", "insecure"] as const) {
    assert.ok(!sameTree(snapshot[state], snapshot.original), `${state} must change the tree`);
  }
  assert.ok(
    ["etc/rancher/k3s/registries.yaml", "etc/ssl/certs/ca-certificates.crt"].every(
      (p) => snapshot.trusted[p] !== snapshot.original[p],
    ),
    "trust must edit files of several contexts, so a kill can land between them",
  );
  await scratch.cleanup();
});

/**
 * Seeded: 70 % armed on the write-ahead entry, the delay spread over the span
 * of the scenario's journal writes (skewed towards 0, where apply runs), 30 %
 * uniform over the whole run (mostly start-up).
 */
function drawKill(s: Scenario, random: () => number): KillPlan {
  const { fullMs, spanMs } = timing.get(s)!;
  const armedOnJournal = random() < 0.7;
  const x = random();
  const ms = armedOnJournal ? Math.floor(x * x * spanMs) : Math.floor(fullMs * (0.2 + x * 0.9));
  return { armed: armedOnJournal ? "journal" : "spawn", ms, group: random() < 0.5 };
}

/** The run after a kill: untrust, or the killed command again then untrust. Checks the journal is finished either way. */
async function recoverAndUndo(s: Scenario, root: string, phase: Phase, rerun: boolean, label: string) {
  const first = await cli(argsOf(rerun ? s.op : "untrust", root), tmp);
  assert.equal(first.code, 0, `${label}: next run failed:\n${first.out}`);
  if (phase === "mid") {
    assert.match(
      first.out,
      /an interrupted \w+ of \S+ \(.*\) was rolled back first/,
      `${label}: ${first.out}`,
    );
  }
  if (phase === "commands") assert.match(first.out, /re-ran \d+ refresh command/, `${label}: ${first.out}`);
  const journal = await journalView(root);
  assert.ok(!journal.pending && !journal.unfinished, `${label}: journal not finished after the next run`);
  if (rerun) {
    assert.deepEqual(await treeState(root), snapshot[s.to], `${label}: re-run did not reach the end state`);
    if (s.op !== "untrust") {
      const undo = await cli(argsOf("untrust", root), tmp);
      assert.equal(undo.code, 0, `${label}: untrust failed:\n${undo.out}`);
    }
  }
  assert.deepEqual(await treeState(root), snapshot.original, `${label}: untrust not exact`);
}

interface Tally {
  phases: Record<Phase, number>;
  ops: Record<string, number>;
  osStoreGaps: number;
}

/** One seeded kill: a fresh node, the command killed, the tree checked, the next runs checked. */
async function killOnce(i: number, random: () => number, tally: Tally): Promise<void> {
  const s = SCENARIOS[Math.floor(random() * SCENARIOS.length)]!;
  const kill = drawKill(s, random);
  const rerun = random() < 0.5;
  const root = await nodeIn(s.from);
  const start = await journalView(root);
  await killDuring(argsOf(s.op, root), root, tmp, kill);
  const phase = phaseOf(start, await journalView(root));
  const label = `iteration ${i}: ${s.op} from ${s.from}, ${describeKill(kill)}, landed ${phase}, next ${rerun ? "re-run" : "untrust"} (seed ${SEED})`;
  if (process.env.REGTRUST_CRASH_VERBOSE) console.log(`# ${label}`);
  const now = await treeState(root);
  const { partial, linkGaps } = neitherOldNorNew(now, snapshot[s.from], snapshot[s.to], phase);
  assert.deepEqual(partial, [], `${label}: partial files`);
  if (linkGaps.length > 0) tally.osStoreGaps++;
  tally.phases[phase]++;
  tally.ops[`${s.op}<-${s.from}`] = (tally.ops[`${s.op}<-${s.from}`] ?? 0) + 1;
  await recoverAndUndo(s, root, phase, rerun, label);
  await scratch.cleanup();
}

describe("kill -9 of the whole CLI at random points", () => {
  it(`${ITERATIONS} seeded kills of trust/insecure/untrust: old-or-new, recovered, then untrust restores the original exactly`, async () => {
    const random = rng(SEED);
    const tally: Tally = { phases: { before: 0, mid: 0, commands: 0, after: 0 }, ops: {}, osStoreGaps: 0 };
    for (let i = 0; i < ITERATIONS; i++) await killOnce(i, random, tally);
    const { phases, ops, osStoreGaps } = tally;
    console.log(
      `# kill points: ${JSON.stringify(phases)} ops ${JSON.stringify(ops)}; OS-store links missing until the next run after ${osStoreGaps} kill(s)`,
    );
    // About 45 % land mid-apply (measured over 100); 15 %, at least one, leaves
    // a 12-kill run a < 0.1 % chance of failing by bad luck.
    if (ITERATIONS >= 12) {
      assert.ok(
        phases.mid >= Math.max(1, Math.floor(ITERATIONS * 0.15)),
        `only ${phases.mid} of ${ITERATIONS} kills landed mid-apply: kill timing drifted (seed ${SEED})`,
      );
    }
  });
});

describe("concurrency: 10 parallel CLI runs on one root", () => {
  it("ends consistent (original or applied), never an internal error; untrust + audit clean after", async () => {
    const root = await nodeIn("original");
    const ops = Array.from(
      { length: 10 },
      (_, i) => (i % 2 === 0 ? "insecure" : "untrust") as Scenario["op"],
    );
    const results = await Promise.all(ops.map((op) => cli(argsOf(op, root), tmp)));
    for (const [i, r] of results.entries()) {
      assert.ok(
        r.code === 0 || r.code === 1 || r.code === 2,
        `run ${i} (${ops[i]}) exit ${r.code}:\n${r.out}`,
      );
      assert.doesNotMatch(r.out, /internal error/i);
    }
    const now = await treeState(root);
    assert.ok(sameTree(now, snapshot.original) || sameTree(now, snapshot.insecure), "tree is a mix of runs");
    assert.equal((await cli(argsOf("untrust", root), tmp)).code, 0);
    assert.deepEqual(await treeState(root), snapshot.original);
    const audit = await cli(["audit", "--root", root], tmp);
    assert.equal(audit.code, 0, audit.out);
  });
});
