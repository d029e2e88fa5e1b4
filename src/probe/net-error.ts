import type { NetError, NetErrorKind, TlsFacts } from "./types.ts";

export type TlsError = NonNullable<TlsFacts["error"]>;

/** Node/libuv error codes by the kind of failure an operator has to fix. */
const KIND_BY_CODE: Readonly<Record<string, NetErrorKind>> = {
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  EAI_FAIL: "dns",
  EAI_NODATA: "dns",
  EAI_NONAME: "dns",
  ENODATA: "dns",
  ECONNREFUSED: "refused",
  ETIMEDOUT: "timeout",
  ECONNRESET: "reset",
  ECONNABORTED: "reset",
  EPIPE: "reset",
  EHOSTUNREACH: "unreachable",
  ENETUNREACH: "unreachable",
  EHOSTDOWN: "unreachable",
  ENETDOWN: "unreachable",
};

/** OpenSSL's complaints when the peer's first bytes are not a TLS record (cleartext on the port). */
const CLEARTEXT_CODES = new Set([
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "ERR_SSL_PACKET_LENGTH_TOO_LONG",
  "ERR_SSL_HTTP_REQUEST",
  "ERR_SSL_HTTPS_PROXY_REQUEST",
]);

export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code !== "" ? code : "UNKNOWN";
}

/** Any thrown value → a NetError; the kind follows the code, never the message text. */
export function toNetError(error: unknown): NetError {
  const code = errorCode(error);
  return { kind: KIND_BY_CODE[code] ?? "other", code, message: oneLine(error) };
}

/**
 * A failed TLS handshake → the TLS error facts. `firstBytes` are the first
 * bytes the peer sent, which settle "plain HTTP" even when OpenSSL's error
 * is only a reset (an HTTP server that answers 400 and closes).
 */
export function toTlsError(error: unknown, firstBytes: Uint8Array): TlsError {
  const net = toNetError(error);
  if (CLEARTEXT_CODES.has(net.code) || looksLikeHttp(firstBytes)) return { ...net, tlsKind: "plain-http" };
  if (net.kind === "timeout") return { ...net, tlsKind: "timeout" };
  if (net.kind === "reset") return { ...net, tlsKind: "reset" };
  if (net.code.startsWith("ERR_SSL_")) return { ...net, message: alertText(error), tlsKind: "handshake" };
  return { ...net, tlsKind: "other" };
}

/** True for a TLS-level failure reported after the handshake (a TLS 1.3 post-handshake alert). */
export function isTlsAlert(error: NetError): boolean {
  return error.code.startsWith("ERR_SSL_");
}

export function looksLikeHttp(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 5)).toString("latin1") === "HTTP/";
}

/**
 * OpenSSL messages carry a hex prefix and a source path; keep the reason
 * ("tlsv1 unrecognized name") and the alert number, which is what an operator
 * can look up.
 */
function alertText(error: unknown): string {
  const reason = (error as { reason?: unknown }).reason;
  const message = oneLine(error);
  const alert = /SSL alert number (\d+)/.exec(message)?.[1];
  if (typeof reason !== "string" || reason === "") return message;
  return alert ? `${reason} (TLS alert ${alert})` : reason;
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, " ").trim();
}
