/**
 * regtrust run on a Talos, Bottlerocket or Flatcar node (a node tree under
 * --root with the OS's os-release): diagnose and audit name the OS and the
 * export to use; trust refuses on Talos and Bottlerocket (exit 2, nothing
 * written), also from the shipped dist/regtrust.mjs.
 */
import assert from "node:assert/strict";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { runCli } from "../integration/cli.ts";
import { pickFreePort } from "../support/free-port.ts";
import { runCommand } from "../support/processes.ts";
import { TempDirs } from "../support/tmp.ts";
import { writeCaFile } from "./export-support.ts";

const dirs = new TempDirs();
let caFile: string;

before(async () => {
  const pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
  caFile = await writeCaFile(dirs, pki);
});
after(() => dirs.cleanup());

const NODES = [
  {
    id: "talos",
    osRelease: 'NAME="Talos"\nID=talos\nVERSION_ID=v1.13.9\nPRETTY_NAME="Talos (v1.13.9)"\n',
    refuses: true,
  },
  {
    id: "bottlerocket",
    osRelease: 'NAME=Bottlerocket\nID=bottlerocket\nPRETTY_NAME="Bottlerocket OS 1.47.0 (aws-k8s-1.34)"\n',
    refuses: true,
    // Bottlerocket's release package installs it under /usr/lib; os-release(5) readers fall back to it.
    path: "usr/lib/os-release",
  },
  { id: "flatcar", osRelease: 'NAME="Flatcar Container Linux by Kinvolk"\nID=flatcar\n', refuses: false },
] as Array<{ id: string; osRelease: string; refuses: boolean; path?: string }>;

async function nodeRoot(osRelease: string, path = "etc/os-release"): Promise<string> {
  const root = await dirs.make("immutable-node");
  await mkdir(join(root, "etc/containerd"), { recursive: true });
  await mkdir(join(root, path, ".."), { recursive: true });
  await writeFile(join(root, path), osRelease);
  await writeFile(join(root, "etc/containerd/config.toml"), "version = 2\n");
  return root;
}

async function listTree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).sort();
}

interface Report {
  findings: Array<{ code: string; severity: string; message: string; fix: string[] }>;
}

describe("regtrust on immutable node OSes", () => {
  for (const node of NODES) {
    test(`${node.id}: audit and diagnose name the OS and the export command`, async () => {
      const root = await nodeRoot(node.osRelease, node.path);
      const audit = await runCli(["audit", "--root", root, "--json"]);
      const auditFinding = (JSON.parse(audit.stdout) as Report).findings.find(
        (f) => f.code === "immutable-os",
      );
      assert.deepEqual(auditFinding?.fix, [`regtrust export REGISTRY --ca FILE --format ${node.id}`]);
      const port = await pickFreePort("127.0.0.1");
      const registry = `127.0.0.1:${port}`;
      const diagnose = await runCli(["diagnose", registry, "--root", root, "--json", "--timeout", "2000"]);
      const found = (JSON.parse(diagnose.stdout) as Report).findings.find((f) => f.code === "immutable-os");
      assert.equal(found?.severity, "info");
      assert.deepEqual(found?.fix, [`regtrust export ${registry} --ca FILE --format ${node.id}`]);
    });

    if (!node.refuses) continue;
    test(`${node.id}: trust refuses with exit 2, names the export, writes nothing`, async () => {
      const root = await nodeRoot(node.osRelease, node.path);
      const beforeTree = await listTree(root);
      const run = await runCli(["trust", "repo.example.com", "--ca", caFile, "--root", root]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(
        run.stderr,
        new RegExp(`regtrust export repo\\.example\\.com --ca FILE --format ${node.id}`),
      );
      assert.deepEqual(await listTree(root), beforeTree);
    });
  }

  test("shipped bundle: trust on Talos exits 2 with the export command", async () => {
    const root = await nodeRoot(NODES[0]!.osRelease);
    const run = await runCommand(
      [process.execPath, "dist/regtrust.mjs", "trust", "repo.example.com", "--ca", caFile, "--root", root],
      { timeoutMs: 60_000 },
    );
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /Talos \(v1\.13\.9\), whose \/etc regtrust cannot change/);
    assert.match(run.stderr, /--format talos/);
  });
});
