/**
 * Artifact tier: CA rotation through the built artifact as a real process —
 * trust A, `trust --replace` to {A,B} (overlap), `untrust --ca B` (B
 * retired, A kept), a bad --ca file refused with exit 2, then `untrust`
 * restoring the node tree byte for byte. Every --json output is checked
 * against docs/schema.
 */
import assert from "node:assert/strict";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { TempDirs } from "../support/tmp.ts";
import { startTrustFixture, type TrustFixture } from "../trust/fixture.ts";
import { buildDebianNode, treeChecksum } from "../trust/node.ts";
import { assertNoInternalError, runArtifact, selectedArtifact, transcript } from "./artifact.ts";

const artifact = selectedArtifact();
const dirs = new TempDirs();
let fx: TrustFixture;
let bFile: string;
let abFile: string;

before(async () => {
  fx = await startTrustFixture(dirs);
  const b = await createPrivatePki({ hostnames: ["repo.example.com"], rootName: "regtrust Artifact Root B" });
  const bPem = b.root.certPem.endsWith("\n") ? b.root.certPem : `${b.root.certPem}\n`;
  const dir = await dirs.make("artifact-rotation");
  bFile = join(dir, "b.pem");
  abFile = join(dir, "ab.pem");
  await writeFile(bFile, bPem);
  await writeFile(abFile, fx.rootPem + bPem);
});
after(async () => {
  await fx?.registry.stop();
  await dirs.cleanup();
});

describe(`CA rotation (${artifact.label})`, () => {
  test("trust A → --replace {A,B} → untrust --ca B → untrust restores the tree", async () => {
    const node = await buildDebianNode(dirs, {
      "/etc/containerd/config.toml":
        'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n',
    });
    const original = await treeChecksum(node);
    const run = async (...argv: string[]) => {
      const result = await runArtifact(artifact, [...argv, "--root", node]);
      assertNoInternalError(result);
      return result;
    };
    const ours = async () =>
      (await readdir(join(node, "/usr/local/share/ca-certificates"))).filter((n) =>
        n.startsWith("regtrust-"),
      );

    const first = await run("trust", fx.host, "--ca", fx.caFile, "--runtime", "containerd,system");
    assert.equal(first.code, 0, transcript(first));
    const rotate = await run(
      "trust",
      fx.host,
      "--ca",
      abFile,
      "--replace",
      "--runtime",
      "containerd,system",
      "--json",
    );
    assert.equal(rotate.code, 0, transcript(rotate));
    assert.equal(JSON.parse(rotate.stdout).rotation.after.length, 2);
    assert.equal((await ours()).length, 2);

    const retire = await run("untrust", fx.host, "--ca", bFile, "--json");
    assert.equal(retire.code, 0, transcript(retire));
    const report = JSON.parse(retire.stdout);
    assert.equal(report.rotation.removed.length, 1);
    assert.equal(report.rotation.after.length, 1);
    assert.equal((await ours()).length, 1);
    const hostDir = join(node, `/etc/containerd/certs.d/${fx.host}`);
    assert.equal((await readdir(hostDir)).filter((n) => n.endsWith(".crt")).length, 1);

    const bad = join(await dirs.make("bad"), "bad.pem");
    await writeFile(bad, "garbage\n");
    const before = await treeChecksum(node);
    const refused = await run("untrust", fx.host, "--ca", bad);
    assert.equal(refused.code, 2, transcript(refused));
    assert.match(refused.stderr, /bad\.pem/);
    assert.deepEqual(await treeChecksum(node), before);

    const all = await run("untrust", fx.host);
    assert.equal(all.code, 0, transcript(all));
    assert.deepEqual(await treeChecksum(node), original);
  });
});
