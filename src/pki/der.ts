/**
 * A minimal zero-copy DER reader for the hot path (system bundles of ~150 roots).
 * @peculiar/asn1-schema decodes the same bundle in ~90 ms; this walker only
 * slices the fields the certificate model needs. Definite lengths only (DER, X.690 §10.1).
 */

export class DerError extends Error {
  override name = "DerError";

  /** Go's ParseCertificate error for the same defect, when it is known (e.g. "x509: cannot parse IP address of length 5"). */
  readonly goText: string | null;

  constructor(message: string, goText: string | null = null) {
    super(message);
    this.goText = goText;
  }
}

/** One tag-length-value element: `start` is the identifier octet, `body` the first content octet. */
export interface Tlv {
  tag: number;
  start: number;
  body: number;
  end: number;
}

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  sequence: 0x30,
  set: 0x31,
  utcTime: 0x17,
  generalizedTime: 0x18,
} as const;

export function readTlv(buf: Uint8Array, pos: number, limit: number = buf.length): Tlv {
  if (pos + 2 > limit) throw new DerError("truncated element");
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError("high tag numbers are not supported");
  let len = buf[pos + 1]!;
  let body = pos + 2;
  if (len & 0x80) {
    const octets = len & 0x7f;
    if (octets === 0) throw new DerError("indefinite length is not DER");
    if (octets > 4 || body + octets > limit) throw new DerError("bad length");
    len = 0;
    for (let i = 0; i < octets; i++) len = len * 256 + buf[body + i]!;
    body += octets;
  }
  const end = body + len;
  if (end > limit) throw new DerError("element runs past its container");
  return { tag, start: pos, body, end };
}

/** Reads an element and checks its tag. */
export function expect(buf: Uint8Array, pos: number, tag: number, limit?: number): Tlv {
  const tlv = readTlv(buf, pos, limit);
  if (tlv.tag !== tag) {
    throw new DerError(`expected tag 0x${tag.toString(16)}, found 0x${tlv.tag.toString(16)}`);
  }
  return tlv;
}

/** The direct children of a constructed element. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = parent.body; pos < parent.end; ) {
    const child = readTlv(buf, pos, parent.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/**
 * A plain Uint8Array view. `subarray` on a Buffer goes through the species
 * constructor (FastBuffer), which is several times slower in cold code.
 */
export function view(buf: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset + start, end - start);
}

export function contents(buf: Uint8Array, tlv: Tlv): Uint8Array {
  return view(buf, tlv.body, tlv.end);
}

export function whole(buf: Uint8Array, tlv: Tlv): Uint8Array {
  return view(buf, tlv.start, tlv.end);
}

/** One Buffer per underlying ArrayBuffer (Node pools small allocations), for native string decoding. */
const buffers = new WeakMap<ArrayBufferLike, Buffer>();

function bufferOf(bytes: Uint8Array): Buffer {
  let buffer = buffers.get(bytes.buffer);
  if (!buffer) {
    buffer = Buffer.from(bytes.buffer);
    buffers.set(bytes.buffer, buffer);
  }
  return buffer;
}

function decodeAs(encoding: "hex" | "latin1", bytes: Uint8Array, start = 0, end = bytes.byteLength): string {
  return bufferOf(bytes).toString(encoding, bytes.byteOffset + start, bytes.byteOffset + end);
}

/** Hex of an element's contents, without making a view. */
export function contentHex(buf: Uint8Array, tlv: Tlv): string {
  return decodeAs("hex", buf, tlv.body, tlv.end);
}

/** Hex of a whole element (header included). */
export function wholeHex(buf: Uint8Array, tlv: Tlv): string {
  return decodeAs("hex", buf, tlv.start, tlv.end);
}

export function contentLatin1(buf: Uint8Array, tlv: Tlv): string {
  return decodeAs("latin1", buf, tlv.body, tlv.end);
}

export function toHex(bytes: Uint8Array): string {
  return decodeAs("hex", bytes);
}

export function toLatin1(bytes: Uint8Array): string {
  return decodeAs("latin1", bytes);
}

const oidCache = new Map<string, string>();

