/**
 * Declarative CA rotation on a node tree with every runtime context at once
 * (containerd, Docker, containers/image, k3s, the OS store): `trust --replace`
 * makes the set regtrust installed exactly the bundle, `untrust --ca` removes
 * one CA and keeps the others, dry runs change nothing, and `untrust` after a
 * rotation puts the tree back byte for byte. The registry serves a chain
 * under root A (fixture.ts); root B is a second private root.
 */
import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { runCli } from "../integration/cli.ts";
import { TempDirs } from "../support/tmp.ts";
import { startTrustFixture, type TrustFixture } from "./fixture.ts";
import { buildDebianNode, treeChecksum } from "./node.ts";

const dirs = new TempDirs();
let fx: TrustFixture;
let bPem: string;
let bFile: string;
let abFile: string;
before(async () => {
  fx = await startTrustFixture(dirs);
  const b = await createPrivatePki({ hostnames: ["repo.example.com"], rootName: "regtrust Rotation Root B" });
  bPem = b.root.certPem.endsWith("\n") ? b.root.certPem : `${b.root.certPem}\n`;
  const dir = await dirs.make("rotation-ca");
  bFile = join(dir, "b.pem");
  abFile = join(dir, "ab.pem");
  await writeFile(bFile, bPem);
  await writeFile(abFile, fx.rootPem + bPem);
});
after(async () => {
  await fx?.registry.stop();
  await dirs.cleanup();
});

const RUNTIMES = "system,containerd,docker,crio,k3s";
const NODE_FILES = {
  "/etc/containerd/config.toml":
    'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n',
  "/etc/docker/daemon.json": "{}\n",
  "/etc/containers/registries.conf": "",
  "/etc/rancher/k3s/registries.yaml": "configs: {}\n",
};

function cli(node: string, verb: string, ...extra: string[]) {
  const runtime = verb === "trust" ? ["--runtime", RUNTIMES] : [];
  return runCli([verb, fx.host, "--root", node, ...runtime, "--json", ...extra]);
}
const read = (node: string, path: string) => readFile(join(node, path), "utf8");
const pemCount = (text: string) => text.split("-----BEGIN CERTIFICATE-----").length - 1;

async function anchorsOnNode(node: string) {
  const hostDir = `/etc/containerd/certs.d/${fx.host}`;
  const hostsToml = await read(node, `${hostDir}/hosts.toml`);
  const caList = /ca = \[(.*)\]/.exec(hostsToml)?.[1] ?? "";
  const containerdFiles = (await readdir(join(node, hostDir))).filter((n) => n.endsWith(".crt"));
  const system = (await readdir(join(node, "/usr/local/share/ca-certificates"))).filter((n) =>
    n.startsWith("regtrust-"),
  );
  const k3sFiles = await readdir(join(node, "/etc/rancher/k3s/regtrust"));
  const docker = await read(node, `/etc/docker/certs.d/${fx.host}/ca.crt`);
  const containers = await read(node, `/etc/containers/certs.d/${fx.host}/ca.crt`);
  return { caList, containerdFiles, system, k3sFiles, docker, containers };
}

