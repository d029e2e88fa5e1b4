import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { TlsFacts } from "../probe/types.ts";
import {
  GO_MAX_CERTIFICATE_MESSAGE,
  OPENSSL_MAX_CERT_LIST,
  oversizedCertificateVerdict,
  undecodableCertificateVerdict,
} from "./certificate-message-findings.ts";

/** A handshake OpenSSL refused after `bytes` of Certificate message were announced. */
function refused(bytes: number, entryBytes: number[]): TlsFacts {
  return {
    ok: false,
    protocol: null,
    cipher: null,
    presented: [],
    serverName: "repo.example.com",
    certificateMessage: { bytes, complete: false, entryBytes },
    error: {
      kind: "other",
      code: "ERR_SSL_EXCESSIVE_MESSAGE_SIZE",
      message: "excessive message size",
      tlsKind: "handshake",
    },
  };
}

const text = (v: ReturnType<typeof oversizedCertificateVerdict>) =>
  [v?.finding.message, ...(v?.finding.evidence ?? []), ...(v?.finding.fix ?? [])].join("\n");

describe("oversizedCertificateVerdict", () => {
  test("over Go's limit: Go's exact error, the certificate that makes it so large, fix the server file", () => {
    const v = oversizedCertificateVerdict(refused(1_049_476, [1_048_976]), "repo.example.com:5000");
    assert.equal(v?.finding.code, "tls-handshake-failed");
    assert.equal(v?.finding.severity, "error");
    assert.equal(
      v?.runtimeError,
      "tls: handshake message of length 1049476 bytes exceeds maximum of 262144 bytes",
    );
    assert.match(
      v?.finding.message ?? "",
      /1,049,476 bytes: certificate #1 \(the server certificate\) alone is 1,048,976 bytes/,
    );
    assert.match(v?.finding.message ?? "", /Go runtimes refuse .* 262,144 bytes .* every pull fails/);
    assert.match(text(v), /Fix the server's certificate file: certificate #1 in it is 1,048,976 bytes/);
  });

  test("between OpenSSL's and Go's limits: says containerd may still pull, no Go error claimed", () => {
    const v = oversizedCertificateVerdict(refused(150_000, [1_000, 149_000]), "repo.example.com:5000");
    assert.match(v?.finding.message ?? "", /certificate #2 \(an intermediate\) alone is 149,000 bytes/);
    assert.match(
      v?.finding.message ?? "",
      /Go runtimes accept up to 262,144 bytes, so containerd may still pull/,
    );
    assert.doesNotMatch(text(v), /exceeds maximum/);
    assert.equal(v?.runtimeError, "excessive message size (OpenSSL)");
  });

  test("many ordinary certificates: no single culprit, the count seen instead", () => {
    const entries = new Array(300).fill(1_000);
    const v = oversizedCertificateVerdict(refused(300 * 1_003 + 3, entries), "r:1");
    assert.match(v?.finding.message ?? "", /it carries at least 300 certificates/);
    assert.match(text(v), /send only the server certificate and the intermediates/);
  });

  test("not this failure: no message facts, or a message within OpenSSL's limit", () => {
    assert.equal(
      oversizedCertificateVerdict({ ...refused(1, []), certificateMessage: undefined }, "r:1"),
      null,
    );
    assert.equal(
      oversizedCertificateVerdict(refused(OPENSSL_MAX_CERT_LIST, [OPENSSL_MAX_CERT_LIST - 3]), "r:1"),
      null,
    );
    assert.ok(OPENSSL_MAX_CERT_LIST < GO_MAX_CERTIFICATE_MESSAGE);
  });
});

describe("undecodableCertificateVerdict", () => {
  test("names the position given, Go's parse error, and the server-side fix", () => {
    const v = undecodableCertificateVerdict("certificate #1 sent by r:1 does not decode: truncated");
    assert.equal(v.finding.code, "tls-handshake-failed");
    assert.equal(v.runtimeError, "tls: failed to parse certificate from server: x509: malformed certificate");
    assert.match(v.finding.message, /\(certificate #1 sent by r:1 does not decode: truncated\)/);
    assert.match(text(v), /Fix the server's certificate file/);
  });
});
