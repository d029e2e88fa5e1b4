/**
 * A minimal DER writer for the oracle corpus. The corpus needs certificates no
 * well-behaved library will produce (a repeated extension, an inner signature
 * algorithm that differs from the outer one, a 5-byte IP address, a negative
 * serial), so certificates are assembled here byte by byte (X.690 DER).
 */

export type Der = Uint8Array;

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v >>= 8) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

export function tlv(tag: number, ...parts: Der[]): Der {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag, ...lengthBytes(body.length)]), body]);
}

export const seq = (...parts: Der[]): Der => tlv(0x30, ...parts);
export const set = (...parts: Der[]): Der => tlv(0x31, ...parts);
export const octets = (bytes: Der): Der => tlv(0x04, bytes);
export const nullDer = (): Der => tlv(0x05);
export const bool = (value: boolean): Der => tlv(0x01, Buffer.from([value ? 0xff : 0]));
/** [n] EXPLICIT (constructed context tag). */
export const explicit = (n: number, inner: Der): Der => tlv(0xa0 | n, inner);
/** [n] IMPLICIT primitive context tag. */
export const implicit = (n: number, bytes: Der): Der => tlv(0x80 | n, bytes);
export const bitString = (bytes: Der, unused = 0): Der => tlv(0x03, Buffer.from([unused]), bytes);
export const utf8 = (s: string): Der => tlv(0x0c, Buffer.from(s, "utf8"));
export const printable = (s: string): Der => tlv(0x13, Buffer.from(s, "latin1"));
export const ia5 = (s: string): Der => tlv(0x16, Buffer.from(s, "latin1"));

/** INTEGER from a bigint (two's complement, minimal). */
export function integer(value: bigint): Der {
  const bytes: number[] = [];
  let v = value;
  for (;;) {
    const byte = Number(BigInt.asUintN(8, v));
    bytes.unshift(byte);
    v >>= 8n;
    if ((v === 0n && (byte & 0x80) === 0) || (v === -1n && (byte & 0x80) !== 0)) break;
  }
  return tlv(0x02, Buffer.from(bytes));
}

export function oid(dotted: string): Der {
  const arcs = dotted.split(".").map((a) => BigInt(a));
  const first = arcs[0]! * 40n + arcs[1]!;
  const out: number[] = [];
  for (const arc of [first, ...arcs.slice(2)]) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
export function time(date: Date): Der {
  const iso = date.toISOString();
  const digits = iso.slice(0, 19).replace(/[-T:]/g, "");
  if (date.getUTCFullYear() < 2050 && date.getUTCFullYear() >= 1950) {
    return tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, "latin1"));
  }
  return tlv(0x18, Buffer.from(`${digits}Z`, "latin1"));
}