describe("trust --replace and untrust --ca on every runtime", () => {
  test("A → {A,B} → remove B → untrust: exact sets each step, byte-identical tree at the end", async () => {
    const node = await buildDebianNode(dirs, NODE_FILES);
    const original = await treeChecksum(node);
    const first = await cli(node, "trust", "--ca", fx.caFile);
    assert.equal(first.code, 0, first.stdout + first.stderr);

    const rotate = await cli(node, "trust", "--ca", abFile, "--replace");
    assert.equal(rotate.code, 0, rotate.stdout + rotate.stderr);
    const rotation = JSON.parse(rotate.stdout).rotation;
    assert.equal(rotation.mode, "replace");
    assert.equal(rotation.added.length, 1, "B added");
    assert.deepEqual(rotation.removed, []);
    let on = await anchorsOnNode(node);
    assert.equal(on.containerdFiles.length, 1, `one CA file in the host dir: ${on.containerdFiles}`);
    assert.equal(on.caList, JSON.stringify(on.containerdFiles[0]), "hosts.toml lists only the bundle file");
    assert.equal(
      pemCount(await read(node, `/etc/containerd/certs.d/${fx.host}/${on.containerdFiles[0]}`)),
      2,
    );
    assert.equal(on.system.length, 2, "one OS-store file per CA");
    assert.equal(on.k3sFiles.length, 1, "the previous k3s CA file is retired");
    assert.match(await read(node, "/etc/rancher/k3s/registries.yaml"), new RegExp(on.k3sFiles[0]!));
    assert.equal(pemCount(on.docker), 2);
    assert.equal(pemCount(on.containers), 2);

    const removeB = await cli(node, "untrust", "--ca", bFile);
    assert.equal(removeB.code, 0, removeB.stdout + removeB.stderr);
    const removed = JSON.parse(removeB.stdout);
    assert.equal(removed.action, "untrust");
    assert.equal(removed.rotation.removed.length, 1);
    on = await anchorsOnNode(node);
    assert.equal(on.system.length, 1, "B's OS-store file is gone");
    assert.equal(on.containerdFiles.length, 1);
    assert.equal(
      pemCount(await read(node, `/etc/containerd/certs.d/${fx.host}/${on.containerdFiles[0]}`)),
      1,
    );
    assert.equal(on.docker, fx.rootPem);
    assert.equal(on.containers, fx.rootPem);

    const again = await cli(node, "untrust", "--ca", bFile);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const nothing = JSON.parse(again.stdout);
    assert.equal(nothing.changed, false);
    assert.match(nothing.notes.join("\n"), /was not installed by regtrust/);

    const all = await cli(node, "untrust");
    assert.equal(all.code, 0, all.stdout + all.stderr);
    assert.deepEqual(
      await treeChecksum(node),
      original,
      "untrust after a rotation restores the tree exactly",
    );
  });

  test("--replace --dry-run previews the retirement and changes nothing", async () => {
    const node = await buildDebianNode(dirs, NODE_FILES);
    assert.equal((await cli(node, "trust", "--ca", abFile)).code, 0);
    const before = await treeChecksum(node);
    const dry = await runCli([
      "trust",
      fx.host,
      "--root",
      node,
      "--runtime",
      RUNTIMES,
      "--ca",
      fx.caFile,
      "--replace",
      "--dry-run",
    ]);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.deepEqual(await treeChecksum(node), before, "a dry run changes nothing");
    assert.match(
      dry.stdout,
      /regtrust-repo\.example\.com_\d+-[0-9a-f]{12}\.crt/,
      "the retired OS-store file is named",
    );
    assert.match(dry.stdout, /delete|removed|-----BEGIN/i);
  });

  test("without --replace trust stays additive: both CA files listed", async () => {
    const node = await buildDebianNode(dirs, NODE_FILES);
    assert.equal((await cli(node, "trust", "--ca", fx.caFile)).code, 0);
    assert.equal((await cli(node, "trust", "--ca", abFile)).code, 0);
    const on = await anchorsOnNode(node);
    assert.equal(on.containerdFiles.length, 2);
    assert.equal(on.caList.split(",").length, 2);
  });

  test("untrust --ca with every installed CA is a plain untrust: the tree is restored", async () => {
    const node = await buildDebianNode(dirs, NODE_FILES);
    const original = await treeChecksum(node);
    assert.equal((await cli(node, "trust", "--ca", fx.caFile)).code, 0);
    assert.equal((await cli(node, "trust", "--ca", abFile, "--replace")).code, 0);
    const all = await cli(node, "untrust", "--ca", abFile);
    assert.equal(all.code, 0, all.stdout + all.stderr);
    assert.deepEqual(JSON.parse(all.stdout).rotation.after, []);
    assert.match(all.stderr, /holds every CA regtrust installed/);
    assert.deepEqual(await treeChecksum(node), original);
  });

  test("untrust --ca with a bad file: exit 2, nothing changed; a CA never installed: exit 0, nothing changed", async () => {
    const node = await buildDebianNode(dirs, NODE_FILES);
    assert.equal((await cli(node, "trust", "--ca", fx.caFile)).code, 0);
    const before = await treeChecksum(node);
    const bad = join(await dirs.make("bad"), "bad.pem");
    await writeFile(bad, "not a certificate\n");
    const refused = await cli(node, "untrust", "--ca", bad);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /bad\.pem/);
    const notOurs = await cli(node, "untrust", "--ca", bFile);
    assert.equal(notOurs.code, 0, notOurs.stdout + notOurs.stderr);
    assert.deepEqual(await treeChecksum(node), before);
  });
});
