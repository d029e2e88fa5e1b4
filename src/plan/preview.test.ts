import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { MASK } from "../core/redact.ts";
import {
  deleteFile,
  editFile,
  makeDir,
  newPlan,
  refreshCommand,
  restartCommand,
  writeOwnedFile,
} from "./plan.ts";
import { previewPlan, renderFileDiff } from "./preview.ts";
import { nodeTree, REGISTRIES_YAML, trustPlan } from "./testing/fixture-plans.ts";
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

describe("renderFileDiff", () => {
  it("shows an edit with a/ and b/ paths", () => {
    const out = renderFileDiff("/etc/x.toml", Buffer.from("a\nb\n"), Buffer.from("a\nc\n"));
    assert.equal(out, "--- a/etc/x.toml\n+++ b/etc/x.toml\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n");
  });

  it("shows a new file against /dev/null with its mode", () => {
    const out = renderFileDiff("/etc/new.crt", null, Buffer.from("x\n"), { mode: 0o600 });
    assert.match(
      out,
      /^new file mode 100600\n--- \/dev\/null\n\+\+\+ b\/etc\/new\.crt\n@@ -0,0 \+1,1 @@\n\+x\n$/,
    );
  });

  it("shows a deleted file against /dev/null", () => {
    const out = renderFileDiff("/etc/old.crt", Buffer.from("x\n"), null);
    assert.match(
      out,
      /^deleted file mode 100644\n--- a\/etc\/old\.crt\n\+\+\+ \/dev\/null\n@@ -1,1 \+0,0 @@\n-x\n$/,
    );
  });

  it("summarises binary content instead of printing it", () => {
    const der = Uint8Array.of(0x30, 0x82, 0x00, 0x01, 0xff);
    const out = renderFileDiff("/etc/ca.der", null, der);
    assert.equal(
      out,
      "new file mode 100644\nBinary files /dev/null and b/etc/ca.der differ (absent → 5 bytes)\n",
    );
  });

  it("masks secrets on both sides, and says so when only secrets changed", () => {
    const before = Buffer.from("auth:\n  password: old-secret\n");
    const after = Buffer.from("auth:\n  password: new-secret\n");
    const out = renderFileDiff("/etc/r.yaml", before, after);
    assert.ok(!out.includes("old-secret") && !out.includes("new-secret"), out);
    assert.match(out, /changes only in redacted values/);
  });

  it("accepts another redactor", () => {
    const out = renderFileDiff("/x", null, Buffer.from("hello\n"), { redact: (t) => t.toUpperCase() });
    assert.match(out, /\+HELLO/);
  });
});

describe("previewPlan", () => {
  it("previews a trust plan: diffs, then commands; no secret, nothing written", async () => {
    const root = await freshRoot();
    const tree = await treeChecksum(root, []);
    const text = await previewPlan(await trustPlan(root, HOST), { root });
    assert.deepEqual(await treeChecksum(root, []), tree);
    assert.ok(!text.includes("hunter2-secret"), "the password in registries.yaml is masked");
    assert.ok(text.includes(`password: ${MASK}`));
    assert.match(text, /--- a\/etc\/containerd\/config\.toml\n\+\+\+ b\/etc\/containerd\/config\.toml/);
    assert.match(text, /\+ {2}config_path = "\/etc\/containerd\/certs\.d"/);
    assert.match(text, /mkdir \/etc\/containerd\/certs\.d \(mode 0755\)/);
    const commands = text.indexOf("Commands (after the files):");
    assert.ok(commands > text.lastIndexOf("+++ "), "commands come after every diff");
    assert.match(text.slice(commands), /update-ca-certificates +# rebuild the OS bundle/);
    assert.match(text.slice(commands), /systemctl restart containerd +# .*runs only with --restart/);
  });

  it("says nothing changes for an already-applied plan and lists the unchanged files", async () => {
    const root = await freshRoot({ "etc/a.crt": "same\n" });
    const plan = newPlan(HOST, "trust", {
      changes: [writeOwnedFile("/etc/a.crt", "same\n", "anchor")],
      commands: [refreshCommand(["update-ca-certificates"], "refresh")],
    });
    const text = await previewPlan(plan, { root });
    assert.match(text, /No file changes for repo\.example\.com:11000/);
    assert.match(text, /Unchanged \(already in place\):\n {2}\/etc\/a\.crt/);
    assert.doesNotMatch(text, /Commands/);
  });

  it("shows deletes, mkdirs and notes", async () => {
    const root = await freshRoot({ "etc/old.crt": "old\n" });
    const plan = newPlan(HOST, "untrust", {
      changes: [deleteFile("/etc/old.crt", "remove anchor"), makeDir("/etc/newdir", "dir", 0o700)],
      commands: [restartCommand("containerd", "reload roots")],
      notes: ["containerd must restart"],
    });
    const text = await previewPlan(plan, { root });
    assert.match(text, /# remove anchor\ndeleted file mode 100644\n--- a\/etc\/old\.crt\n\+\+\+ \/dev\/null/);
    assert.match(text, /mkdir \/etc\/newdir \(mode 0700\)/);
    assert.match(text, /Notes:\n {2}- containerd must restart/);
  });

  it("never prints the secret of a registries.yaml edit even in added lines", async () => {
    const root = await freshRoot();
    const after = `${REGISTRIES_YAML}  ${HOST}:\n    auth:\n      password: brand-new-secret\n`;
    const plan = newPlan(HOST, "trust", {
      changes: [editFile("/etc/rancher/k3s/registries.yaml", REGISTRIES_YAML, after, "creds")],
    });
    const text = await previewPlan(plan, { root });
    assert.ok(!text.includes("brand-new-secret") && !text.includes("hunter2-secret"), text);
  });
});
