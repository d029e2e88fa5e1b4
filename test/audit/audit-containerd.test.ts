/**
 * Cross-check with the real containerd (CRI pull, like kubelet): a hosts.toml
 * the audit reports as hosts-toml-invalid really is ignored by containerd,
 * and once the audit is clean the same file makes the pull work.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { auditNode } from "../../src/audit/audit.ts";
import { HostFs } from "../../src/node/host-fs.ts";
import { writeCertDir } from "../support/certs-d.ts";
import { type RunningContainerd, startContainerd } from "../support/containerd.ts";
import { pullImage } from "../support/cri-client.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { pushTestImage } from "../support/oci-image.ts";
import { type RunningRegistry, startRegistry } from "../support/registry.ts";
import { makeScenarioPki } from "../support/scenario-pki.ts";
import { TempDirs } from "../support/tmp.ts";
import { NOW } from "./fixtures.ts";

describe("audit vs real containerd: an unparseable hosts.toml is ignored", () => {
  const temps = new TempDirs();
  let registry: RunningRegistry | undefined;
  let containerd: RunningContainerd | undefined;
  let nodeRoot: string;
  let hostDir: string;
  let registryHost: string;
  let image: string;

  before(async () => {
    await ensureTestHosts();
    const pki = await makeScenarioPki();
    registry = await startRegistry({
      tls: { certPem: pki.leaf.certPem + pki.intermediatePem, keyPem: pki.leaf.keyPem },
    });
    registryHost = `repo.example.com:${registry.port}`;
    image = `${registryHost}/team/app:v1`;
    const certDir = await writeCertDir(await temps.make("push-certs"), pki.rootPem);
    await pushTestImage({ registry: registryHost, repository: "team/app", tag: "v1", certDir });
    nodeRoot = await temps.make("node");
    const certsD = join(nodeRoot, "etc/containerd/certs.d");
    await writeFile(
      join(await mkdirp(join(nodeRoot, "etc/containerd")), "config.toml"),
      `version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n`,
    );
    // containerd names the directory host_port_ first, then host:port.
    hostDir = await mkdirp(join(certsD, registryHost));
    // A relative ca resolves against the hosts.toml directory for both containerd and the audit.
    await writeFile(join(hostDir, "root.pem"), pki.rootPem);
    containerd = await startContainerd({ configPath: certsD });
  });

  after(async () => {
    await containerd?.stop();
    await registry?.stop();
    await temps.cleanup();
  });

  const writeHosts = (capabilities: string) =>
    writeFile(
      join(hostDir, "hosts.toml"),
      `server = "https://${registryHost}"\n\n[host."https://${registryHost}"]\n  capabilities = [${capabilities}]\n  ca = "root.pem"\n`,
    );
  const audit = () =>
    auditNode(new HostFs(nodeRoot), { now: NOW, expiringDays: 30, runtimes: ["containerd"] });

  it("a capability typo: the audit says hosts-toml-invalid and the CRI pull fails with unknown authority", async () => {
    await writeHosts('"pull", "reslove"');
    const invalid = audit().findings.filter((f) => f.code === "hosts-toml-invalid");
    assert.equal(invalid.length, 1);
    assert.equal(invalid[0]?.line, 4);
    const result = await pullImage(containerd!.address, image, { timeoutMs: 30_000 });
    assert.ok(!result.ok);
    assert.match(result.message, /x509: certificate signed by unknown authority$/);
    assert.match(containerd!.logs(), /failed to decode hosts.toml/);
  });

  it("the fixed file audits without hosts-toml-invalid and the pull succeeds, no restart", async () => {
    await writeHosts('"pull", "resolve"');
    assert.deepEqual(
      audit().findings.filter((f) => f.code === "hosts-toml-invalid" || f.code.startsWith("ca-file")),
      [],
    );
    const result = await pullImage(containerd!.address, image, { timeoutMs: 30_000 });
    assert.ok(result.ok, result.ok ? "" : result.message);
  });
});

async function mkdirp(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}