/** OIDs repeat endlessly across a bundle (name attributes, extensions), so decoding is memoised. */
export function decodeOid(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new DerError("empty OID");
  const key = toLatin1(bytes);
  const cached = oidCache.get(key);
  if (cached !== undefined) return cached;
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  const oid = [...head, ...parts].join(".");
  if (oidCache.size < 4096) oidCache.set(key, oid);
  return oid;
}

export function readOid(buf: Uint8Array, tlv: Tlv): string {
  if (tlv.tag !== TAG.oid) throw new DerError("expected an OID");
  return oidCache.get(contentLatin1(buf, tlv)) ?? decodeOid(contents(buf, tlv));
}

/** Small non-negative INTEGER (versions, path lengths). */
export function readSmallInt(buf: Uint8Array, tlv: Tlv): number {
  if (tlv.tag !== TAG.integer || tlv.end - tlv.body > 6) throw new DerError("expected a small INTEGER");
  let value = 0;
  for (let i = tlv.body; i < tlv.end; i++) value = value * 256 + buf[i]!;
  return value;
}

export function readBoolean(buf: Uint8Array, tlv: Tlv): boolean {
  if (tlv.tag !== TAG.boolean || tlv.end - tlv.body !== 1) throw new DerError("expected a BOOLEAN");
  return buf[tlv.body] !== 0;
}

/** BIT STRING contents without the unused-bits octet. */
export function bitStringBytes(buf: Uint8Array, tlv: Tlv): Uint8Array {
  if (tlv.tag !== TAG.bitString || tlv.end <= tlv.body) throw new DerError("expected a BIT STRING");
  return view(buf, tlv.body + 1, tlv.end);
}

const utf8 = new TextDecoder("utf-8");
const utf16be = new TextDecoder("utf-16be");

/** Decodes the directory string types a Name or GeneralName may carry. */
export function decodeString(tag: number, bytes: Uint8Array): string | null {
  switch (tag) {
    case 0x0c: // UTF8String
      return utf8.decode(bytes);
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x14: // T61String (treated as Latin-1, as Go does)
    case 0x16: // IA5String
    case 0x1a: // VisibleString
      return toLatin1(bytes);
    case 0x1e: // BMPString
      return utf16be.decode(bytes);
    case 0x1c: // UniversalString (UTF-32BE)
      return decodeUtf32be(bytes);
    default:
      return null;
  }
}

function decodeUtf32be(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    out += String.fromCodePoint(
      ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0,
    );
  }
  return out;
}

function digits(buf: Uint8Array, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = (buf[i] ?? 0) - 0x30;
    if (d < 0 || d > 9) throw new DerError("bad digit in time");
    n = n * 10 + d;
  }
  return n;
}

/** UTCTime / GeneralizedTime (RFC 5280 §4.1.2.5), plus the lenient forms Go's parser accepts. */
export function readTime(buf: Uint8Array, tlv: Tlv): Date {
  const utc = tlv.tag === TAG.utcTime;
  if (!utc && tlv.tag !== TAG.generalizedTime) throw new DerError("expected a time");
  let at = tlv.body;
  let year = digits(buf, at, utc ? 2 : 4);
  at += utc ? 2 : 4;
  if (utc) year += year >= 50 ? 1900 : 2000; // RFC 5280 §4.1.2.5.1
  const month = digits(buf, at, 2);
  const day = digits(buf, at + 2, 2);
  const hour = digits(buf, at + 4, 2);
  const minute = digits(buf, at + 6, 2);
  at += 8;
  let second = 0;
  if (at < tlv.end && buf[at] !== 0x5a && buf[at] !== 0x2b && buf[at] !== 0x2d) {
    second = digits(buf, at, 2);
    at += 2;
  }
  if (!utc && buf[at] === 0x2e) while (at + 1 < tlv.end && buf[at + 1]! >= 0x30 && buf[at + 1]! <= 0x39) at++;
  if (!utc && buf[at] === 0x2e) at++;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (buf[at] === 0x5a && at + 1 === tlv.end) return new Date(ms);
  if ((buf[at] === 0x2b || buf[at] === 0x2d) && at + 5 === tlv.end) {
    const offsetMin = (digits(buf, at + 1, 2) * 60 + digits(buf, at + 3, 2)) * (buf[at] === 0x2d ? -1 : 1);
    return new Date(ms - offsetMin * 60_000);
  }
  throw new DerError("bad time zone");
}
