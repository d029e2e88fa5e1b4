import { createDecipheriv, createHmac, type DecipherChaCha20Poly1305, type DecipherGCM } from "node:crypto";
import { CONTENT_TYPE, type TlsRecord } from "./tls-records.ts";

/**
 * TLS 1.3 encrypts the server's Certificate message. Node hands us the
 * handshake traffic secret through the `keylog` event (NSS key log format),
 * from which the record keys follow (RFC 8446 §7.1, §7.3); the records are
 * then opened as in §5.2–§5.3. Only the server's handshake flight is
 * decrypted, and only in this process: nothing is logged or stored.
 */

interface SuiteParams {
  cipher: "aes-128-gcm" | "aes-256-gcm" | "chacha20-poly1305";
  hash: "sha256" | "sha384";
  keyLength: number;
}

/** The TLS 1.3 suites OpenSSL offers by default (RFC 8446 §B.4); the CCM suites are not offered. */
const SUITES: Readonly<Record<string, SuiteParams>> = {
  TLS_AES_128_GCM_SHA256: { cipher: "aes-128-gcm", hash: "sha256", keyLength: 16 },
  TLS_AES_256_GCM_SHA384: { cipher: "aes-256-gcm", hash: "sha384", keyLength: 32 },
  TLS_CHACHA20_POLY1305_SHA256: { cipher: "chacha20-poly1305", hash: "sha256", keyLength: 32 },
};

/** RFC 8446 §B.4 code points of those suites, for a ServerHello read off the wire. */
export const TLS13_SUITE_NAMES: Readonly<Record<number, string>> = {
  4865: "TLS_AES_128_GCM_SHA256",
  4866: "TLS_AES_256_GCM_SHA384",
  4867: "TLS_CHACHA20_POLY1305_SHA256",
};

const IV_LENGTH = 12;
const TAG_LENGTH = 16;

/** The SERVER_HANDSHAKE_TRAFFIC_SECRET from NSS key log lines; null when absent. */
export function serverHandshakeSecret(keylogLines: readonly Buffer[]): Buffer | null {
  for (const line of keylogLines) {
    const [label, , secretHex] = line.toString("latin1").trim().split(" ");
    if (label === "SERVER_HANDSHAKE_TRAFFIC_SECRET" && secretHex) return Buffer.from(secretHex, "hex");
  }
  return null;
}

/**
 * Decrypts the server's encrypted records in order and returns the
 * concatenated handshake plaintext, stopping at the first record that does
 * not open with the handshake keys (application data after Finished).
 */
export function decryptServerHandshake(
  records: readonly TlsRecord[],
  secret: Buffer,
  suiteName: string,
): Uint8Array {
  const suite = SUITES[suiteName];
  if (!suite) throw new Error(`cannot read the certificate message under cipher suite ${suiteName}`);
  const key = expandLabel(suite.hash, secret, "key", suite.keyLength);
  const iv = expandLabel(suite.hash, secret, "iv", IV_LENGTH);
  const plaintext: Buffer[] = [];
  let sequence = 0n;
  for (const record of records) {
    if (record.type !== CONTENT_TYPE.applicationData) continue;
    const inner = openRecord(suite, key, nonceFor(iv, sequence), record);
    if (!inner) break;
    sequence += 1n;
    if (inner.type === CONTENT_TYPE.handshake) plaintext.push(inner.content);
  }
  return Buffer.concat(plaintext);
}

/** RFC 8446 §5.2 TLSInnerPlaintext: content, then the real type, then zero padding. */
function openRecord(
  suite: SuiteParams,
  key: Buffer,
  nonce: Buffer,
  record: TlsRecord,
): { type: number; content: Buffer } | null {
  if (record.fragment.length < TAG_LENGTH) return null;
  const sealed = record.fragment.subarray(0, record.fragment.length - TAG_LENGTH);
  const tag = record.fragment.subarray(record.fragment.length - TAG_LENGTH);
  let opened: Buffer;
  try {
    const decipher = aeadDecipher(suite, key, nonce);
    decipher.setAAD(record.header, { plaintextLength: sealed.length });
    decipher.setAuthTag(tag);
    opened = Buffer.concat([decipher.update(sealed), decipher.final()]);
  } catch {
    return null;
  }
  let end = opened.length;
  while (end > 0 && opened[end - 1] === 0) end -= 1;
  if (end === 0) return null;
  return { type: opened[end - 1] ?? 0, content: opened.subarray(0, end - 1) };
}

function aeadDecipher(
  suite: SuiteParams,
  key: Buffer,
  nonce: Buffer,
): DecipherGCM | DecipherChaCha20Poly1305 {
  const options = { authTagLength: TAG_LENGTH };
  if (suite.cipher === "chacha20-poly1305") return createDecipheriv(suite.cipher, key, nonce, options);
  return createDecipheriv(suite.cipher, key, nonce, options);
}

/** RFC 8446 §5.3: the 64-bit record sequence number, left-padded, XORed into the static IV. */
function nonceFor(iv: Buffer, sequence: bigint): Buffer {
  const nonce = Buffer.from(iv);
  const padded = Buffer.alloc(IV_LENGTH);
  padded.writeBigUInt64BE(sequence, IV_LENGTH - 8);
  for (let i = 0; i < IV_LENGTH; i += 1) nonce[i] = (nonce[i] ?? 0) ^ (padded[i] ?? 0);
  return nonce;
}

/** RFC 8446 §7.1 HKDF-Expand-Label with an empty context. */
export function expandLabel(hash: string, secret: Buffer, label: string, length: number): Buffer {
  const fullLabel = Buffer.from(`tls13 ${label}`, "latin1");
  const info = Buffer.concat([
    Buffer.from([length >> 8, length & 0xff, fullLabel.length]),
    fullLabel,
    Buffer.from([0]),
  ]);
  return hkdfExpand(hash, secret, info, length);
}

/** RFC 5869 §2.3 HKDF-Expand; node:crypto only offers extract-and-expand together. */
function hkdfExpand(hash: string, prk: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let counter = 1; Buffer.concat(blocks).length < length; counter += 1) {
    previous = createHmac(hash, prk)
      .update(Buffer.concat([previous, info, Buffer.from([counter])]))
      .digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}
