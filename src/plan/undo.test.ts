import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Exec } from "../core/deps.ts";
import { applyPlan } from "./apply.ts";
import { PlanApplyError, UndoConflictError } from "./errors.ts";
import { expiredInsecureTargets, summarise } from "./journal.ts";
import { readJournalAt } from "./journal-store.ts";
import { newPlan, writeOwnedFile } from "./plan.ts";
import { CONFIG_TOML, nodeTree, pemFor, REGISTRIES_YAML, trustPlan } from "./testing/fixture-plans.ts";
import { makeRoot, removeRoot, treeChecksum } from "./testing/support.ts";
import { undoPlanFor } from "./undo.ts";

const A = "repo.example.com:11000";
const B = "other.example.com:5000";
const roots: string[] = [];
after(async () => {
  for (const root of roots) await removeRoot(root);
});

const quietExec: Exec = async () => ({ code: 0, stdout: "", stderr: "" });

async function freshRoot(): Promise<string> {
  const root = await makeRoot(nodeTree());
  roots.push(root);
  return root;
}

async function untrust(root: string, target: string, opts = {}) {
  return applyPlan(await undoPlanFor(target, root, opts), { root, exec: quietExec });
}

const journalOf = (root: string) => readJournalAt(root);

const text = (root: string, rel: string) => readFile(join(root, rel), "utf8");

