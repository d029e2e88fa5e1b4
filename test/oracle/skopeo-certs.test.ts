/**
 * Real-tool oracle for containers/image: Debian's skopeo (containers/image
 * 5.23) inspects an image on a private-CA registry, with the machine's
 * /etc/containers and /etc/docker replaced by temp trees in a private mount
 * namespace (and HOME in a temp dir). regtrust's CRI-O/podman view of the
 * same tree must agree on each step: no CA fails, a certs.d *.crt anchors,
 * /etc/containers/certs.d wins over /etc/docker/certs.d, insecure = true
 * skips verification, a .cert without its .key breaks the pull.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { crioTrustFor } from "../../src/node/containers/containers.ts";
import { HostFs } from "../../src/node/host-fs.ts";
import { pushTestImage } from "../support/oci-image.ts";
import { type PrivateRegistry, startPrivateCaRegistry } from "../support/private-registry.ts";
import { TempDirs } from "../support/tmp.ts";

const dirs = new TempDirs();
let reg: PrivateRegistry;
let node: string;

before(async () => {
  reg = await startPrivateCaRegistry(dirs);
  await pushTestImage({
    registry: reg.target,
    repository: "test/app",
    tag: "1",
    certDir: join(reg.caFile, ".."),
  });
  node = await dirs.make("skopeo-node");
  await mkdir(join(node, "etc/containers"), { recursive: true });
  await mkdir(join(node, "etc/docker"), { recursive: true });
  await mkdir(join(node, "root"), { recursive: true });
});
after(async () => {
  await reg?.registry.stop();
  await dirs.cleanup();
});

/** skopeo inspect through the node tree; "ok" or skopeo's error. */
function inspect(): string {
  const script =
    'mount --bind "$1/etc/containers" /etc/containers && mount --bind "$1/etc/docker" /etc/docker && exec skopeo inspect --raw "$2"';
  const run = spawnSync(
    "unshare",
    ["-m", "--propagation", "private", "sh", "-c", script, "sh", node, `docker://${reg.target}/test/app:1`],
    {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, HOME: join(node, "root"), XDG_CONFIG_HOME: join(node, "root/.config") },
    },
  );
  return run.status === 0 ? "ok" : run.stderr.trim();
}

const view = () => crioTrustFor(new HostFs(node), reg.target);

async function put(path: string, content: string | null): Promise<void> {
  const full = join(node, path);
  if (content === null) return rm(full, { recursive: true, force: true });
  await mkdir(join(full, ".."), { recursive: true });
  await writeFile(full, content);
}

test("skopeo and regtrust's containers/image view agree step by step", async () => {
  await mkdir("/etc/containers", { recursive: true });
  await mkdir("/etc/docker", { recursive: true });
  assert.match(inspect(), /x509: certificate signed by unknown authority/);
  assert.deepEqual(view().caFiles, []);
  assert.equal(view().insecure, null);

  await put(`etc/docker/certs.d/${reg.target}/ca.crt`, reg.caPem);
  assert.equal(inspect(), "ok");
  assert.deepEqual(
    view().caFiles.map((s) => s.path),
    [`/etc/docker/certs.d/${reg.target}/ca.crt`],
  );

  // The first existing directory wins and is never merged with the next: an empty one hides the CA.
  await put(`etc/containers/certs.d/${reg.target}/README`, "x");
  assert.match(inspect(), /x509: certificate signed by unknown authority/);
  assert.deepEqual(view().caFiles, []);
  await put(`etc/containers/certs.d/${reg.target}`, null);

  await put(`etc/docker/certs.d/${reg.target}/client.cert`, reg.caPem);
  assert.match(inspect(), /missing key client\.key for client certificate client\.cert/);
  assert.ok(view().findings.some((f) => f.code === "config-invalid" && f.severity === "error"));
  await put(`etc/docker/certs.d/${reg.target}`, null);

  await put("etc/containers/registries.conf", `[[registry]]\nlocation = "${reg.target}"\ninsecure = true\n`);
  assert.equal(inspect(), "ok");
  assert.match(view().insecure?.setting ?? "", /insecure = true/);
  assert.deepEqual(
    view().resolved?.endpoints.map((e) => [e.host, e.skipVerify, e.httpFallback]),
    [[reg.target, true, true]],
  );
});
