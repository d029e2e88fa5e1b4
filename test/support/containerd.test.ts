import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { writeCertDir, writeContainerdHostCa } from "./certs-d.ts";
import { type RunningContainerd, startContainerd } from "./containerd.ts";
import { imageStatus, listImages, pullImage, removeImage } from "./cri-client.ts";
import { ensureTestHosts } from "./etc-hosts.ts";
import { pushTestImage } from "./oci-image.ts";
import { type RunningRegistry, startRegistry } from "./registry.ts";
import { makeScenarioPki } from "./scenario-pki.ts";
import { TempDirs } from "./tmp.ts";
import { waitFor } from "./wait.ts";

const GRPC_UNIMPLEMENTED = 12;

describe("containerd CRI pulls from a registry with a private CA", () => {
  const temps = new TempDirs();
  let registry: RunningRegistry | undefined;
  let containerd: RunningContainerd | undefined;
  let certsD: string;
  let rootPem: string;
  let registryHost: string;
  let image: string;
  let digest: string;

  before(async () => {
    await ensureTestHosts();
    const pki = await makeScenarioPki();
    rootPem = pki.rootPem;
    registry = await startRegistry({
      tls: { certPem: pki.leaf.certPem + pki.intermediatePem, keyPem: pki.leaf.keyPem },
    });
    registryHost = `repo.example.com:${registry.port}`;
    image = `${registryHost}/team/app:v1`;
    const certDir = await writeCertDir(await temps.make("push-certs"), rootPem);
    ({ digest } = await pushTestImage({
      registry: registryHost,
      repository: "team/app",
      tag: "v1",
      certDir,
    }));
    certsD = join(await temps.make("certs.d"), "certs.d");
    containerd = await startContainerd({ configPath: certsD });
  });

  after(async () => {
    await containerd?.stop();
    await registry?.stop();
    await temps.cleanup();
  });

  it("fails with Go's unknown-authority error while nothing trusts the root", async () => {
    const result = await pullImage(containerd!.address, image, { timeoutMs: 30_000 });
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    const expectedPrefix = `failed to pull and unpack image "${image}": failed to resolve reference "${image}": failed to do request: Head "https://${registryHost}/v2/team/app/manifests/v1": `;
    assert.ok(result.message.startsWith(expectedPrefix), result.message);
    assert.match(result.message, /x509: certificate signed by unknown authority$/);
  });

  it("ignores a hosts.toml without a [host] table (containerd 1.6: invalid `host` tree)", async () => {
    const hostDir = join(certsD, registryHost);
    await mkdir(hostDir, { recursive: true });
    await writeFile(join(hostDir, "root.pem"), rootPem);
    await writeFile(
      join(hostDir, "hosts.toml"),
      `server = "https://${registryHost}"\nca = "${join(hostDir, "root.pem")}"\n`,
    );
    const result = await pullImage(containerd!.address, image, { timeoutMs: 30_000 });
    assert.ok(!result.ok);
    assert.match(result.message, /x509: certificate signed by unknown authority$/);
    // containerd logs the reason on its own stderr, which may reach us after the pull's answer.
    const decodeError = /msg="failed to decode hosts.toml" error="invalid `host` tree"/;
    await waitFor(async () => (decodeError.test(containerd!.logs()) ? true : undefined), {
      what: "containerd's hosts.toml decode error in its log",
      timeoutMs: 5_000,
    });
  });

  it("pulls after hosts.toml names the root CA, without a restart", async () => {
    await writeContainerdHostCa(certsD, registryHost, rootPem);
    const result = await pullImage(containerd!.address, image, { timeoutMs: 30_000 });
    assert.ok(result.ok, result.ok ? "" : result.message);
    const status = await imageStatus(containerd!.address, image);
    assert.equal(status?.id, result.imageRef);
    assert.deepEqual(status?.repoDigests, [`${registryHost}/team/app@${digest}`]);
    assert.doesNotMatch(containerd!.logs(), /containerd restarted/);
  });

  it("keeps its images across restart() and serves CRI again", async () => {
    await containerd!.restart();
    assert.match(containerd!.logs(), /--- containerd restarted ---[\s\S]*containerd successfully booted/);
    assert.notEqual(await imageStatus(containerd!.address, image), null);
    await removeImage(containerd!.address, image);
    assert.equal(await imageStatus(containerd!.address, image), null);
    const again = await pullImage(containerd!.address, image, { timeoutMs: 30_000 });
    assert.ok(again.ok, again.ok ? "" : again.message);
    assert.deepEqual(
      (await listImages(containerd!.address)).flatMap((i) => i.repoTags),
      [image],
    );
  });
});

describe("startContainerd configuration", () => {
  it("merges extra TOML; a CRI config error leaves the socket up but no ImageService", async () => {
    const extra = `[plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]\nendpoint = ["https://mirror.example.com"]\n`;
    const containerd = await startContainerd({
      configPath: "/nonexistent",
      configToml: extra,
      readiness: "socket",
    });
    try {
      const result = await pullImage(containerd.address, "repo.example.com/team/app:v1", {
        timeoutMs: 10_000,
      });
      assert.ok(!result.ok);
      assert.equal(result.code, GRPC_UNIMPLEMENTED, result.message);
      assert.match(containerd.logs(), /`mirrors` cannot be set when `config_path` is provided/);
    } finally {
      await containerd.stop();
    }
  });
});
