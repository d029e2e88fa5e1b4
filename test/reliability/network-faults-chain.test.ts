/**
 * Issue #10 (1), chain content: a server whose certificates are hostile must
 * still give one specific finding, fast, naming the certificate at fault and
 * what containerd (Go) will say:
 * - a chain whose issuers loop (CA A issued by B, B by A): real node:tls server;
 * - a 1 MiB certificate: real node:tls server, TLS 1.3 and 1.2 (and a 150 KiB
 *   one, which only OpenSSL clients refuse);
 * - undecodable DER in the chain: OpenSSL will not load it, so a hand-built
 *   TLS 1.2 server (src/probe/testing/raw-tls.ts) sends it.
 */
import assert from "node:assert/strict";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { createServer as createTlsServer } from "node:tls";
import { createPrivatePki, type IssuedCert, issueCertificate } from "../../src/pki/generate.ts";
import { issuerLoopPki } from "../../src/pki/testing/test-pki.ts";
import { rawTls12Server } from "../../src/probe/testing/raw-tls.ts";
import { context, runCli } from "../integration/cli.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { FaultHarness, findingOf, findingText, HOST, TIMEOUT_MS } from "./network-faults-harness.ts";

const harness = new FaultHarness();
let pki: Awaited<ReturnType<typeof createPrivatePki>>;

before(async () => {
  await ensureTestHosts();
  pki = await createPrivatePki({ hostnames: [HOST] });
});
after(() => harness.cleanup());

/** Each of these fails on what the server sent, never by waiting out the deadline. */
// A fault found before the deadline: the exact code list (no `timeout`) is the proof; how fast is for the
// bench (npm run bench), not a wall-clock assertion that fails on a loaded machine.
const FAST = { exit: 1 };
const registryOk = (_req: unknown, res: import("node:http").ServerResponse) =>
  res.writeHead(200, { "docker-distribution-api-version": "registry/2.0" }).end("{}");

/** Valid for the real clock: an hour ago to a year from now. */
function aroundNow(): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(Date.now() - 3_600_000), notAfter: new Date(Date.now() + 365 * 86_400_000) };
}

/** The registry's leaf again, padded to `bytes` with a private non-critical extension (DER OCTET STRING). */
async function paddedLeaf(bytes: number): Promise<IssuedCert> {
  const content = Buffer.alloc(bytes);
  const header = Buffer.from([0x04, 0x83, (bytes >> 16) & 0xff, (bytes >> 8) & 0xff, bytes & 0xff]);
  return issueCertificate({
    commonName: HOST,
    dnsNames: [HOST],
    issuer: pki.intermediate,
    keys: pki.leaf.keys,
    extKeyUsage: ["serverAuth"],
    extraExtensions: [{ oid: "1.3.6.1.4.1.55555.1", value: Buffer.concat([header, content]) }],
  });
}

