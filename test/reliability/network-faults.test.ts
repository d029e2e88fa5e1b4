/**
 * Issue #10 (1): raw network faults not covered by test/integration/diagnose-network:
 * each must yield one specific finding (stable code, not an internal error)
 * and one exit code within the --timeout budget, against loopback servers
 * built from node:net/tls. Chain-content faults (loop, oversized certificate,
 * undecodable DER) are in network-faults-chain.test.ts.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { createServer as createTlsServer } from "node:tls";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { requireSni } from "../../src/probe/testing/raw-tls.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { FaultHarness, findingOf, findingText, HOST } from "./network-faults-harness.ts";

const harness = new FaultHarness();
let pki: Awaited<ReturnType<typeof createPrivatePki>>;

before(async () => {
  await ensureTestHosts();
  pki = await createPrivatePki({ hostnames: [HOST] });
});
after(() => harness.cleanup());

const tlsOptions = () => ({ cert: `${pki.leaf.certPem}${pki.intermediate.certPem}`, key: pki.leaf.keyPem });
/** Fails fast: well before the deadline, so the cause was seen, not waited out. */
// A fault found before the deadline: the exact code list (no `timeout`) is the proof; how fast is for the
// bench (npm run bench), not a wall-clock assertion that fails on a loaded machine.
const FAST = { exit: 1 };
const registryOk = (_req: unknown, res: import("node:http").ServerResponse) =>
  res.writeHead(200, { "docker-distribution-api-version": "registry/2.0" }).end("{}");

