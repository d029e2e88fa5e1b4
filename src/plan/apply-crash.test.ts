import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Exec } from "../core/deps.ts";
import { applyPlan, recoverInterrupted } from "./apply.ts";
import { DEFAULT_JOURNAL_DIR, locateJournal, readJournal } from "./journal-store.ts";
import { contentBytes, type Plan, serialisePlan } from "./plan.ts";
import { nodeTree, trustPlan } from "./testing/fixture-plans.ts";
import { makeRoot, removeRoot, spawnApplyChild, treeChecksum } from "./testing/support.ts";
import { undoPlanFor } from "./undo.ts";

/**
 * kill -9 at every point between two filesystem operations of a trust run:
 * each file is its old or its new content, never partial; the next run rolls
 * the interrupted one back (or, after the commit, keeps it) and untrust is
 * still exact.
 */

const HOST = "repo.example.com:11000";
const quietExec: Exec = async () => ({ code: 0, stdout: "", stderr: "" });
/** locked + journal-written + 5 writes × (temp-written, renamed, change-done) + 2 mkdirs + committed. */
const STEPS = 1 + 1 + 5 * 3 + 2 + 1;
const roots: string[] = [];
after(async () => {
  for (const root of roots) await removeRoot(root);
});

async function readOrNull(path: string): Promise<string | null> {
  return readFile(path, "utf8").catch(() => null);
}

async function assertOldOrNew(root: string, plan: Plan, original: Map<string, string | null>): Promise<void> {
  for (const change of plan.changes) {
    if (change.kind !== "write") continue;
    const now = await readOrNull(join(root, change.path));
    const fresh = Buffer.from(contentBytes(change.content)).toString("utf8");
    assert.ok(now === original.get(change.path) || now === fresh, `${change.path} is partial: ${now}`);
  }
}

async function journalOf(root: string) {
  return readJournal(await locateJournal(root, DEFAULT_JOURNAL_DIR, { create: false }));
}

// Each step works on its own root and child process: they run side by side (issue #18: this file was 42 s of
// the unit run when the 20 children started one after another).
describe("crash safety (SIGKILL between any two filesystem operations)", { concurrency: 4 }, () => {
  for (let step = 0; step < STEPS; step++) {
    it(`killed at step ${step}: old-or-new, then rolled back (or kept once committed)`, async () => {
      const root = await makeRoot(nodeTree());
      roots.push(root);
      const before = await treeChecksum(root);
      const plan = await trustPlan(root, HOST);
      const original = new Map<string, string | null>();
      for (const change of plan.changes) original.set(change.path, await readOrNull(join(root, change.path)));

      const child = spawnApplyChild({ root, plan: serialisePlan(plan), pauseAtStep: step });
      const out = await child.waitFor("PAUSED", 20_000);
      child.kill("SIGKILL");
      await child.exited;
      await assertOldOrNew(root, plan, original);

      const committed = out.includes("PAUSED committed");
      assert.equal(committed, step === STEPS - 1, "the last step is the commit");
      const report = await recoverInterrupted({ root, lockTimeoutMs: 5_000 });
      const journal = await journalOf(root);
      assert.equal(journal.pending, null);
      if (committed) {
        assert.equal(report, null);
        assert.equal(journal.records.length, 1);
        await applyPlan(await undoPlanFor(HOST, root), { root, exec: quietExec });
      } else {
        assert.equal(report !== null, step >= 1, "a run killed after its write-ahead entry is reported");
        assert.deepEqual(journal.records, []);
      }
      assert.deepEqual(await treeChecksum(root), before);
    });
  }

  it("untrust after a crash rolls the interrupted run back first and says so", async () => {
    const root = await makeRoot(nodeTree());
    roots.push(root);
    const before = await treeChecksum(root);
    const child = spawnApplyChild({ root, plan: serialisePlan(await trustPlan(root, HOST)), pauseAtStep: 8 });
    await child.waitFor("PAUSED", 20_000);
    child.kill("SIGKILL");
    await child.exited;
    const plan = await undoPlanFor(HOST, root);
    assert.match(
      plan.notes.join("\n"),
      /an interrupted trust of repo\.example\.com:11000 .* was rolled back first/,
    );
    assert.deepEqual(plan.changes, []);
    assert.deepEqual(await treeChecksum(root), before);
  });
});
