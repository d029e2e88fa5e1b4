import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCertificateMessage, readHandshakeMessages, readRecords } from "./tls-records.ts";

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
