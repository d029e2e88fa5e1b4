/**
 * The "done when": `chain --complete --root-only` fetches the root the
 * server does not send (AIA of its intermediate), and that file fed to
 * `regtrust trust --ca` fixes the node.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parseCertificate } from "../../src/pki/parse-certificate.ts";
import { diagnoseJson, runCli } from "../integration/cli.ts";
import { buildNodeRoot, withContainerd } from "../integration/node-root.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { TempDirs } from "../support/tmp.ts";
import { type AiaServer, aiaPki, serveAiaPki, startAiaServer, startRegistry } from "./support.ts";

const dirs = new TempDirs();
let aia: AiaServer;

before(async () => {
  await ensureTestHosts();
  aia = await startAiaServer();
});
after(async () => {
  await aia.close();
  await dirs.cleanup();
});

test("chain --complete --root-only → trust --ca: the node verifies the registry", async () => {
  const pki = await aiaPki(aia.base, "/rt", "/intermediate.der");
  serveAiaPki(aia, pki, "/rt", "/intermediate.der", pki.intermediate.der);
  const server = await startRegistry([pki.leaf, pki.intermediate], pki.leaf);
  try {
    const target = `repo.example.com:${server.port}`;
    const work = await dirs.make("root-only");
    const rootFile = join(work, "root.pem");
    const chain = await runCli([
      "chain",
      target,
      "--complete",
      "--root-only",
      "-o",
      rootFile,
      "--timeout",
      "5000",
    ]);
    assert.equal(chain.code, 0, `${chain.stdout}\n${chain.stderr}`);
    assert.ok(aia.hits.includes("/rt/root.der"), "the root came from the intermediate's AIA URL");

    const node = await buildNodeRoot(dirs, withContainerd());
    const before = await diagnoseJson(target, node, ["--runtime", "containerd"]);
    assert.equal(before.result.ok, false);
    const trust = await runCli([
      "trust",
      target,
      "--ca",
      rootFile,
      "--root",
      node,
      "--runtime",
      "containerd",
    ]);
    assert.equal(trust.code, 0, `${trust.stdout}\n${trust.stderr}`);
    const afterTrust = await diagnoseJson(target, node, ["--runtime", "containerd"]);
    assert.equal(afterTrust.result.ok, true, afterTrust.run.stdout);
  } finally {
    await server.close();
  }
});

test("trust --from-server fetches the root the server does not send (AIA) and still needs the pin", async () => {
  const pki = await aiaPki(aia.base, "/fs", "/intermediate.der");
  serveAiaPki(aia, pki, "/fs", "/intermediate.der", pki.intermediate.der);
  const server = await startRegistry([pki.leaf, pki.intermediate], pki.leaf);
  try {
    const target = `repo.example.com:${server.port}`;
    const rootSha = parseCertificate(pki.root.der).sha256;
    const node = await buildNodeRoot(dirs, withContainerd());
    const wrong = await runCli([
      "trust",
      target,
      "--from-server",
      "--expect-fingerprint",
      "00".repeat(32),
      "--root",
      node,
      "--runtime",
      "containerd",
    ]);
    assert.equal(wrong.code, 1, wrong.stderr);
    const pinned = await runCli([
      "trust",
      target,
      "--from-server",
      "--expect-fingerprint",
      rootSha,
      "--root",
      node,
      "--runtime",
      "containerd",
    ]);
    assert.equal(pinned.code, 0, `${pinned.stdout}\n${pinned.stderr}`);
    assert.ok(aia.hits.includes("/fs/root.der"));
    assert.equal((await diagnoseJson(target, node, ["--runtime", "containerd"])).result.ok, true);
  } finally {
    await server.close();
  }
});
