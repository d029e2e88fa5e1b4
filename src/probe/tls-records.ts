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

function need(bytes: Uint8Array, offset: number, length: number, what: string): Uint8Array {
  if (offset + length > bytes.length) throw new Error(`truncated Certificate message (${what})`);
  return bytes.subarray(offset, offset + length);
}

function uint16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
}

function uint24(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 16) | ((bytes[offset + 1] ?? 0) << 8) | (bytes[offset + 2] ?? 0);
}
