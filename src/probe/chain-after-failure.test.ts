import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { before, describe, test } from "node:test";
import { issueCertificate } from "../pki/generate.ts";
import { Budget } from "./budget.ts";
import { handshakeTls, type TlsSession } from "./handshake.ts";
import { scriptedServer, tlsServer } from "./testing/loopback.ts";
import { chainPem, type RegistryPki, registryPki } from "./testing/pki.ts";
import { rawTls12Server } from "./testing/raw-tls.ts";

/**
 * When OpenSSL gives up on the server's Certificate message, the probe still
 * reports what that message held (handshake.ts → chainAfterFailure): its
 * entries as sent, or, when it was refused for its size, the declared sizes.
 */

let pki: RegistryPki;
before(async () => {
  pki = await registryPki();
});

async function handshakeOn(port: number, timeoutMs = 3000): Promise<TlsSession> {
  const tcp = connect({ host: "127.0.0.1", port });
  await new Promise((resolve, reject) => tcp.once("connect", resolve).once("error", reject));
  return handshakeTls(tcp, "repo.example.com", new Budget(timeoutMs));
}

async function withServer<T>(
  server: Promise<{ port: number; close(): Promise<void> }>,
  body: (port: number) => Promise<T>,
): Promise<T> {
  const s = await server;
  try {
    return await body(s.port);
  } finally {
    await s.close();
  }
}

describe("a handshake that failed on the Certificate message keeps what it held", () => {
  test("undecodable entry after the leaf (TLS 1.2): every entry as sent, the message complete", async () => {
    const garbage = Buffer.from("not DER at all");
    const session = await withServer(scriptedServer(rawTls12Server([pki.leaf.der, garbage])), (port) =>
      handshakeOn(port),
    );
    assert.equal(session.socket, null);
    assert.equal(session.facts.error?.tlsKind, "handshake");
    assert.deepEqual(session.facts.presented, [new Uint8Array(pki.leaf.der), new Uint8Array(garbage)]);
    assert.deepEqual(session.facts.certificateMessage, {
      bytes: 3 + 3 + pki.leaf.der.length + 3 + garbage.length,
      complete: true,
      entryBytes: [pki.leaf.der.length, garbage.length],
    });
  });

  for (const maxVersion of ["TLSv1.3", "TLSv1.2"] as const) {
    test(`a Certificate message over OpenSSL's limit (${maxVersion}): its declared size and the leaf's`, async () => {
      const padding = Buffer.concat([Buffer.from([0x04, 0x83, 0x02, 0x00, 0x00]), Buffer.alloc(0x20000)]);
      const big = await issueCertificate({
        commonName: "repo.example.com",
        dnsNames: ["repo.example.com"],
        issuer: pki.intermediate,
        keys: pki.leaf.keys,
        extraExtensions: [{ oid: "1.3.6.1.4.1.55555.1", value: padding }],
      });
      const cert = chainPem(big, pki.intermediate);
      const session = await withServer(tlsServer({ key: pki.leaf.keyPem, cert, maxVersion }), (port) =>
        handshakeOn(port),
      );
      assert.equal(session.facts.error?.code, "ERR_SSL_EXCESSIVE_MESSAGE_SIZE");
      assert.deepEqual(session.facts.presented, [], "cut off: no entry is complete");
      const message = session.facts.certificateMessage;
      const tls13Overhead = maxVersion === "TLSv1.3" ? 1 + 2 + 2 : 0; // context, two entry extension lengths
      const expected = 3 + 3 + big.der.length + 3 + pki.intermediate.der.length + tls13Overhead;
      assert.deepEqual(message, { bytes: expected, complete: false, entryBytes: [big.der.length] });
    });
  }

  test("a failure before any Certificate message (half a ServerHello, then silence): no message facts", async () => {
    const half = (s: Socket) =>
      s.once("data", () => s.write(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x50, 0x02])));
    const session = await withServer(scriptedServer(half), (port) => handshakeOn(port, 300));
    assert.equal(session.facts.error?.tlsKind, "timeout");
    assert.deepEqual(session.facts.presented, []);
    assert.equal(session.facts.certificateMessage, undefined);
  });
});
