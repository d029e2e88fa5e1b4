/**
 * A multi-arch index pulled through containerd's CRI for each platform: the
 * host's amd64 containerd and Debian 12's arm64 containerd 1.6.20 under
 * qemu-aarch64-static 7.2 (containerd-foreign.ts) pull the same tag from the
 * private-CA registry, and each must answer with its own platform's config
 * digest — containerd's own platform code choosing, not ours.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it, test } from "node:test";
import { writeCertDir, writeContainerdHostCa } from "./certs-d.ts";
import { type RunningContainerd, startContainerd } from "./containerd.ts";
import { hostPlatform } from "./containerd-foreign.ts";
import { imageStatusVerbose, pullImage } from "./cri-client.ts";
import { type OciIndexLayout, skopeoCopyAll, writeOciArchive, writeOciIndexLayout } from "./oci-index.ts";
import { type PrivateRegistry, startPrivateCaRegistry } from "./private-registry.ts";
import { skopeoInspect } from "./skopeo.ts";
import { TempDirs } from "./tmp.ts";

/** The image config containerd stored for a pulled image (verbose ImageStatus). */
async function storedConfig(containerd: RunningContainerd, image: string): Promise<Record<string, unknown>> {
  const { info } = await imageStatusVerbose(containerd.address, image, { timeoutMs: 30_000 });
  assert.ok(info.info, `no verbose info for ${image}`);
  return (JSON.parse(info.info) as { imageSpec: Record<string, unknown> }).imageSpec;
}

function configOf(layout: OciIndexLayout, architecture: string): string {
  const image = layout.images.find((i) => i.platform.architecture === architecture);
  assert.ok(image, `no ${architecture} image in the index`);
  return image.configDigest;
}

// Emulation here is arm64-on-amd64 only (containerd-foreign.ts); CI runs on amd64. Elsewhere this fails, loudly.
test("the host is linux/amd64 (the emulated containerd is arm64)", () => {
  assert.equal(
    hostPlatform(),
    "linux/amd64",
    "this suite runs Debian's arm64 containerd under qemu on an amd64 host",
  );
});

describe("CRI pulls of a multi-arch index select each containerd's own platform", () => {
  const temps = new TempDirs();
  let registry: PrivateRegistry | undefined;
  let amd64: RunningContainerd | undefined;
  let arm64: RunningContainerd | undefined;
  let layout: OciIndexLayout;
  let armOnly: OciIndexLayout;
  let certDir: string;
  let indexDigest: string;
  let image: string;
  const timings: string[] = [];

  before(async () => {
    registry = await startPrivateCaRegistry(temps);
    certDir = await writeCertDir(await temps.make("push-certs"), registry.caPem);
    const layoutDir = join(await temps.make("oci"), "layout");
    layout = await writeOciIndexLayout(layoutDir, "v1");
    armOnly = await writeOciIndexLayout(layoutDir, "arm64-only", [
      { os: "linux", architecture: "arm64", variant: "v8" },
    ]);
    image = `${registry.target}/team/multi:v1`;
    ({ digest: indexDigest } = await skopeoCopyAll({
      source: `oci:${layoutDir}:v1`,
      destination: image,
      certDir,
    }));
    // The release ships oci-archive tarballs; push this tag from one to prove that form too.
    const archive = join(await temps.make("oci-archive"), "multi.tar");
    await writeOciArchive(layoutDir, archive);
    await skopeoCopyAll({
      source: `oci-archive:${archive}:arm64-only`,
      destination: `${registry.target}/team/multi:arm64-only`,
      certDir,
    });
    const certsD = await temps.make("certs.d");
    await writeContainerdHostCa(certsD, registry.target, registry.caPem);
    amd64 = await startContainerd({ configPath: certsD });
    const started = performance.now();
    arm64 = await startContainerd({ configPath: certsD, platform: "linux/arm64" });
    timings.push(`arm64 containerd under qemu ready in ${Math.round(performance.now() - started)} ms`);
  });

  after(async () => {
    await arm64?.stop();
    await amd64?.stop();
    await registry?.registry.stop();
    await temps.cleanup();
  });

  it("pushed an OCI image index listing linux/amd64 and linux/arm64/v8 (skopeo inspect --raw)", async () => {
    assert.equal(indexDigest, layout.index.digest);
    const inspected = await skopeoInspect(image, { certDir });
    assert.equal(inspected.code, 0, inspected.stderr);
    const index = JSON.parse(inspected.stdout) as { mediaType: string; manifests: { platform: object }[] };
    assert.equal(index.mediaType, "application/vnd.oci.image.index.v1+json");
    assert.deepEqual(
      index.manifests.map((m) => m.platform),
      [
        { os: "linux", architecture: "amd64" },
        { os: "linux", architecture: "arm64", variant: "v8" },
      ],
    );
  });

  it("the host's amd64 containerd pulls the amd64 image, never the arm64 one", async () => {
    const result = await pullImage(amd64!.address, image, { timeoutMs: 60_000 });
    assert.ok(result.ok, result.ok ? "" : result.message);
    assert.equal(result.imageRef, configOf(layout, "amd64"));
    assert.notEqual(result.imageRef, configOf(layout, "arm64"));
    assert.equal((await storedConfig(amd64!, image)).architecture, "amd64");
  });

  it("the amd64 containerd cannot pull an arm64-only index (so its CRI pull proves nothing for arm64)", async () => {
    const armOnlyImage = `${registry!.target}/team/multi:arm64-only`;
    const result = await pullImage(amd64!.address, armOnlyImage, { timeoutMs: 60_000 });
    assert.ok(!result.ok, "the amd64 containerd pulled an arm64-only index");
    assert.match(result.message, /no match for platform in manifest/);
  });

  it("the arm64 containerd is containerd's arm64 build (its ARM-only variant probe ran)", () => {
    // platforms/cpuinfo.go reads /proc/cpuinfo only when runtime.GOARCH is arm/arm64; under
    // qemu 7.2 user mode that file is the amd64 host's, so the probe fails and says so.
    assert.match(arm64!.logs(), /msg="failure getting variant"/);
    assert.doesNotMatch(amd64!.logs(), /failure getting variant/);
  });

  it("the arm64 containerd under qemu pulls the arm64/v8 image by the same tag", async (t) => {
    const started = performance.now();
    const result = await pullImage(arm64!.address, image, { timeoutMs: 120_000 });
    timings.push(`arm64 CRI pull took ${Math.round(performance.now() - started)} ms`);
    for (const line of timings) t.diagnostic(line);
    assert.ok(result.ok, result.ok ? "" : `${result.message}\n${arm64!.logs()}`);
    assert.equal(result.imageRef, configOf(layout, "arm64"));
    const config = await storedConfig(arm64!, image);
    assert.equal(config.architecture, "arm64");
    assert.equal(config.variant, "v8");
    const { image: status } = await imageStatusVerbose(arm64!.address, image);
    assert.deepEqual(status?.repoDigests, [`${registry!.target}/team/multi@${indexDigest}`]);
  });

  it("the arm64 containerd also pulls the arm64-only index the amd64 one refused", async () => {
    const result = await pullImage(arm64!.address, `${registry!.target}/team/multi:arm64-only`, {
      timeoutMs: 120_000,
    });
    assert.ok(result.ok, result.ok ? "" : result.message);
    assert.equal(result.imageRef, armOnly.images[0]?.configDigest);
  });

  it("refuses a platform it cannot run, naming it, before starting anything", async () => {
    await assert.rejects(
      startContainerd({ platform: "linux/s390x" as "linux/arm64" }),
      /platform linux\/s390x is not supported on linux\/amd64/,
    );
  });
});