describe("undoPlanFor", () => {
  it("untrust leaves the tree outside /var/lib/regtrust byte-for-byte as before, modes included", async () => {
    const root = await freshRoot();
    const before = await treeChecksum(root);
    await applyPlan(await trustPlan(root, A), { root, exec: quietExec });
    assert.notDeepEqual(await treeChecksum(root), before);
    const result = await untrust(root, A);
    assert.deepEqual(await treeChecksum(root), before);
    assert.ok(result.effects.some((e) => e.op === "rmdir" && e.path === "/etc/containerd/certs.d" && e.done));
    assert.deepEqual((await journalOf(root)).records, []);
    assert.deepEqual((await journalOf(root)).shared, {});
  });

  it("reverses several trusts of one target (a new CA replacing the old) exactly", async () => {
    const root = await freshRoot();
    const before = await treeChecksum(root);
    await applyPlan(await trustPlan(root, A, pemFor("first CA")), { root, exec: quietExec });
    await applyPlan(await trustPlan(root, A, pemFor("second CA")), { root, exec: quietExec });
    assert.equal((await journalOf(root)).records.length, 2);
    await untrust(root, A);
    assert.deepEqual(await treeChecksum(root), before);
  });

  it("re-runs refresh commands in their undo form", async () => {
    const root = await freshRoot();
    await applyPlan(await trustPlan(root, A), { root, exec: quietExec });
    const plan = await undoPlanFor(A, root);
    assert.deepEqual(plan.commands[0]?.argv, ["update-ca-certificates", "--fresh"]);
    assert.equal(plan.commands[1]?.kind, "restart");
  });

  it("keeps a shared edit (config_path) while another target needs it; the last untrust restores it", async () => {
    const root = await freshRoot();
    const before = await treeChecksum(root);
    await applyPlan(await trustPlan(root, A), { root, exec: quietExec });
    await applyPlan(await trustPlan(root, B), { root, exec: quietExec });
    assert.deepEqual(
      (await journalOf(root)).records[1]?.claims,
      ["containerd:config_path"],
      "B claims it too",
    );
    await untrust(root, A);
    assert.match(await text(root, "etc/containerd/config.toml"), /config_path/);
    assert.match(await text(root, `etc/containerd/certs.d/${B}/hosts.toml`), /managed by regtrust/);
    assert.match(await text(root, "etc/rancher/k3s/registries.yaml"), new RegExp(B));
    assert.doesNotMatch(await text(root, "etc/rancher/k3s/registries.yaml"), new RegExp(A));
    await untrust(root, B);
    assert.equal(await text(root, "etc/containerd/config.toml"), CONFIG_TOML);
    assert.deepEqual(await treeChecksum(root), before);
  });

  it("reverses only its own edit of a file someone changed since", async () => {
    const root = await freshRoot();
    await applyPlan(await trustPlan(root, A), { root, exec: quietExec });
    const edited = `${await text(root, "etc/rancher/k3s/registries.yaml")}# added by an admin later\n`;
    await writeFile(join(root, "etc/rancher/k3s/registries.yaml"), edited);
    const plan = await undoPlanFor(A, root);
    assert.ok(plan.notes.some((n) => n.includes("only regtrust's edit is reversed")));
    await applyPlan(plan, { root, exec: quietExec });
    assert.equal(
      await text(root, "etc/rancher/k3s/registries.yaml"),
      `${REGISTRIES_YAML}# added by an admin later\n`,
    );
  });

  it("refuses with a clear message when its edit cannot be found, and --force restores the original", async () => {
    const root = await freshRoot();
    await applyPlan(await trustPlan(root, A), { root, exec: quietExec });
    await writeFile(join(root, "etc/rancher/k3s/registries.yaml"), "configs: {}\n");
    const tree = await treeChecksum(root, []);
    await assert.rejects(
      undoPlanFor(A, root),
      (e: unknown) =>
        e instanceof UndoConflictError && e.message.includes("/etc/rancher/k3s/registries.yaml"),
    );
    assert.deepEqual(await treeChecksum(root, []), tree);
    await applyPlan(await undoPlanFor(A, root, { force: true }), { root, exec: quietExec });
    assert.equal(await text(root, "etc/rancher/k3s/registries.yaml"), REGISTRIES_YAML);
  });

  it("undoes only expired insecure records when asked, keeping the trust", async () => {
    const root = await freshRoot();
    await applyPlan(await trustPlan(root, A), { root, exec: quietExec });
    const insecure = newPlan(A, "insecure", {
      changes: [
        writeOwnedFile(`/etc/containerd/certs.d/${A}/skip.toml`, "skip_verify = true\n", "emergency"),
      ],
      meta: { expiresAt: "2026-03-01T12:00:00.000Z" },
    });
    await applyPlan(insecure, { root, exec: quietExec });
    const journal = await journalOf(root);
    assert.deepEqual(expiredInsecureTargets(journal, new Date("2026-03-01T11:59:59Z")), []);
    assert.deepEqual(expiredInsecureTargets(journal, new Date("2026-03-01T12:00:00Z")), [A]);
    await untrust(root, A, { only: "insecure" });
    assert.match(await text(root, `etc/containerd/certs.d/${A}/hosts.toml`), /managed by regtrust/);
    await assert.rejects(text(root, `etc/containerd/certs.d/${A}/skip.toml`), /ENOENT/);
    const summary = summarise(await journalOf(root));
    assert.deepEqual(
      summary.map((s) => [s.target, s.records.map((r) => r.action)]),
      [[A, ["trust"]]],
    );
  });

  it("returns an empty plan for a target regtrust never touched, and applying it changes nothing", async () => {
    const root = await freshRoot();
    const tree = await treeChecksum(root, []);
    const plan = await undoPlanFor("never.example.com", root);
    assert.deepEqual(plan.changes, []);
    assert.match(plan.notes.join(" "), /no record of changes for never\.example\.com/);
    const result = await applyPlan(plan, { root });
    assert.equal(result.changed, false);
    assert.deepEqual(await treeChecksum(root, ["var/lib/regtrust"]), tree);
  });

  it("refuses a stale untrust plan when the journal moved since it was made", async () => {
    const root = await freshRoot();
    await applyPlan(await trustPlan(root, A), { root, exec: quietExec });
    const stale = await undoPlanFor(A, root);
    await applyPlan(await trustPlan(root, B), { root, exec: quietExec });
    await assert.rejects(
      applyPlan(stale, { root }),
      (e: unknown) => e instanceof PlanApplyError && e.failure === "conflict",
    );
  });
});
