import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { applyPlan } from "./apply.ts";
import { PlanApplyError } from "./errors.ts";
import { realFsOps } from "./fs-ops.ts";
import { DEFAULT_JOURNAL_DIR, locateJournal, readJournal } from "./journal-store.ts";
import { acquireLock, currentOwner } from "./lock.ts";
import { newPlan, serialisePlan, writeOwnedFile } from "./plan.ts";
import { nodeTree, trustPlan } from "./testing/fixture-plans.ts";
import { makeRoot, removeRoot, spawnApplyChild } from "./testing/support.ts";

const roots: string[] = [];
after(async () => {
  for (const root of roots) await removeRoot(root);
});

async function freshRoot(): Promise<string> {
  const root = await makeRoot(nodeTree());
  roots.push(root);
  return root;
}

function ownedPlan(target: string) {
  const dir = `/etc/docker/certs.d/${target}`;
  return newPlan(target, "trust", {
    changes: [
      writeOwnedFile(`${dir}/ca.crt`, `${target}\n`, "ca"),
      writeOwnedFile(`${dir}/extra.crt`, "x\n", "ca"),
    ],
  });
}

/** A PID that belonged to a process which has exited. */
function deadPid(): number {
  return spawnSync("true").pid!;
}

describe("lock", () => {
  it("serialises two applies running in parallel processes", async () => {
    const root = await freshRoot();
    const timeline = join(root, "timeline");
    const jobs = ["a.example.com", "b.example.com"].map((target) =>
      spawnApplyChild({ root, plan: serialisePlan(ownedPlan(target)), holdMs: 150, timeline }),
    );
    const outputs = await Promise.all(jobs.map((job) => job.waitFor("DONE", 30_000)));
    assert.equal(outputs.length, 2);
    const marks = (await readFile(timeline, "utf8")).trim().split("\n");
    assert.deepEqual(
      marks.map((m) => m.split(" ")[0]),
      ["start", "end", "start", "end"],
      "one run's critical section ends before the other's starts",
    );
    const journal = await readJournal(await locateJournal(root, DEFAULT_JOURNAL_DIR, { create: false }));
    assert.deepEqual(journal.records.map((r) => r.target).sort(), ["a.example.com", "b.example.com"]);
  });

  it("two runs editing the same file: one wins, the other gets a conflict instead of losing an update", async () => {
    const root = await freshRoot();
    const plans = [await trustPlan(root, "a.example.com"), await trustPlan(root, "b.example.com")];
    const jobs = plans.map((plan) => spawnApplyChild({ root, plan: serialisePlan(plan), holdMs: 50 }));
    const outputs = await Promise.all(jobs.map(async (job) => (await job.waitFor("\n", 30_000)).trim()));
    assert.deepEqual(outputs.sort(), ["DONE", "FAILED conflict"]);
    const registries = await readFile(join(root, "etc/rancher/k3s/registries.yaml"), "utf8");
    assert.equal(registries.includes("a.example.com") !== registries.includes("b.example.com"), true);
  });

  it("breaks a stale lock left by a dead process", async () => {
    const root = await freshRoot();
    const location = await locateJournal(root, DEFAULT_JOURNAL_DIR, { create: true, ops: realFsOps });
    await writeFile(
      location.lock,
      JSON.stringify({ ...currentOwner(new Date()), pid: deadPid(), startTime: null }),
    );
    const result = await applyPlan(ownedPlan("a.example.com"), { root, lockTimeoutMs: 2_000 });
    assert.equal(result.changed, true);
  });

  it("waits for a live holder, then fails naming it", async () => {
    const root = await freshRoot();
    const location = await locateJournal(root, DEFAULT_JOURNAL_DIR, { create: true, ops: realFsOps });
    const held = await acquireLock(location.lock);
    try {
      await assert.rejects(
        applyPlan(ownedPlan("a.example.com"), { root, lockTimeoutMs: 300 }),
        (e: unknown) =>
          e instanceof PlanApplyError && e.failure === "locked" && e.message.includes(`pid ${process.pid}`),
      );
    } finally {
      await held.release();
    }
    assert.equal((await applyPlan(ownedPlan("a.example.com"), { root })).changed, true);
  });

  it("never breaks a lock held from another PID namespace", async () => {
    const root = await freshRoot();
    const location = await locateJournal(root, DEFAULT_JOURNAL_DIR, { create: true, ops: realFsOps });
    await writeFile(
      location.lock,
      JSON.stringify({ ...currentOwner(new Date()), pid: deadPid(), pidNamespace: "pid:[1]" }),
    );
    await assert.rejects(
      applyPlan(ownedPlan("a.example.com"), { root, lockTimeoutMs: 300 }),
      /another PID namespace or host/,
    );
  });
});
