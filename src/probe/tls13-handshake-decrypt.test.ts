import assert from "node:assert/strict";
import { createCipheriv } from "node:crypto";
import { test } from "node:test";
import type { TlsRecord } from "./tls-records.ts";
import { decryptServerHandshake, expandLabel, serverHandshakeSecret } from "./tls13-handshake-decrypt.ts";

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ""), "hex");

test("expandLabel matches RFC 8448 §3 (server handshake write key and iv)", () => {
  const secret = hex(
    "b6 7b 7d 69 0c c1 6c 4e 75 e5 42 13 cb 2d 37 b4 e9 c9 12 bc de d9 10 5d 42 be fd 59 d3 91 ad 38",
  );
  assert.equal(expandLabel("sha256", secret, "key", 16).toString("hex"), "3fce516009c21727d0f2e4e86ee403bc");
  assert.equal(expandLabel("sha256", secret, "iv", 12).toString("hex"), "5d313eb2671276ee13000b30");
});

test("serverHandshakeSecret picks the server handshake line from NSS key log lines", () => {
  const lines = [
    Buffer.from("CLIENT_HANDSHAKE_TRAFFIC_SECRET 00 aa\n"),
    Buffer.from("SERVER_HANDSHAKE_TRAFFIC_SECRET 00 bbcc\n"),
  ];
  assert.equal(serverHandshakeSecret(lines)?.toString("hex"), "bbcc");
  assert.equal(serverHandshakeSecret(lines.slice(0, 1)), null);
});

/** Seals records the way a TLS 1.3 server does (RFC 8446 §5.2), with padding and a trailing content type. */
function seal(
  cipher: "aes-128-gcm" | "aes-256-gcm" | "chacha20-poly1305",
  key: Buffer,
  iv: Buffer,
  seq: number,
  type: number,
  content: Buffer,
): TlsRecord {
  const inner = Buffer.concat([content, Buffer.from([type, 0, 0])]);
  const header = Buffer.from([23, 3, 3, (inner.length + 16) >> 8, (inner.length + 16) & 0xff]);
  const nonce = Buffer.from(iv);
  nonce[11] = (nonce[11] ?? 0) ^ seq;
  const c = createCipheriv(cipher as "aes-128-gcm", key, nonce, { authTagLength: 16 });
  c.setAAD(header, { plaintextLength: inner.length });
  const sealed = Buffer.concat([c.update(inner), c.final(), c.getAuthTag()]);
  return { type: 23, header, fragment: sealed };
}

test("decryptServerHandshake opens records in sequence for every suite and stops at foreign keys", () => {
  const suites = [
    { name: "TLS_AES_128_GCM_SHA256", cipher: "aes-128-gcm", hash: "sha256", keyLength: 16 },
    { name: "TLS_AES_256_GCM_SHA384", cipher: "aes-256-gcm", hash: "sha384", keyLength: 32 },
    { name: "TLS_CHACHA20_POLY1305_SHA256", cipher: "chacha20-poly1305", hash: "sha256", keyLength: 32 },
  ] as const;
  for (const s of suites) {
    const secret = Buffer.alloc(s.hash === "sha384" ? 48 : 32, 7);
    const key = expandLabel(s.hash, secret, "key", s.keyLength);
    const iv = expandLabel(s.hash, secret, "iv", 12);
    const records: TlsRecord[] = [
      { type: 20, header: Buffer.from([20, 3, 3, 0, 1]), fragment: Buffer.from([1]) }, // middlebox CCS: skipped
      seal(s.cipher, key, iv, 0, 22, Buffer.from("first")),
      seal(s.cipher, key, iv, 1, 22, Buffer.from("second")),
      seal(s.cipher, Buffer.alloc(s.keyLength, 1), iv, 2, 22, Buffer.from("other keys")),
    ];
    assert.equal(
      Buffer.from(decryptServerHandshake(records, secret, s.name)).toString(),
      "firstsecond",
      s.name,
    );
  }
  assert.throws(() => decryptServerHandshake([], Buffer.alloc(32), "TLS_AES_128_CCM_SHA256"), /cipher suite/);
});
