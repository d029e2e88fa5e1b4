/**
 * The agent converges the node to its ConfigMap's bundle in enforce mode,
 * also when the registry already verifies: a root added to the bundle
 * (overlap) is installed, a root removed from it (retirement) leaves the
 * node, an unchanged bundle writes nothing, and every change is journaled so
 * `untrust` restores the node tree exactly. Runs `regtrust agent --once
 * --no-publish` against a real docker-registry with a private CA (root A).
 */
import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { runCli } from "../integration/cli.ts";
import { withContainerd } from "../integration/node-root.ts";
import { startPrivateCaRegistry } from "../support/private-registry.ts";
import type { RunningRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/tmp.ts";
import { buildDebianNode, treeChecksum } from "../trust/node.ts";
import { agentArgs } from "./agent-args.ts";

const dirs = new TempDirs();
let registry: RunningRegistry;
let target: string;
let caFile: string;
let abFile: string;

before(async () => {
  ({ registry, target, caFile } = await startPrivateCaRegistry(dirs));
  const b = await createPrivatePki({ hostnames: ["repo.example.com"], rootName: "regtrust Agent Root B" });
  const a = await readFile(caFile, "utf8");
  abFile = join(await dirs.make("agent-bundle"), "ab.pem");
  await writeFile(abFile, `${a.endsWith("\n") ? a : `${a}\n`}${b.root.certPem}\n`);
});
after(async () => {
  await registry?.stop();
  await dirs.cleanup();
});

async function enforceOnce(root: string, bundle: string) {
  const dir = await dirs.make("agent-config");
  const config = join(dir, "agent.yaml");
  await writeFile(config, `registries: ["${target}"]\ncaFile: ${bundle}\nmode: enforce\n`);
  const run = await runCli(agentArgs({ config, root, node: "node-rot", once: true }));
  assert.equal(run.code, 0, run.stderr);
  return run.stderr;
}

async function installedPems(root: string): Promise<number> {
  const hostDir = join(root, `/etc/containerd/certs.d/${target}`);
  const files = (await readdir(hostDir)).filter((n) => n.endsWith(".crt"));
  assert.equal(files.length, 1, `one CA file regtrust owns: ${files}`);
  return (await readFile(join(hostDir, files[0]!), "utf8")).split("BEGIN CERTIFICATE").length - 1;
}

describe("agent enforce: CA rotation from the ConfigMap bundle", () => {
  test("overlap installs B, an unchanged bundle writes nothing, retiring B removes it, untrust is exact", async () => {
    // A Debian tree whose OS store is as update-ca-certificates leaves it, so untrust can be byte-exact.
    const root = await buildDebianNode(dirs, {
      "/etc/containerd/config.toml": withContainerd()["/etc/containerd/config.toml"]!,
    });
    const original = await treeChecksum(root);
    await enforceOnce(root, caFile);
    assert.equal(await installedPems(root), 1);

    const overlap = await enforceOnce(root, abFile);
    assert.match(overlap, /enforce: CA bundle applied \(rotation\)/);
    assert.equal(await installedPems(root), 2);

    const steady = await treeChecksum(root);
    const again = await enforceOnce(root, abFile);
    assert.doesNotMatch(again, /enforce:/, "converged: no fix attempted");
    assert.deepEqual(await treeChecksum(root), steady);

    const retire = await enforceOnce(root, caFile);
    assert.match(retire, /enforce: CA bundle applied \(rotation\)/);
    assert.equal(await installedPems(root), 1);

    const untrust = await runCli(["untrust", target, "--root", root]);
    assert.equal(untrust.code, 0, untrust.stdout + untrust.stderr);
    assert.deepEqual(await treeChecksum(root), original);
  });
});
