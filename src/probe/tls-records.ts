/**
 * Just enough of the TLS wire format to find the server's Certificate
 * message: records (RFC 8446 §5.1, RFC 5246 §6.2), handshake message framing
 * (RFC 8446 §4) and the two Certificate layouts (RFC 5246 §7.4.2,
 * RFC 8446 §4.4.2). Pure functions over bytes; malformed input throws.
 */

export const CONTENT_TYPE = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 } as const;
export const HANDSHAKE_TYPE = { serverHello: 2, certificate: 11, compressedCertificate: 25 } as const;

export interface TlsRecord {
  type: number;
  /** The 5-byte record header; TLS 1.3 uses it as the AEAD additional data. */
  header: Uint8Array;
  fragment: Uint8Array;
}

export interface HandshakeMessage {
  type: number;
  body: Uint8Array;
}

const RECORD_HEADER_BYTES = 5;
const HANDSHAKE_HEADER_BYTES = 4;

/** Every complete record in `bytes`; a trailing partial record is ignored (it arrived after the handshake). */
export function readRecords(bytes: Uint8Array): TlsRecord[] {
  const records: TlsRecord[] = [];
  let offset = 0;
  while (offset + RECORD_HEADER_BYTES <= bytes.length) {
    const length = uint16(bytes, offset + 3);
    const end = offset + RECORD_HEADER_BYTES + length;
    if (end > bytes.length) break;
    records.push({
      type: bytes[offset] ?? 0,
      header: bytes.subarray(offset, offset + RECORD_HEADER_BYTES),
      fragment: bytes.subarray(offset + RECORD_HEADER_BYTES, end),
    });
    offset = end;
  }
  return records;
}

/** Splits a handshake byte stream (messages may span records) into complete messages. */
export function readHandshakeMessages(stream: Uint8Array): HandshakeMessage[] {
  const messages: HandshakeMessage[] = [];
  let offset = 0;
  while (offset + HANDSHAKE_HEADER_BYTES <= stream.length) {
    const length = uint24(stream, offset + 1);
    const end = offset + HANDSHAKE_HEADER_BYTES + length;
    if (end > stream.length) break;
    messages.push({ type: stream[offset] ?? 0, body: stream.subarray(offset + HANDSHAKE_HEADER_BYTES, end) });
    offset = end;
  }
  return messages;
}

/**
 * The DER certificates of a Certificate message body, in message order.
 * TLS 1.3 prefixes a request context and follows each certificate with
 * per-entry extensions; TLS 1.2 is a bare list.
 */
export function parseCertificateMessage(body: Uint8Array, tls13: boolean): Uint8Array[] {
  let offset = 0;
  if (tls13) offset += 1 + need(body, 0, 1, "certificate_request_context")[0]!;
  const listLength = uint24(need(body, offset, 3, "certificate_list length"), 0);
  offset += 3;
  const listEnd = offset + listLength;
  if (listEnd !== body.length) throw new Error("certificate_list length does not match the message");
  const certificates: Uint8Array[] = [];
  while (offset < listEnd) {
    const length = uint24(need(body, offset, 3, "cert_data length"), 0);
    offset += 3;
    certificates.push(need(body, offset, length, "cert_data"));
    offset += length;
    if (tls13) offset += 2 + uint16(need(body, offset, 2, "extensions length"), 0);
  }
  if (offset !== listEnd) throw new Error("certificate entry overruns certificate_list");
  return certificates;
}

/** A handshake message found by type; when only its start arrived, `body` is that start. */
export interface FoundHandshakeMessage extends HandshakeMessage {
  /** The length its header declares (the body size without the 4-byte header). */
  declaredLength: number;
  complete: boolean;
}

/**
 * The first message of `type` in a handshake stream, even if it is cut off:
 * a client that refuses a message for its declared size (OpenSSL's
 * "excessive message size") fails before the rest arrives.
 */
export function findHandshakeMessage(stream: Uint8Array, type: number): FoundHandshakeMessage | null {
  let offset = 0;
  while (offset + HANDSHAKE_HEADER_BYTES <= stream.length) {
    const declaredLength = uint24(stream, offset + 1);
    const end = offset + HANDSHAKE_HEADER_BYTES + declaredLength;
    if (stream[offset] === type) {
      const body = stream.subarray(offset + HANDSHAKE_HEADER_BYTES, Math.min(end, stream.length));
      return { type, body, declaredLength, complete: end <= stream.length };
    }
    offset = end;
  }
  return null;
}

/** The declared size of each certificate entry whose length field is in `body` (a complete or cut-off Certificate body). */
export function certificateEntryLengths(body: Uint8Array, tls13: boolean): number[] {
  let offset = tls13 ? 1 + (body[0] ?? 0) : 0;
  if (offset + 3 > body.length) return [];
  const listEnd = Math.min(body.length, offset + 3 + uint24(body, offset));
  offset += 3;
  const lengths: number[] = [];
  while (offset + 3 <= listEnd) {
    const length = uint24(body, offset);
    lengths.push(length);
    offset += 3 + length;
    if (tls13) offset += offset + 2 <= body.length ? 2 + uint16(body, offset) : 2;
  }
  return lengths;
}

const TLS13_VERSION = 0x0304;
const SUPPORTED_VERSIONS_EXTENSION = 43;

/**
 * The version and cipher suite a ServerHello selects (RFC 5246 §7.4.1.3,
 * RFC 8446 §4.1.3): TLS 1.3 keeps 0x0303 in legacy_version and names itself
 * in the supported_versions extension (§4.2.1).
 */
export function readServerHello(body: Uint8Array): { tls13: boolean; cipherSuite: number } {
  let offset = 2 + 32; // legacy_version, random
  offset += 1 + need(body, offset, 1, "session_id length")[0]!;
  const cipherSuite = uint16(need(body, offset, 2, "cipher_suite"), 0);
  offset += 3; // cipher_suite, compression_method
  if (offset + 2 > body.length) return { tls13: false, cipherSuite }; // no extensions
  const end = Math.min(body.length, offset + 2 + uint16(body, offset));
  offset += 2;
  while (offset + 4 <= end) {
    const type = uint16(body, offset);
    const length = uint16(body, offset + 2);
    if (type === SUPPORTED_VERSIONS_EXTENSION && length === 2) {
      return { tls13: uint16(body, offset + 4) === TLS13_VERSION, cipherSuite };
    }
    offset += 4 + length;
  }
  return { tls13: false, cipherSuite };
}

function need(bytes: Uint8Array, offset: number, length: number, what: string): Uint8Array {
  if (offset + length > bytes.length) throw new Error(`truncated handshake message (${what})`);
  return bytes.subarray(offset, offset + length);
}

function uint16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
}

function uint24(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 16) | ((bytes[offset + 1] ?? 0) << 8) | (bytes[offset + 2] ?? 0);
}
