import assert from "node:assert/strict";
import { test } from "node:test";
import { toNetError, toTlsError } from "./net-error.ts";

const err = (code: string | undefined, message = "boom", extra: object = {}) =>
  Object.assign(new Error(message), code ? { code } : {}, extra);

test("toNetError: kinds follow the code", () => {
  const cases = [
    ["ENOTFOUND", "dns"],
    ["EAI_AGAIN", "dns"],
    ["ECONNREFUSED", "refused"],
    ["ETIMEDOUT", "timeout"],
    ["ECONNRESET", "reset"],
    ["EPIPE", "reset"],
    ["EHOSTUNREACH", "unreachable"],
    ["ENETUNREACH", "unreachable"],
    ["ERR_SSL_WRONG_VERSION_NUMBER", "other"],
    [undefined, "other"],
  ] as const;
  for (const [code, kind] of cases) {
    const result = toNetError(err(code, "line one\n  line two"));
    assert.equal(result.kind, kind, String(code));
    assert.equal(result.code, code ?? "UNKNOWN");
    assert.equal(result.message, "line one line two");
  }
});

const HTTP_400 = new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n");

test("toTlsError: cleartext peers, alerts, timeouts and resets", () => {
  const openssl = (code: string, reason: string, alert?: number) =>
    err(
      code,
      `80DC:error:0A000458:SSL routines:ssl3_read_bytes:${reason}:../rec_layer_s3.c:1601:${alert ? `SSL alert number ${alert}` : ""}`,
      { reason },
    );
  const cases = [
    {
      e: openssl("ERR_SSL_WRONG_VERSION_NUMBER", "wrong version number"),
      first: new Uint8Array(),
      kind: "plain-http",
    },
    {
      e: openssl("ERR_SSL_PACKET_LENGTH_TOO_LONG", "packet length too long"),
      first: new Uint8Array(),
      kind: "plain-http",
    },
    {
      e: err("ECONNRESET", "socket disconnected"),
      first: HTTP_400,
      kind: "plain-http",
      why: "HTTP bytes, then close",
    },
    { e: err("ETIMEDOUT"), first: new Uint8Array(), kind: "timeout" },
    { e: err("ECONNRESET"), first: new Uint8Array(), kind: "reset" },
    {
      e: openssl("ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", "sslv3 alert handshake failure", 40),
      first: new Uint8Array(),
      kind: "handshake",
      text: "sslv3 alert handshake failure (TLS alert 40)",
    },
    {
      e: openssl("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION", "tlsv1 alert protocol version", 70),
      first: new Uint8Array(),
      kind: "handshake",
      text: "tlsv1 alert protocol version (TLS alert 70)",
    },
    {
      e: openssl("ERR_SSL_TLSV1_UNRECOGNIZED_NAME", "tlsv1 unrecognized name", 112),
      first: new Uint8Array(),
      kind: "handshake",
      text: "tlsv1 unrecognized name (TLS alert 112)",
    },
    {
      e: openssl("ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", "tlsv13 alert certificate required", 116),
      first: new Uint8Array(),
      kind: "handshake",
      text: "tlsv13 alert certificate required (TLS alert 116)",
    },
    {
      e: openssl("ERR_SSL_UNSUPPORTED_PROTOCOL", "unsupported protocol"),
      first: new Uint8Array(),
      kind: "handshake",
      text: "unsupported protocol",
    },
    { e: err("ERR_SOMETHING"), first: new Uint8Array(), kind: "other" },
  ];
  for (const c of cases) {
    const result = toTlsError(c.e, c.first);
    assert.equal(result.tlsKind, c.kind, c.why ?? result.code);
    if (c.text) assert.equal(result.message, c.text);
  }
});
