/**
 * The image users deploy, proven end to end offline: `npm run image` builds
 * (or reuses) the OCI archive from scripts/image/recipe.json; skopeo pushes it
 * over TLS to the Debian docker-registry as repo.example.com (private CA);
 * containerd's CRI pulls it as kubelet would; then its own entrypoint runs
 * from containerd's unpacked snapshot under chroot (pod-chroot.ts) in the
 * layouts the pods give it: `--version` as the image's default user,
 * `diagnose` as `regtrust k8s node` runs it (node `/` at /host, read-only),
 * and `agent --once` in enforce mode with exactly the DaemonSet's mounts and
 * user from `regtrust k8s manifests`.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type BuiltImage, buildImage } from "../../scripts/image/build.ts";
import { buildManifests, HOST_PATHS } from "../../src/k8s/manifests.ts";
import { HOST_MOUNT, nodePod } from "../../src/k8s/node-run/pod-spec.ts";
import { buildNodeRoot, withContainerd } from "../integration/node-root.ts";
import { writeCertDir, writeContainerdHostCa } from "../support/certs-d.ts";
import { type RunningContainerd, startContainerd } from "../support/containerd.ts";
import { imageStatus, pullImage } from "../support/cri-client.ts";
import { type PrivateRegistry, startPrivateCaRegistry } from "../support/private-registry.ts";
import { skopeoIsolation } from "../support/skopeo.ts";
import { TempDirs } from "../support/tmp.ts";
import { type ImageConfig, type PodMount, runInPod } from "./pod-chroot.ts";

const dirs = new TempDirs();
let built: BuiltImage;
let registry: PrivateRegistry;
let containerd: RunningContainerd;
let imageRef = "";
let config: ImageConfig;
let chainId = "";
let podCount = 0;

before(
  async () => {
    built = await buildImage({ log: (line) => process.stderr.write(`# ${line}\n`) });
    registry = await startPrivateCaRegistry(dirs);
    imageRef = `${registry.target}/regtrust/regtrust:${built.tag}`;
    await pushArchive();
    const certsD = await dirs.make("image-certs-d");
    await writeContainerdHostCa(certsD, registry.target, registry.caPem);
    containerd = await startContainerd({ configPath: certsD });
    ({ config, chainId } = await pulledImage());
  },
  { timeout: 20 * 60_000 },
);

after(async () => {
  await containerd?.stop();
  await registry?.registry.stop();
  await dirs.cleanup();
});

async function pushArchive(): Promise<void> {
  const dir = await dirs.make("image-push");
  const skopeo = await skopeoIsolation(dir);
  const certDir = await writeCertDir(join(dir, "certs"), registry.caPem);
  const argv = [...skopeo.globalArgs, "copy", "--policy", skopeo.policyFile, "--dest-cert-dir", certDir];
  argv.push(`oci-archive:${built.archive}:${built.tag}`, `docker://${imageRef}`);
  const push = await skopeo.run(argv, 5 * 60_000);
  assert.equal(push.code, 0, `skopeo copy to ${imageRef}: ${push.stderr}`);
}

/**
 * CRI PullImage, then the image's config as containerd stored it (the content
 * store blob the CRI image id names) and the ChainID of its top layer, the
 * snapshot a container's root is prepared from (image-spec config.md, "Layer ChainID").
 */
async function pulledImage(): Promise<{ config: ImageConfig; chainId: string }> {
  const pulled = await pullImage(containerd.address, imageRef, { timeoutMs: 5 * 60_000 });
  assert.ok(pulled.ok, pulled.ok ? "" : `CRI PullImage ${imageRef}: ${pulled.message}`);
  const digest = pulled.imageRef.replace(/^sha256:/, "");
  const blob = join(containerd.root, "io.containerd.content.v1.content", "blobs", "sha256", digest);
  const image = JSON.parse(await readFile(blob, "utf8")) as {
    config: ImageConfig;
    rootfs: { diff_ids: string[] };
  };
  const chain = image.rootfs.diff_ids.reduce(
    (parent, diffId) => `sha256:${createHash("sha256").update(`${parent} ${diffId}`).digest("hex")}`,
  );
  return { config: image.config, chainId: chain };
}

async function pod(args: string[], opts: Partial<Parameters<typeof runInPod>[0]> = {}) {
  const rootDir = await dirs.make(`image-pod-${++podCount}`);
  await mkdir(join(rootDir, "rootfs"));
  return runInPod({
    containerd: { address: containerd.address, chainId },
    rootDir: join(rootDir, "rootfs"),
    config,
    args,
    timeoutMs: 90_000,
    ...opts,
  });
}

describe("the regtrust image, pushed, pulled through the CRI and run from containerd's snapshot", () => {
  test("CRI pull: the registry's manifest digest, the recipe's entrypoint and an unprivileged default user", async () => {
    const status = await imageStatus(containerd.address, imageRef);
    assert.ok(status, "containerd has the image");
    assert.ok(
      status.repoDigests.some((d) => d.endsWith(`@${built.manifestDigest}`)),
      `${status.repoDigests} vs ${built.manifestDigest}`,
    );
    const recipe = JSON.parse(await readFile("scripts/image/recipe.json", "utf8"));
    assert.deepEqual(config.Entrypoint, recipe.config.entrypoint);
    assert.notEqual(config.User?.split(":")[0], "0");
  });

  test("--version as the image's default user prints package.json's version", async () => {
    const run = await pod(["--version"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), built.version);
    assert.equal(run.user, config.User);
  });
});
