import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ensureTestHosts } from "./etc-hosts.ts";
import { pickFreePort } from "./free-port.ts";
import { pushTestImage } from "./oci-image.ts";
import { type RunningRegistry, startRegistry } from "./registry.ts";
import { skopeoInspect } from "./skopeo.ts";

describe("skopeoInspect against a plain-HTTP registry", () => {
  let registry: RunningRegistry;
  let target: string;
  before(async () => {
    await ensureTestHosts();
    registry = await startRegistry();
    target = `repo.example.com:${registry.port}`;
    await pushTestImage({ registry: target, repository: "team/app", tag: "v1", tlsVerify: false });
  });
  after(() => registry?.stop());

  it("reads the raw manifest when TLS verification is off", async () => {
    const result = await skopeoInspect(`${target}/team/app:v1`, { tlsVerify: false });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).schemaVersion, 2);
  });

  it("reports Go's HTTP-to-HTTPS error text with verification on", async () => {
    const result = await skopeoInspect(`docker://${target}/team/app:v1`);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /pinging container registry repo\.example\.com:\d+: .*server gave HTTP response to HTTPS client/,
    );
  });
});

describe("skopeoInspect failures", () => {
  it("reports connection refused for a closed port", async () => {
    await ensureTestHosts();
    const port = await pickFreePort("127.0.0.1");
    const result = await skopeoInspect(`repo.example.com:${port}/team/app:v1`, { timeoutMs: 20_000 });
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`dial tcp 127\\.0\\.0\\.1:${port}: connect: connection refused`));
  });
});
