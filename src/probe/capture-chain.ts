import type { DetailedPeerCertificate, TLSSocket } from "node:tls";
import { PLACEHOLDER_CA_SHA256 } from "./isolated-context.ts";
import {
  CONTENT_TYPE,
  certificateEntryLengths,
  findHandshakeMessage,
  HANDSHAKE_TYPE,
  parseCertificateMessage,
  readHandshakeMessages,
  readRecords,
  readServerHello,
  type TlsRecord,
} from "./tls-records.ts";
import {
  decryptServerHandshake,
  serverHandshakeSecret,
  TLS13_SUITE_NAMES,
} from "./tls13-handshake-decrypt.ts";
import type { CertificateMessageFacts } from "./types.ts";

/** What the handshake left behind for us to read the chain from. */
export interface HandshakeEvidence {
  /** Every byte the server sent up to the end of the handshake (wire-tap.ts). */
  received: Uint8Array;
  /** The tap stopped copying because the server sent more than its cap. */
  overflowed: boolean;
  /** NSS key log lines from the socket's `keylog` event. */
  keylog: readonly Buffer[];
}

export interface CapturedChain {
  /** DER of every certificate the server sent, in the order sent, duplicates kept. */
  presented: Uint8Array[];
  /** Null for an exact capture; otherwise why the issuer-linked fallback was used. */
  note: string | null;
}

/**
 * The certificates exactly as the server sent them, read from its
 * Certificate handshake message. Falls back to OpenSSL's view (still
 * nothing added, see isolated-context.ts) only if the wire cannot be read.
 */
export function captureChain(socket: TLSSocket, evidence: HandshakeEvidence): CapturedChain {
  try {
    if (evidence.overflowed) throw new Error("the server's handshake exceeded the capture limit");
    const protocol = socket.getProtocol();
    const suite = socket.getCipher()?.standardName ?? "";
    return { presented: chainFromWire(evidence.received, evidence.keylog, protocol, suite), note: null };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      presented: peerChainFallback(socket),
      note: `order as linked by issuer, duplicates dropped: the Certificate message could not be read (${why})`,
    };
  }
}

/** Parses the server's flight: cleartext handshake records up to TLS 1.2, decrypted ones in TLS 1.3. */
export function chainFromWire(
  received: Uint8Array,
  keylog: readonly Buffer[],
  protocol: string | null,
  suite: string,
): Uint8Array[] {
  const records = readRecords(received);
  const tls13 = protocol === "TLSv1.3";
  let handshake: Uint8Array;
  if (tls13) {
    const secret = serverHandshakeSecret(keylog);
    if (!secret) throw new Error("no TLS 1.3 handshake secret was logged");
    handshake = decryptServerHandshake(records, secret, suite);
  } else {
    handshake = cleartextHandshake(records);
  }
  const message = readHandshakeMessages(handshake).find(
    (m) => m.type === HANDSHAKE_TYPE.certificate || m.type === HANDSHAKE_TYPE.compressedCertificate,
  );
  if (!message) throw new Error("no Certificate message in the server's handshake");
  if (message.type === HANDSHAKE_TYPE.compressedCertificate)
    throw new Error("compressed Certificate message");
  // Copies, so the result does not pin the whole received buffer.
  return parseCertificateMessage(message.body, tls13).map((der) => new Uint8Array(der));
}

/** What a failed handshake left of the server's Certificate message. */
export interface FailedHandshakeChain {
  /** Every entry of a complete Certificate message, bytes as sent (decodable or not); empty when cut off. */
  presented: Uint8Array[];
  message: CertificateMessageFacts;
}

/**
 * The server's Certificate message after OpenSSL gave up on the handshake
 * (an entry that is not DER, a message over its size limit): the version and
 * suite come from the ServerHello on the wire, since the socket no longer
 * says. Null when no Certificate message was seen or it cannot be read.
 */
export function chainAfterFailure(
  evidence: Omit<HandshakeEvidence, "overflowed">,
): FailedHandshakeChain | null {
  try {
    const records = readRecords(evidence.received);
    const cleartext = cleartextHandshake(records);
    const hello = findHandshakeMessage(cleartext, HANDSHAKE_TYPE.serverHello);
    if (!hello?.complete) return null;
    const { tls13, cipherSuite } = readServerHello(hello.body);
    let stream = cleartext;
    if (tls13) {
      const secret = serverHandshakeSecret(evidence.keylog);
      const suite = TLS13_SUITE_NAMES[cipherSuite];
      if (!secret || !suite) return null;
      stream = decryptServerHandshake(records, secret, suite);
    }
    const found = findHandshakeMessage(stream, HANDSHAKE_TYPE.certificate);
    if (!found) return null;
    const presented = found.complete
      ? parseCertificateMessage(found.body, tls13).map((der) => new Uint8Array(der))
      : [];
    const entryBytes = certificateEntryLengths(found.body, tls13);
    return { presented, message: { bytes: found.declaredLength, complete: found.complete, entryBytes } };
  } catch {
    return null;
  }
}

/** Before ChangeCipherSpec, TLS ≤1.2 handshake records are cleartext; after it, encrypted. */
function cleartextHandshake(records: readonly TlsRecord[]): Uint8Array {
  const fragments: Uint8Array[] = [];
  for (const record of records) {
    if (record.type === CONTENT_TYPE.changeCipherSpec) break;
    if (record.type === CONTENT_TYPE.handshake) fragments.push(record.fragment);
  }
  return Buffer.concat(fragments);
}

/**
 * OpenSSL's view of the sent certificates: Node links them leaf → issuer
 * (crypto_common.cc AddIssuerChainToObject), so the order is normalised,
 * duplicates and unrelated certificates vanish, and the chain is completed
 * from the connection's store — which holds only the placeholder, dropped here.
 */
export function peerChainFallback(socket: TLSSocket): Uint8Array[] {
  const chain: Uint8Array[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    if (cert.fingerprint256 !== PLACEHOLDER_CA_SHA256) chain.push(new Uint8Array(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}
