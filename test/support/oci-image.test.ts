import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pushTestImage, writeOciLayout } from "./oci-image.ts";
import { runCommand } from "./processes.ts";
import { type RunningRegistry, startRegistry } from "./registry.ts";
import { skopeoInspect } from "./skopeo.ts";
import { TempDirs } from "./tmp.ts";
import { ustar } from "./ustar.ts";

const temps = new TempDirs();
after(() => temps.cleanup());

describe("ustar", () => {
  it("writes an archive the system tar lists and extracts byte for byte", async () => {
    const dir = await temps.make("ustar");
    const content = Buffer.from("x".repeat(700));
    await writeFile(join(dir, "a.tar"), ustar([{ name: "dir-less.txt", content }]));
    const list = await runCommand(["tar", "-tvf", join(dir, "a.tar")], { timeoutMs: 10_000 });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /-rw-r--r-- 0\/0 +700 1970-01-01 00:00 dir-less\.txt/);
    const extract = await runCommand(["tar", "-xf", join(dir, "a.tar"), "-C", dir], { timeoutMs: 10_000 });
    assert.equal(extract.code, 0, extract.stderr);
    assert.deepEqual(await readFile(join(dir, "dir-less.txt")), content);
  });
});

describe("writeOciLayout", () => {
  it("writes blobs whose names are their sha256 and an index naming the tag", async () => {
    const dir = await temps.make("layout");
    const manifestDesc = await writeOciLayout(dir, "v1", "hello\n");
    const index = JSON.parse(await readFile(join(dir, "index.json"), "utf8"));
    assert.equal(index.manifests[0].annotations["org.opencontainers.image.ref.name"], "v1");
    const manifestBytes = await readFile(join(dir, "blobs", "sha256", manifestDesc.digest.slice(7)));
    assert.equal(`sha256:${createHash("sha256").update(manifestBytes).digest("hex")}`, manifestDesc.digest);
    const manifest = JSON.parse(manifestBytes.toString("utf8"));
    const layerFile = join(dir, "blobs", "sha256", manifest.layers[0].digest.slice(7));
    const list = await runCommand(["tar", "-tzf", layerFile], { timeoutMs: 10_000 });
    assert.equal(list.stdout, "hello.txt\n");
  });
});

describe("pushTestImage", () => {
  let registry: RunningRegistry;
  before(async () => {
    registry = await startRegistry();
  });
  after(() => registry?.stop());

  it("pushes with skopeo and the registry serves the manifest under the returned digest", async () => {
    const target = `127.0.0.1:${registry.port}`;
    const { digest } = await pushTestImage({
      registry: target,
      repository: "team/app",
      tag: "v1",
      tlsVerify: false,
    });
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    const res = await fetch(`${registry.url}/v2/team/app/manifests/v1`, {
      headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("docker-content-digest"), digest);
    const inspected = await skopeoInspect(`${target}/team/app@${digest}`, { tlsVerify: false });
    assert.equal(inspected.code, 0, inspected.stderr);
    assert.equal(JSON.parse(inspected.stdout).layers.length, 1);
  });
});
