import type { Target } from "../target/target.ts";

/** Network facts about one target. The probe never judges; evaluate/ does. */
export interface ProbeResult {
  target: Target;
  dns: DnsFacts;
  tcp: TcpFacts | null;
  tls: TlsFacts | null;
  /** GET /v2/ over the verified-or-not TLS connection (never sends credentials). */
  registry: RegistryFacts | null;
  /** The token realm from WWW-Authenticate, probed when it is on another host or port. */
  realm: RealmFacts | null;
  /** Plain-HTTP check: did the port answer HTTP without TLS? Only filled when TLS failed that way. */
  plainHttp: { status: number; apiVersion: string | null } | null;
  durationMs: number;
}

export type NetErrorKind = "dns" | "refused" | "timeout" | "reset" | "unreachable" | "other";

export interface NetError {
  kind: NetErrorKind;
  /** Node error code (ENOTFOUND, ECONNREFUSED, ETIMEDOUT, ECONNRESET, ERR_SSL_…). */
  code: string;
  message: string;
}

export interface DnsFacts {
  ok: boolean;
  /** Addresses in resolver order; the probe connects to the first. */
  addresses: string[];
  error: NetError | null;
}

export interface TcpFacts {
  ok: boolean;
  address: string;
  port: number;
  error: NetError | null;
}

export interface TlsFacts {
  ok: boolean;
  /** e.g. "TLSv1.3" */
  protocol: string | null;
  cipher: string | null;
  /** DER of every certificate the server sent, in the order it sent them. Nothing added. */
  presented: Uint8Array[];
  /** SNI we sent (null for IP targets). */
  serverName: string | null;
  /**
   * Present only when the wire capture failed and `presented` was rebuilt from
   * OpenSSL's issuer-linked view instead (order normalised, duplicates dropped,
   * still nothing added); says why.
   */
  captureNote?: string;
  /**
   * Only for a failed handshake in which the server's Certificate message
   * was seen (e.g. the client refused it): what the wire showed of it.
   * `presented` then holds its entries if all of it arrived.
   */
  certificateMessage?: CertificateMessageFacts;
  /** "plain-http" when the peer answered in cleartext; "handshake" for alerts/protocol failures. */
  error: (NetError & { tlsKind: "plain-http" | "handshake" | "timeout" | "reset" | "other" }) | null;
}

export interface CertificateMessageFacts {
  /** The body size its handshake header declares (what TLS clients compare with their limit). */
  bytes: number;
  /** All of it arrived before the client gave up. */
  complete: boolean;
  /** Declared size of each certificate entry whose length field arrived, in message order. */
  entryBytes: number[];
}

export interface RegistryFacts {
  ok: boolean;
  status: number | null;
  apiVersion: string | null;
  /** Parsed WWW-Authenticate challenge, if any. */
  challenge: { scheme: string; realm: string | null; service: string | null; scope: string | null } | null;
  error: NetError | null;
}

export interface RealmFacts {
  url: string;
  host: string;
  port: number;
  dns: DnsFacts;
  tcp: TcpFacts | null;
  tls: TlsFacts | null;
  /** HTTP status of GET <realm>?service=… (anonymous); null when not reached. */
  status: number | null;
  error: NetError | null;
}
