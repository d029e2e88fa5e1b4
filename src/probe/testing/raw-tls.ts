/**
 * Hand-written TLS server behaviour that OpenSSL cannot be configured to show.
 *
 * `rawTls12Server`: a TLS 1.2 server that sends any bytes as its Certificate
 * message. OpenSSL (so node:tls) refuses to load a certificate that is not
 * DER, so a server presenting one has to be built by hand: read the
 * ClientHello, answer ServerHello and Certificate (RFC 5246 §7.4.1.3,
 * §7.4.2), then stall, so the client's verdict can only come from what the
 * Certificate message held. No key exchange ever happens: nothing here is a
 * working TLS server, and it is used on loopback only.
 *
 * `requireSni`: a front that refuses a ClientHello without SNI the way
 * strict-SNI servers do, and passes the others to a real TLS server.
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

const RECORD_HANDSHAKE = 22;
const HANDSHAKE_SERVER_HELLO = 2;
const HANDSHAKE_CERTIFICATE = 11;
const TLS12 = 0x0303;
/** RFC 5246 §6.2.1: TLSPlaintext.length must not exceed 2^14. */
const MAX_FRAGMENT = 16384;
/** TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (RFC 5289): matches the P-256 keys of src/pki/generate.ts. */
const PREFERRED_SUITE = 0xc02b;
/** RFC 5746 §3.6: an empty renegotiation_info; OpenSSL 3 refuses servers without it. */
const RENEGOTIATION_INFO = Buffer.from([0xff, 0x01, 0x00, 0x01, 0x00]);

/** A connection handler for `net.createServer` that presents `certificates` (raw entries, any bytes). */
export function rawTls12Server(certificates: readonly Uint8Array[]): (socket: Socket) => void {
  return (socket) => {
    let pending = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      try {
        const hello = clientHelloBody(pending);
        if (!hello) return;
        socket.off("data", onData);
        const flight = Buffer.concat([serverHello(chooseSuite(hello)), certificateMessage(certificates)]);
        socket.write(records(flight)); // then stall: the client must decide on what it got
      } catch {
        socket.destroy(); // not a TLS 1.2-capable ClientHello
      }
    };
    socket.on("data", onData);
    socket.on("error", () => {});
  };
}

/** The ClientHello body once its whole record arrived (OpenSSL sends it in one record); null before. */
function clientHelloBody(bytes: Buffer): Buffer | null {
  if (bytes.length < 5) return null;
  const end = 5 + bytes.readUInt16BE(3);
  if (bytes.length < end) return null;
  if (bytes[0] !== RECORD_HANDSHAKE || bytes[5] !== 1) throw new Error("not a ClientHello");
  return bytes.subarray(9, end);
}

/** RFC 6066 §3 server_name. */
const SERVER_NAME_EXTENSION = 0;
/** A fatal unrecognized_name alert (RFC 6066 §3, RFC 5246 §7.2) in a TLS 1.2 record. */
const UNRECOGNIZED_NAME_ALERT = Buffer.from([21, 0x03, 0x03, 0x00, 0x02, 2, 112]);

/**
 * A front that requires SNI, as nginx `ssl_reject_handshake` or HAProxy
 * `strict-sni` do: a ClientHello without server_name gets a fatal
 * unrecognized_name alert; one with it is passed on, unchanged, to the TLS
 * server on `backendPort`.
 */
export function requireSni(backendPort: number): (socket: Socket) => void {
  return (socket) => {
    let pending = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      let types: number[] | null;
      try {
        types = clientHelloExtensionTypes(pending);
      } catch {
        socket.destroy(); // not a ClientHello
        return;
      }
      if (types === null) return;
      socket.off("data", onData);
      if (!types.includes(SERVER_NAME_EXTENSION)) {
        socket.end(UNRECOGNIZED_NAME_ALERT);
        return;
      }
      const backend = connect(backendPort, "127.0.0.1");
      backend.on("error", () => socket.destroy());
      socket.on("close", () => backend.destroy());
      backend.write(pending);
      socket.pipe(backend).pipe(socket);
    };
    socket.on("data", onData);
    socket.on("error", () => {});
  };
}

/** The extension types of a ClientHello (RFC 5246 §7.4.1.2); null until its record is complete. */
function clientHelloExtensionTypes(bytes: Buffer): number[] | null {
  const hello = clientHelloBody(bytes);
  if (!hello) return null;
  let offset = 35 + (hello[34] ?? 0); // version, random, session_id
  offset += 2 + hello.readUInt16BE(offset); // cipher_suites
  offset += 1 + (hello[offset] ?? 0); // compression_methods
  const end = offset + 2 + hello.readUInt16BE(offset);
  const types: number[] = [];
  for (offset += 2; offset + 4 <= end; offset += 4 + hello.readUInt16BE(offset + 2)) {
    types.push(hello.readUInt16BE(offset));
  }
  return types;
}

/** RFC 5246 §7.4.1.2: version, random, session_id, then cipher_suites. */
function chooseSuite(hello: Buffer): number {
  const sessionIdLength = hello[34] ?? 0;
  const suitesAt = 35 + sessionIdLength;
  const suitesLength = hello.readUInt16BE(suitesAt);
  const offered: number[] = [];
  for (let i = 0; i < suitesLength; i += 2) offered.push(hello.readUInt16BE(suitesAt + 2 + i));
  if (offered.includes(PREFERRED_SUITE)) return PREFERRED_SUITE;
  // Not a TLS 1.3 suite (0x13xx) nor the renegotiation SCSV (0x00ff).
  const fallback = offered.find((s) => s >> 8 !== 0x13 && s !== 0x00ff);
  if (fallback === undefined) throw new Error("the client offered no TLS 1.2 cipher suite");
  return fallback;
}

/** RFC 5246 §7.4.1.3, with no session id and only renegotiation_info. */
function serverHello(suite: number): Buffer {
  const random = randomBytes(32);
  // RFC 8446 §4.1.3: the last 8 bytes must not be the downgrade sentinel "DOWNGRD\x01"/"\x00".
  random.fill(0, 24);
  const body = Buffer.concat([
    uint16(TLS12),
    random,
    Buffer.from([0]), // session_id: empty
    uint16(suite),
    Buffer.from([0]), // compression_method: null
    uint16(RENEGOTIATION_INFO.length),
    RENEGOTIATION_INFO,
  ]);
  return handshake(HANDSHAKE_SERVER_HELLO, body);
}

/** RFC 5246 §7.4.2: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>, each sent as given. */
export function certificateMessage(certificates: readonly Uint8Array[]): Buffer {
  const entries = Buffer.concat(certificates.map((der) => Buffer.concat([uint24(der.length), der])));
  return handshake(HANDSHAKE_CERTIFICATE, Buffer.concat([uint24(entries.length), entries]));
}

function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), uint24(body.length), body]);
}

/** Handshake messages may span records (RFC 5246 §6.2.1); each record carries at most 2^14 bytes. */
function records(stream: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let offset = 0; offset < stream.length; offset += MAX_FRAGMENT) {
    const fragment = stream.subarray(offset, offset + MAX_FRAGMENT);
    out.push(Buffer.from([RECORD_HANDSHAKE]), uint16(TLS12), uint16(fragment.length), fragment);
  }
  return Buffer.concat(out);
}

function uint16(value: number): Buffer {
  return Buffer.from([value >> 8, value & 0xff]);
}

function uint24(value: number): Buffer {
  return Buffer.from([(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff]);
}
