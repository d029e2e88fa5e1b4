import assert from "node:assert/strict";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Exec } from "../core/deps.ts";
import { InputError } from "../core/errors.ts";
import { applyPlan } from "./apply.ts";
import { PlanApplyError } from "./errors.ts";
import { newPlan, writeOwnedFile } from "./plan.ts";
import { nodeTree, trustPlan } from "./testing/fixture-plans.ts";
import { makeRoot, removeRoot, treeChecksum } from "./testing/support.ts";

const HOST = "repo.example.com:11000";
const roots: string[] = [];
after(async () => {
  for (const root of roots) await removeRoot(root);
});

async function freshRoot(extra = {}): Promise<string> {
  const root = await makeRoot({ ...nodeTree(), ...extra });
  roots.push(root);
  return root;
}

/** Records argv instead of running anything. */
function recordingExec(): { exec: Exec; calls: string[][] } {
  const calls: string[][] = [];
  const exec: Exec = async (argv) => {
    calls.push([...argv]);
    return { code: 0, stdout: "", stderr: "" };
  };
  return { calls, exec };
}

const modeOf = async (path: string) => (await stat(path)).mode & 0o7777;

describe("applyPlan", () => {
  it("writes owned files 0644, keeps the mode of edited files, creates parents", async () => {
    const root = await freshRoot();
    const { exec } = recordingExec();
    const result = await applyPlan(await trustPlan(root, HOST), { root, exec });
    assert.equal(result.changed, true);
    assert.equal(await modeOf(join(root, `etc/containerd/certs.d/${HOST}/ca.crt`)), 0o644);
    assert.equal(await modeOf(join(root, "etc/rancher/k3s/registries.yaml")), 0o600);
    assert.equal(await modeOf(join(root, "etc/containerd/certs.d")), 0o755);
    assert.match(await readFile(join(root, "etc/containerd/config.toml"), "utf8"), /config_path/);
    const created = result.effects.filter((e) => e.op === "mkdir").map((e) => e.path);
    assert.deepEqual(created, ["/etc/containerd/certs.d", `/etc/containerd/certs.d/${HOST}`]);
  });

  it("is idempotent: applying the same trust again changes nothing, not even the journal", async () => {
    const root = await freshRoot();
    const { exec, calls } = recordingExec();
    await applyPlan(await trustPlan(root, HOST), { root, exec });
    const tree = await treeChecksum(root, []);
    const again = await applyPlan(await trustPlan(root, HOST), { root, exec });
    assert.equal(again.changed, false);
    assert.equal(again.runId, null);
    assert.equal(again.unchanged.length, 5);
    assert.deepEqual(await treeChecksum(root, []), tree);
    assert.equal(calls.length, 1, "the refresh ran once, for the first apply only");
  });

  it("dry run writes nothing anywhere under the root and lists what it would do", async () => {
    const root = await freshRoot();
    const tree = await treeChecksum(root, []);
    const result = await applyPlan(await trustPlan(root, HOST), {
      root,
      dryRun: true,
      exec: recordingExec().exec,
    });
    assert.deepEqual(await treeChecksum(root, []), tree);
    assert.equal(result.dryRun, true);
    assert.equal(result.effects.filter((e) => e.op === "write").length, 5);
    assert.ok(result.commands.every((c) => c.status === "not-run"));
  });

  it("runs refresh commands, and prints restarts unless asked", async () => {
    const root = await freshRoot();
    const { exec, calls } = recordingExec();
    const result = await applyPlan(await trustPlan(root, HOST), { root, exec });
    assert.equal(calls.length, 1);
    assert.ok(calls[0]!.some((arg) => arg.endsWith("update-ca-certificates")));
    const restart = result.commands.find((c) => c.kind === "restart")!;
    assert.equal(restart.status, "not-run");
    assert.equal(restart.manual, "systemctl restart containerd");
  });

  it("creates a new file with the planned mode whatever the umask", async () => {
    const root = await freshRoot();
    const previous = process.umask(0o077);
    try {
      await applyPlan(
        newPlan(HOST, "trust", { changes: [writeOwnedFile("/etc/x/y.crt", "y", "test", 0o644)] }),
        {
          root,
        },
      );
    } finally {
      process.umask(previous);
    }
    assert.equal(await modeOf(join(root, "etc/x/y.crt")), 0o644);
    assert.equal(await modeOf(join(root, "etc/x")), 0o755);
  });

  it("refuses a symlink at a write location and changes nothing under the root", async () => {
    const root = await freshRoot({ [`etc/containerd/certs.d/${HOST}/ca.crt`]: { symlink: "/etc/shadow" } });
    const tree = await treeChecksum(root, []);
    await assert.rejects(applyPlan(await trustPlan(root, HOST), { root }), (e: unknown) => {
      return e instanceof InputError && e.message.includes(`/etc/containerd/certs.d/${HOST}/ca.crt`);
    });
    assert.deepEqual(await treeChecksum(root, []), tree);
  });

  it("refuses a parent directory symlinked out of the root and changes nothing", async () => {
    const root = await freshRoot({ "etc/containerd/certs.d": { symlink: "../../../../../../../../../tmp" } });
    const tree = await treeChecksum(root, []);
    await assert.rejects(applyPlan(await trustPlan(root, HOST), { root }), /climbs above the root/);
    assert.deepEqual(await treeChecksum(root, []), tree);
  });

  it("refuses `..` in a path", async () => {
    const root = await freshRoot();
    const plan = newPlan("../../etc", "trust", {
      changes: [writeOwnedFile("/etc/containerd/certs.d/../../shadow", "x", "t")],
    });
    await assert.rejects(applyPlan(plan, { root }), /"\.\." segment/);
  });

  it("refuses to write into its own journal directory", async () => {
    const root = await freshRoot();
    const plan = newPlan(HOST, "trust", {
      changes: [writeOwnedFile("/var/lib/regtrust/journal.json", "{}", "t")],
    });
    await assert.rejects(applyPlan(plan, { root }), /inside regtrust's journal/);
  });

  it("refuses with a conflict when an edited file changed after planning", async () => {
    const root = await freshRoot();
    const plan = await trustPlan(root, HOST);
    await writeFile(join(root, "etc/containerd/config.toml"), "# someone else\n");
    const tree = await treeChecksum(root);
    await assert.rejects(
      applyPlan(plan, { root }),
      (e: unknown) =>
        e instanceof PlanApplyError && e.failure === "conflict" && e.path === "/etc/containerd/config.toml",
    );
    assert.deepEqual(await treeChecksum(root), tree);
  });

  it("records the run in the journal, with a 0600 journal file", async () => {
    const root = await freshRoot();
    const result = await applyPlan(await trustPlan(root, HOST), { root, exec: recordingExec().exec });
    const journalPath = join(root, "var/lib/regtrust/journal.json");
    assert.equal(await modeOf(journalPath), 0o600);
    assert.equal(await modeOf(join(root, "var/lib/regtrust")), 0o700);
    const journal = JSON.parse(await readFile(journalPath, "utf8"));
    assert.equal(journal.pending, null);
    assert.equal(journal.records[0].id, result.runId);
    assert.deepEqual(journal.records[0].claims, ["containerd:config_path"]);
    assert.equal(journal.records[0].commandResults.length, 2);
    assert.ok(journal.shared["containerd:config_path"]);
  });
});