describe("diagnose: raw network faults → specific finding within the timeout", () => {
  test("reset during the handshake (RST on ClientHello)", async () => {
    const server = createNetServer((s) => s.once("data", () => s.resetAndDestroy()));
    const { codes, result } = await harness.diagnose(server, FAST);
    assert.deepEqual(codes, ["tls-handshake-failed"]);
    assert.match(findingOf(result, "tls-handshake-failed").message, /ECONNRESET|reset/i);
  });

  test("close right after the ClientHello", async () => {
    const server = createNetServer((s) => s.once("data", () => s.end()));
    const { codes, result } = await harness.diagnose(server, FAST);
    assert.deepEqual(codes, ["tls-handshake-failed"]);
    assert.match(findingOf(result, "tls-handshake-failed").message, /closed|disconnected|reset/i);
  });

  test("garbage bytes instead of a ServerHello: not TLS", async () => {
    // Random, except the record type and version bytes: OpenSSL reads a TLS
    // record header there, and random ones would be one 1 time in 65,536
    // (major version 3, short length), which changes OpenSSL's complaint.
    const garbage = Buffer.concat([Buffer.from([0x00, 0xff]), randomBytes(510)]);
    const server = createNetServer((s) => s.once("data", () => s.end(garbage)));
    const { codes, result } = await harness.diagnose(server, FAST);
    assert.deepEqual(codes, ["plain-http"]);
    assert.match(findingOf(result, "plain-http").message, /does not speak TLS/);
  });

  test("tarpit at accept (connection accepted, nothing read or sent)", async () => {
    const { codes, result } = await harness.diagnose(createNetServer(), { exit: 1 });
    assert.deepEqual(codes, ["timeout"]);
    assert.match(findingOf(result, "timeout").message, /within 4000 ms during the TLS handshake/);
  });

  test("tarpit mid-handshake (reads ClientHello, sends half a ServerHello)", async () => {
    const half = Buffer.from([0x16, 0x03, 0x03, 0x00, 0x50, 0x02]);
    const server = createNetServer((s) => s.once("data", () => s.write(half)));
    const { codes, result } = await harness.diagnose(server, { exit: 1 });
    assert.deepEqual(codes, ["timeout"]);
    assert.match(findingOf(result, "timeout").message, /within 4000 ms during the TLS handshake/);
  });

  test("tarpit before HTTP headers (TLS completes, /v2/ never answered): chain verdict, then /v2/ timed out", async () => {
    const server = createTlsServer(tlsOptions(), () => {});
    const { codes, result } = await harness.diagnose(server, { exit: 1 });
    // The private CA is not on the node (error, exit 1); the unanswered /v2/ is a warning.
    assert.deepEqual(codes, ["unknown-authority", "not-a-registry"]);
    assert.match(findingOf(result, "not-a-registry").message, /GET \/v2\/ .* failed: no answer in time/);
  });

  test("TLS 1.0-only server", async () => {
    const server = createTlsServer({
      ...tlsOptions(),
      minVersion: "TLSv1",
      maxVersion: "TLSv1",
      ciphers: "DEFAULT:@SECLEVEL=0",
    });
    const { codes, result } = await harness.diagnose(server, FAST);
    assert.deepEqual(codes, ["tls-handshake-failed"]);
    assert.match(findingOf(result, "tls-handshake-failed").message, /protocol version|unsupported protocol/);
  });

  test("server requiring SNI, reached by IP (no SNI sent): unrecognized_name, the fix says to pull by name", async () => {
    const backend = createHttpsServer(tlsOptions(), registryOk);
    const backendPort = await harness.listen(backend);
    try {
      const front = () => createNetServer(requireSni(backendPort));
      const byIp = await harness.diagnose(front(), { ...FAST, target: (p) => `127.0.0.1:${p}` });
      // containerd skips verification for loopback registries (docker.IsLocalhost), always reported.
      assert.deepEqual(byIp.codes, ["tls-handshake-failed", "insecure-skip-verify"]);
      const failed = findingOf(byIp.result, "tls-handshake-failed");
      assert.match(failed.message, /unrecognized name \(TLS alert 112\)/);
      assert.match(
        findingText(failed),
        /requires SNI, and none is sent when the registry is addressed by IP/,
      );
      // Control: by name (SNI sent) the same front lets the handshake through to the chain verdict.
      const byName = await harness.diagnose(front(), FAST);
      assert.deepEqual(byName.codes, ["unknown-authority"]);
    } finally {
      await new Promise((r) => backend.close(r));
    }
  });

  test("/v2/ redirect loop: bounded, the chain verdict still given", async () => {
    const server = createHttpsServer(tlsOptions(), (req, res) => {
      res.writeHead(302, { location: req.url ?? "/v2/" }).end();
    });
    const { codes, result } = await harness.diagnose(server, FAST);
    assert.deepEqual(codes, ["unknown-authority", "not-a-registry"]);
    assert.match(findingOf(result, "not-a-registry").message, /redirect/i);
  });

  test("token realm that accepts and never answers: auth-realm-unreachable within the timeout", async () => {
    const tarpit = createNetServer(() => {});
    const realmPort = await harness.listen(tarpit, "127.0.0.2"); // auth.example.com (etc-hosts.ts)
    const server = createHttpsServer(tlsOptions(), (_req, res) => {
      res
        .writeHead(401, {
          "docker-distribution-api-version": "registry/2.0",
          "www-authenticate": `Bearer realm="https://auth.example.com:${realmPort}/token",service="registry"`,
        })
        .end();
    });
    try {
      const { codes, result } = await harness.diagnose(server, { exit: 1 });
      assert.deepEqual(codes, ["unknown-authority", "auth-realm-unreachable"]);
      assert.match(findingOf(result, "auth-realm-unreachable").message, /auth\.example\.com/);
    } finally {
      await new Promise((r) => tarpit.close(r));
    }
  });

  test("a 50-certificate chain (the intermediate sent 49 times): bounded, verdict given", async () => {
    const chain = `${pki.leaf.certPem}${pki.intermediate.certPem.repeat(49)}`;
    const server = createHttpsServer({ cert: chain, key: pki.leaf.keyPem }, registryOk);
    const { codes, result } = await harness.diagnose(server, FAST);
    assert.deepEqual(codes, ["unknown-authority"]);
    assert.equal(result.presented.length, 50);
  });
});
