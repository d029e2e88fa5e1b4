/**
 * CA rotation proven with a real containerd pulling through its CRI
 * ImageService as kubelet does. Two private roots, A and B, each with its own
 * intermediate and a leaf for repo.example.com. One registry name
 * (repo.example.com:<port>); the server behind it is swapped between a chain
 * under A and one under B on the same port, the way a registry's certificate
 * is renewed under a new root.
 *
 * trust A → rotate to {A,B} (overlap: both chains pull) → rotate to {B}
 * (retirement): the chain under A fails with Go's unknown-authority error and
 * the one under B pulls. containerd is never restarted: hosts.toml and the CA
 * files it names are read on every pull (remotes/docker/config/hosts.go), and
 * the node's config.toml already has config_path, so the harness containerd
 * reads the node's certs.d from the start (incident-e2e.test.ts explains the
 * wiring).
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { runCli } from "../integration/cli.ts";
import { writeCertDir } from "../support/certs-d.ts";
import { type RunningContainerd, startContainerd } from "../support/containerd.ts";
import { pullImage, removeImage } from "../support/cri-client.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { pushTestImage } from "../support/oci-image.ts";
import { type RunningRegistry, startRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/tmp.ts";
import { buildDebianNode, treeChecksum } from "./node.ts";

const CONFIG_TOML = `version = 2
[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "/etc/containerd/certs.d"
`;

interface Root {
  rootPem: string;
  chainPem: string;
  keyPem: string;
  caFile: string;
}

const nl = (pem: string) => (pem.endsWith("\n") ? pem : `${pem}\n`);

describe("CA rotation with a real containerd: overlap, then retirement, no restart", () => {
  const dirs = new TempDirs();
  let containerd: RunningContainerd | undefined;
  let registry: RunningRegistry | undefined;
  let port = 0;
  let node: string;
  let original: Record<string, string>;
  let a: Root;
  let b: Root;
  let bundleAB: string;
  let bundleB: string;
  const host = () => `repo.example.com:${port}`;
  const image = () => `${host()}/team/app:v1`;

  async function makeRoot(name: string): Promise<Root> {
    const pki = await createPrivatePki({ hostnames: ["repo.example.com"], rootName: name });
    const caFile = join(await dirs.make("ca"), "root.pem");
    await writeFile(caFile, nl(pki.root.certPem));
    return {
      rootPem: nl(pki.root.certPem),
      chainPem: nl(pki.leaf.certPem) + nl(pki.intermediate.certPem),
      keyPem: nl(pki.leaf.keyPem),
      caFile,
    };
  }

  /** The registry behind repo.example.com:<port> now sends a chain under `root`, with the image pushed. */
  async function serveUnder(root: Root): Promise<void> {
    await registry?.stop();
    registry = await startRegistry({
      tls: { certPem: root.chainPem, keyPem: root.keyPem },
      ...(port ? { port } : {}),
    });
    port = registry.port;
    const certDir = await writeCertDir(await dirs.make("push-certs"), root.rootPem);
    await pushTestImage({ registry: host(), repository: "team/app", tag: "v1", certDir });
  }

  /** A fresh pull (the image removed first, so containerd must reach the registry). */
  async function pull() {
    await removeImage(containerd!.address, image()).catch(() => undefined);
    return pullImage(containerd!.address, image(), { timeoutMs: 30_000 });
  }

  async function trust(caFile: string, ...extra: string[]) {
    const run = await runCli([
      "trust",
      host(),
      "--ca",
      caFile,
      "--root",
      node,
      "--runtime",
      "containerd",
      "--timeout",
      "5000",
      ...extra,
    ]);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.doesNotMatch(run.stdout, /restart containerd/, "hosts.toml and CA files need no restart");
    return run;
  }

  before(async () => {
    await ensureTestHosts();
    [a, b] = await Promise.all([makeRoot("regtrust Rotation Root A"), makeRoot("regtrust Rotation Root B")]);
    const dir = await dirs.make("bundles");
    bundleAB = join(dir, "ab.pem");
    bundleB = join(dir, "b.pem");
    await writeFile(bundleAB, a.rootPem + b.rootPem);
    await writeFile(bundleB, b.rootPem);
    node = await buildDebianNode(dirs, { "/etc/containerd/config.toml": CONFIG_TOML });
    original = await treeChecksum(node);
    containerd = await startContainerd({ configPath: join(node, "/etc/containerd/certs.d") });
    await serveUnder(a);
  });

  after(async () => {
    await containerd?.stop();
    await registry?.stop();
    await dirs.cleanup();
  });

  it("trusts root A: the chain under A pulls", async () => {
    const untrusted = await pull();
    assert.ok(!untrusted.ok);
    await trust(a.caFile);
    const pulled = await pull();
    assert.ok(pulled.ok, pulled.ok ? "" : pulled.message);
  });

  it("overlap {A,B}: the chain under A still pulls, and so does the renewed one under B", async () => {
    await trust(bundleAB, "--replace");
    const underA = await pull();
    assert.ok(underA.ok, underA.ok ? "" : underA.message);
    await serveUnder(b);
    const underB = await pull();
    assert.ok(underB.ok, underB.ok ? "" : underB.message);
  });

  it("retirement {B}: the chain under B pulls; one under the retired root A fails with unknown authority", async () => {
    await trust(bundleB, "--replace");
    const underB = await pull();
    assert.ok(underB.ok, underB.ok ? "" : underB.message);
    await serveUnder(a);
    const underA = await pull();
    assert.ok(!underA.ok, "root A must no longer be trusted after the rotation");
    assert.match(underA.message, /x509: certificate signed by unknown authority$/);
  });

  it("untrust after the rotations puts the node tree back byte for byte", async () => {
    const untrust = await runCli(["untrust", host(), "--root", node]);
    assert.equal(untrust.code, 0, `${untrust.stdout}\n${untrust.stderr}`);
    assert.deepEqual(await treeChecksum(node), original);
  });
});
