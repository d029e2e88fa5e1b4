/**
 * Real-daemon oracle for the containerd rules the differential suite pinned
 * down: Debian's containerd 1.6.20, driven over CRI as kubelet drives it, with
 * its own state and a temp config_path root. regtrust's view of the same tree
 * (containerd 1.6 rules) must agree on each step.
 */
import assert from "node:assert/strict";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { containerdTrustFor } from "../../src/node/containerd/trust.ts";
import { HostFs } from "../../src/node/host-fs.ts";
import { type RunningContainerd, startContainerd } from "../support/containerd.ts";
import { pullImage, removeImage } from "../support/cri-client.ts";
import type { RunningRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/tmp.ts";
import { startTrustFixture } from "../trust/fixture.ts";

describe("containerd 1.6.20 over CRI agrees with regtrust's containerd 1.6 rules", () => {
  const temps = new TempDirs();
  let registry: RunningRegistry | undefined;
  let containerd: RunningContainerd | undefined;
  let certsD: string;
  let rootPem: string;
  let host: string;
  let image: string;

  before(async () => {
    ({ registry, rootPem, host, image } = await startTrustFixture(temps));
    certsD = join(await temps.make("certs.d"), "certs.d");
    containerd = await startContainerd({ configPath: certsD });
  });

  after(async () => {
    await containerd?.stop();
    await registry?.stop();
    await temps.cleanup();
  });

  const view = () =>
    containerdTrustFor(new HostFs("/"), host, {
      configFile: containerd?.configFile as string,
      containerdVersion: "1.6.20~ds1-1+deb12u3",
    });

  async function pull(): Promise<string> {
    const result = await pullImage(containerd?.address as string, image, { timeoutMs: 30_000 });
    if (!result.ok) return result.message;
    await removeImage(containerd?.address as string, image);
    return "ok";
  }

  async function reset(files: Record<string, string>): Promise<void> {
    await rm(certsD, { recursive: true, force: true });
    for (const [rel, content] of Object.entries(files)) {
      await mkdir(join(certsD, rel, ".."), { recursive: true });
      await writeFile(join(certsD, rel), content);
    }
  }

  it("_default/ca.crt anchors in 1.6 (regtrust used to apply _default from 1.7 only)", async () => {
    await reset({ "_default/ca.crt": rootPem });
    assert.equal(await pull(), "ok");
    assert.deepEqual(
      view().caFiles.map((s) => s.path),
      [join(certsD, "_default/ca.crt")],
    );
  });

  it("a whitespace-only hosts.toml is ignored and the directory's *.crt anchors", async () => {
    const dir = host.replace(/:(\d+)$/, "_$1_");
    await reset({ [`${dir}/hosts.toml`]: "  \n", [`${dir}/ca.crt`]: rootPem });
    assert.equal(await pull(), "ok");
    const v = view();
    assert.deepEqual(
      v.caFiles.map((s) => s.path),
      [join(certsD, dir, "ca.crt")],
    );
    assert.ok(v.findings.some((f) => f.code === "hosts-toml-invalid"));
  });

  it("a client certificate that does not exist fails every pull", async () => {
    const dir = host.replace(/:(\d+)$/, "_$1_");
    await reset({
      [`${dir}/hosts.toml`]: `[host."https://${host}"]\n  ca = "ca.crt"\n  client = "missing.pem"\n`,
      [`${dir}/ca.crt`]: rootPem,
    });
    assert.match(await pull(), /unable to read CERT file/);
    const v = view();
    assert.match(v.resolved?.error ?? "", /^unable to read CERT file/);
    assert.ok(v.findings.some((f) => f.code === "client-cert-unusable"));
  });

  it("a host directory that is a regular file fails every pull", async () => {
    await reset({ [host.replace(/:(\d+)$/, "_$1_")]: "not a directory\n", "_default/ca.crt": rootPem });
    assert.match(await pull(), /not a directory/);
    assert.match(view().resolved?.error ?? "", /not a directory/);
  });
});
