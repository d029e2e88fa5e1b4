/**
 * The release's images. The multi-arch archive is pushed with `skopeo copy
 * --all` to the Debian docker-registry over TLS (private CA);
 * `skopeo inspect --raw` returns the OCI index, whose two manifests are the
 * per-architecture archives' own; then containerd's CRI pulls the one tag as
 * kubelet would, and containerd's own platform matching picks the image:
 * this machine's containerd takes linux/amd64, Debian's arm64 build of the
 * same containerd (run under qemu-aarch64-static, test/support) takes
 * linux/arm64. Each pull's image id is that architecture's config digest.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { writeCertDir, writeContainerdHostCa } from "../../support/certs-d.ts";
import { type RunningContainerd, startContainerd } from "../../support/containerd.ts";
import { pullImage } from "../../support/cri-client.ts";
import { skopeoCopyAll } from "../../support/oci-index.ts";
import { type PrivateRegistry, startPrivateCaRegistry } from "../../support/private-registry.ts";
import { skopeoInspect } from "../../support/skopeo.ts";
import { TempDirs } from "../../support/tmp.ts";
import { type ImageManifest, imageArchive, indexArchive, unpackLayout, VERSION } from "./release-dir.ts";

const dirs = new TempDirs();
let registry: PrivateRegistry;
let certDir = "";
let certsD = "";
let ref = "";
/** Per architecture: manifest digest and config digest, read from that architecture's own archive. */
const own = new Map<string, { manifest: string; config: string }>();

before(
  async () => {
    for (const arch of ["amd64", "arm64"]) {
      const layout = await unpackLayout(imageArchive(arch), dirs);
      const manifest = layout.index.manifests[0]!.digest;
      own.set(arch, { manifest, config: layout.json<ImageManifest>(manifest).config.digest });
    }
    registry = await startPrivateCaRegistry(dirs);
    ref = `${registry.target}/regtrust/regtrust:${VERSION}`;
    certDir = await writeCertDir(join(await dirs.make("release-certs"), "certs"), registry.caPem);
    certsD = await dirs.make("release-certs-d");
    await writeContainerdHostCa(certsD, registry.target, registry.caPem);
    const source = `oci-archive:${indexArchive()}:${VERSION}`;
    await skopeoCopyAll({ source, destination: ref, certDir, timeoutMs: 5 * 60_000 });
  },
  { timeout: 10 * 60_000 },
);
after(async () => {
  await registry?.registry.stop();
  await dirs.cleanup();
});

describe("the multi-arch index, pushed", () => {
  test("skopeo inspect --raw: an OCI index of linux/amd64 and linux/arm64/v8, the per-arch archives' manifests", async () => {
    const raw = await skopeoInspect(ref, { certDir });
    assert.equal(raw.code, 0, raw.stderr);
    const index = JSON.parse(raw.stdout) as {
      mediaType: string;
      manifests: { digest: string; platform: { os: string; architecture: string; variant?: string } }[];
    };
    assert.equal(index.mediaType, "application/vnd.oci.image.index.v1+json");
    const platforms = index.manifests.map((m) =>
      [m.platform.os, m.platform.architecture, m.platform.variant].filter(Boolean).join("/"),
    );
    assert.deepEqual(platforms.sort(), ["linux/amd64", "linux/arm64/v8"]);
    for (const m of index.manifests) assert.equal(m.digest, own.get(m.platform.architecture)?.manifest);
  });

  for (const [arch, platform] of [
    ["amd64", undefined],
    ["arm64", "linux/arm64"],
  ] as const) {
    test(`containerd's CRI on linux/${arch} pulls the tag and gets the linux/${arch} image`, async () => {
      let containerd: RunningContainerd | undefined;
      try {
        containerd = await startContainerd({ configPath: certsD, ...(platform ? { platform } : {}) });
        const pulled = await pullImage(containerd.address, ref, { timeoutMs: 8 * 60_000 });
        assert.ok(
          pulled.ok,
          pulled.ok ? "" : `CRI PullImage ${ref}: ${pulled.message}\n${containerd.logs()}`,
        );
        assert.equal(pulled.imageRef, own.get(arch)?.config);
      } finally {
        await containerd?.stop();
      }
    });
  }
});
