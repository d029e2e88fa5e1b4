import assert from "node:assert/strict";
import { test } from "node:test";
import {
  certificateEntryLengths,
  findHandshakeMessage,
  parseCertificateMessage,
  readHandshakeMessages,
  readRecords,
  readServerHello,
} from "./tls-records.ts";

const u24 = (n: number) => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const bytes = (...parts: (number[] | Uint8Array)[]) => new Uint8Array(parts.flatMap((p) => [...p]));

const certA = [0x30, 0x01, 0xaa];
const certB = [0x30, 0x02, 0xbb, 0xcc];

/** TLS 1.2 Certificate body: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>. */
function tls12Body(...certs: number[][]): Uint8Array {
  const list = certs.flatMap((c) => [...u24(c.length), ...c]);
  return bytes(u24(list.length), list);
}

/** TLS 1.3 Certificate body: request context, then entries with per-certificate extensions. */
function tls13Body(context: number[], ...certs: number[][]): Uint8Array {
  const list = certs.flatMap((c) => [...u24(c.length), ...c, 0x00, 0x02, 0xee, 0xff]);
  return bytes([context.length, ...context], u24(list.length), list);
}

test("parseCertificateMessage: both layouts, order and duplicates kept", () => {
  const cases = [
    { why: "TLS 1.2 two certs", body: tls12Body(certA, certB), tls13: false, want: [certA, certB] },
    {
      why: "TLS 1.2 duplicate",
      body: tls12Body(certB, certA, certA),
      tls13: false,
      want: [certB, certA, certA],
    },
    { why: "TLS 1.2 empty list", body: tls12Body(), tls13: false, want: [] },
    {
      why: "TLS 1.3 with context and extensions",
      body: tls13Body([7], certA, certB),
      tls13: true,
      want: [certA, certB],
    },
  ];
  for (const c of cases) {
    assert.deepEqual(
      parseCertificateMessage(c.body, c.tls13),
      c.want.map((w) => new Uint8Array(w)),
      c.why,
    );
  }
});

test("parseCertificateMessage: malformed bodies throw", () => {
  const full = tls12Body(certA, certB);
  assert.throws(() => parseCertificateMessage(full.subarray(0, full.length - 1), false), /length|truncated/);
  assert.throws(() => parseCertificateMessage(bytes(u24(5), [0, 0, 9, 1, 2]), false), /truncated|overruns/);
  assert.throws(() => parseCertificateMessage(tls13Body([], certA), false), /length/);
});

test("readRecords: complete records only, header kept for AEAD", () => {
  const stream = bytes([22, 3, 3, 0, 2, 1, 2], [23, 3, 3, 0, 1, 9], [22, 3, 3, 0, 5, 1]);
  const records = readRecords(stream);
  assert.deepEqual(
    records.map((r) => [r.type, [...r.header], [...r.fragment]]),
    [
      [22, [22, 3, 3, 0, 2], [1, 2]],
      [23, [23, 3, 3, 0, 1], [9]],
    ],
  );
});

test("readHandshakeMessages: messages split across fragments are joined; a partial tail is left", () => {
  const certificate = [11, ...u24(3), 1, 2, 3];
  const serverHello = [2, ...u24(1), 0x42];
  const stream = bytes(serverHello, certificate, [14, 0, 0, 9, 1]);
  assert.deepEqual(
    readHandshakeMessages(stream).map((m) => [m.type, [...m.body]]),
    [
      [2, [0x42]],
      [11, [1, 2, 3]],
    ],
  );
});

test("findHandshakeMessage: the first message of a type, complete or cut off after its header", () => {
  const serverHello = [2, ...u24(1), 0x42];
  const certificate = [11, ...u24(1_000_000), 1, 2, 3];
  const found = findHandshakeMessage(bytes(serverHello, certificate), 11);
  assert.deepEqual(found && { ...found, body: [...found.body] }, {
    type: 11,
    body: [1, 2, 3],
    declaredLength: 1_000_000,
    complete: false,
  });
  assert.equal(findHandshakeMessage(bytes(serverHello), 2)?.complete, true);
  assert.equal(findHandshakeMessage(bytes(serverHello), 11), null);
  assert.equal(findHandshakeMessage(bytes([11, 0, 0]), 11), null, "not even a header");
});

test("certificateEntryLengths: declared sizes of the entries whose length arrived, both layouts", () => {
  assert.deepEqual(certificateEntryLengths(tls12Body(certA, certB), false), [3, 4]);
  assert.deepEqual(certificateEntryLengths(tls13Body([7], certA, certB), true), [3, 4]);
  // Cut off inside the first entry, which declares 1 MiB: only its size is known.
  const cut = bytes(u24(1_048_579), u24(1_048_576), [0x30, 0x83]);
  assert.deepEqual(certificateEntryLengths(cut, false), [1_048_576]);
  assert.deepEqual(certificateEntryLengths(bytes([0, 0]), false), []);
});

/** ServerHello body: legacy_version, random, session_id, cipher_suite, compression, extensions. */
function serverHelloBody(suite: number, extensions: number[]): Uint8Array {
  const sid = [32, ...new Array(32).fill(1)];
  const ext = extensions.length ? [extensions.length >> 8, extensions.length & 0xff, ...extensions] : [];
  return bytes([3, 3], new Array(32).fill(0xaa), sid, [suite >> 8, suite & 0xff, 0], ext);
}

test("readServerHello: TLS 1.3 from supported_versions, else TLS 1.2; the suite either way", () => {
  const tls13 = serverHelloBody(0x1302, [0, 43, 0, 2, 3, 4, 0, 51, 0, 2, 9, 9]);
  assert.deepEqual(readServerHello(tls13), { tls13: true, cipherSuite: 0x1302 });
  const tls12 = serverHelloBody(0xc02b, [0xff, 0x01, 0, 1, 0]);
  assert.deepEqual(readServerHello(tls12), { tls13: false, cipherSuite: 0xc02b });
  assert.deepEqual(readServerHello(serverHelloBody(0x002f, [])), { tls13: false, cipherSuite: 0x002f });
  assert.throws(() => readServerHello(bytes([3, 3], [1, 2])), /truncated/);
});