describe("diagnose: hostile chains → specific finding naming the certificate", () => {
  test("a chain with a loop (leaf, A, B; A issued by B, B by A): unknown-authority naming the loop", async () => {
    const { a, b, leaf } = await issuerLoopPki(aroundNow());
    const server = createHttpsServer(
      { cert: `${leaf.certPem}${a.certPem}${b.certPem}`, key: leaf.keyPem },
      registryOk,
    );
    const { codes, result } = await harness.diagnose(server, FAST);
    assert.deepEqual(codes, ["unknown-authority"]);
    const loop = findingOf(result, "unknown-authority");
    assert.match(
      loop.message,
      /form a loop: #3 "CN=Loop CA B, O=regtrust test" was issued by #2 "CN=Loop CA A/,
    );
    assert.match(loop.message, /x509: certificate signed by unknown authority/);
    assert.match(findingText(loop), /Fix the server's certificate file/);
    assert.equal(result.presented.length, 3);
  });

  test("a chain with a loop: `chain --complete` ends too, with an issuer-loop error at #3", async () => {
    const { a, b, leaf } = await issuerLoopPki(aroundNow());
    const server = createHttpsServer(
      { cert: `${leaf.certPem}${a.certPem}${b.certPem}`, key: leaf.keyPem },
      registryOk,
    );
    const port = await harness.listen(server);
    try {
      const run = await runCli([
        "chain",
        `${HOST}:${port}`,
        "--complete",
        "--json",
        "--timeout",
        `${TIMEOUT_MS}`,
      ]);
      assert.doesNotMatch(run.stderr, /internal error/i);
      const report = JSON.parse(run.stdout) as {
        path: number[];
        completion: { reachedRoot: boolean };
        issues: { kind: string; severity: string; position: number | null; message: string }[];
      };
      assert.deepEqual(report.path, [1, 2, 3]);
      assert.equal(report.completion.reachedRoot, false);
      const errors = report.issues.filter((i) => i.severity === "error");
      assert.deepEqual(
        errors.map((i) => [i.kind, i.position]),
        [["issuer-loop", 3]],
        run.stdout,
      );
      assert.match(errors[0]?.message ?? "", /issued by certificate 2 .*form a loop/);
      assert.ok(!report.issues.some((i) => i.kind === "missing-issuer"), "A was sent: nothing is missing");
      assert.equal(run.code, 1, run.stdout);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  for (const maxVersion of ["TLSv1.3", "TLSv1.2"] as const) {
    test(`a 1 MiB certificate (${maxVersion}): tls-handshake-failed naming certificate #1 and Go's limit`, async () => {
      const big = await paddedLeaf(1024 * 1024);
      const cert = `${big.certPem}${pki.intermediate.certPem}`;
      const server = createTlsServer({ cert, key: pki.leaf.keyPem, maxVersion });
      const { codes, result } = await harness.diagnose(server, FAST);
      assert.deepEqual(codes, ["tls-handshake-failed"]);
      const failed = findingOf(result, "tls-handshake-failed");
      const size = big.der.length.toLocaleString("en-US");
      assert.match(
        failed.message,
        new RegExp(`certificate #1 \\(the server certificate\\) alone is ${size} bytes`),
      );
      assert.match(failed.message, /Go runtimes refuse Certificate messages over 262,144 bytes/);
      assert.match(
        findingText(failed),
        /tls: handshake message of length \d+ bytes exceeds maximum of 262144 bytes/,
      );
      assert.match(findingText(failed), /Fix the server's certificate file: certificate #1/);
      assert.match(
        context(result, "containerd").error ?? "",
        /^tls: handshake message of length \d+ bytes exceeds/,
      );
    });
  }

  test("a 150 KiB certificate: refused by OpenSSL clients only, and the finding says Go accepts it", async () => {
    const big = await paddedLeaf(150 * 1024);
    const server = createTlsServer({
      cert: `${big.certPem}${pki.intermediate.certPem}`,
      key: pki.leaf.keyPem,
    });
    const { codes, result } = await harness.diagnose(server, FAST);
    assert.deepEqual(codes, ["tls-handshake-failed"]);
    const failed = findingOf(result, "tls-handshake-failed");
    assert.match(failed.message, /Go runtimes accept up to 262,144 bytes, so containerd may still pull/);
    assert.doesNotMatch(findingText(failed), /exceeds maximum of 262144/);
  });

  const UNDECODABLE = [
    {
      name: "garbage after a valid leaf",
      entries: () => [pki.leaf.der, Buffer.from("not DER at all")],
      at: 1,
    },
    {
      name: "a truncated leaf SEQUENCE, then the intermediate",
      entries: () => [pki.leaf.der.subarray(0, 200), pki.intermediate.der],
      at: 0,
    },
  ];
  for (const c of UNDECODABLE) {
    test(`undecodable DER in the presented chain (${c.name}): tls-handshake-failed naming #${c.at + 1}`, async () => {
      const server = createNetServer(rawTls12Server(c.entries()));
      const { codes, result, port } = await harness.diagnose(server, FAST);
      assert.deepEqual(codes, ["tls-handshake-failed"]);
      const failed = findingOf(result, "tls-handshake-failed");
      assert.match(
        failed.message,
        new RegExp(`certificate #${c.at + 1} sent by ${HOST}:${port} does not decode`),
      );
      assert.match(
        findingText(failed),
        /tls: failed to parse certificate from server: x509: malformed certificate/,
      );
      assert.match(findingText(failed), /Fix the server's certificate file/);
      assert.equal(
        context(result, "containerd").error,
        "tls: failed to parse certificate from server: x509: malformed certificate",
      );
      // What decoded before the bad entry is still shown, in the order sent.
      assert.equal(result.presented.length, c.at);
    });

    test(`undecodable DER (${c.name}): \`chain\` names certificate ${c.at + 1}, not OpenSSL's ASN.1 error`, async () => {
      const server = createNetServer(rawTls12Server(c.entries()));
      const port = await harness.listen(server);
      try {
        const run = await runCli(["chain", `${HOST}:${port}`, "--json", "--timeout", `${TIMEOUT_MS}`]);
        const report = JSON.parse(run.stdout) as {
          issues: { kind: string; severity: string; position: number | null; message: string }[];
        };
        const errors = report.issues.filter((i) => i.severity === "error");
        // The undecodable certificate comes first (what follows from leaving it out, e.g. a
        // missing issuer, may follow); the connection line no longer repeats OpenSSL's error.
        assert.deepEqual([errors[0]?.kind, errors[0]?.position], ["undecodable", c.at + 1], run.stdout);
        assert.ok(!report.issues.some((i) => i.kind === "tls-handshake-failed"), run.stdout);
        assert.doesNotMatch(run.stdout, /too long|nested asn1/i);
        assert.equal(run.code, 1);
      } finally {
        server.close();
      }
    });
  }
});
