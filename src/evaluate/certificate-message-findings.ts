import { finding } from "../findings/finding.ts";
import type { TlsFacts } from "../probe/types.ts";
import type { NetworkVerdict } from "./network-verdict.ts";

/**
 * OpenSSL's default max_cert_list (ssl/ssl_local.h SSL_MAX_CERT_LIST_DEFAULT,
 * 100 KiB): curl, other OpenSSL clients and this probe refuse a larger
 * Certificate message with "excessive message size".
 */
export const OPENSSL_MAX_CERT_LIST = 102_400;

/**
 * crypto/tls common.go maxHandshakeCertificateMsg (256 KiB), checked in
 * conn.go readHandshake against the length in the message header, before
 * reading the body. Older Go releases allowed only maxHandshake (64 KiB).
 */
export const GO_MAX_CERTIFICATE_MESSAGE = 262_144;

const bytes = (n: number) => `${n.toLocaleString("en-US")} bytes`;

/**
 * The handshake failed because the server's Certificate message is larger
 * than TLS clients accept; null when it is not that. Names the certificate
 * that makes it so large when one entry does.
 */
export function oversizedCertificateVerdict(tls: TlsFacts, hostPort: string): NetworkVerdict | null {
  const message = tls.certificateMessage;
  if (!message || message.bytes <= OPENSSL_MAX_CERT_LIST) return null;
  const culprit = largestEntry(message.entryBytes, message.bytes);
  const goRefuses = message.bytes > GO_MAX_CERTIFICATE_MESSAGE;
  const goError = `tls: handshake message of length ${message.bytes} bytes exceeds maximum of ${GO_MAX_CERTIFICATE_MESSAGE} bytes`;
  const verdictText = goRefuses
    ? `containerd and other Go runtimes refuse Certificate messages over ${bytes(GO_MAX_CERTIFICATE_MESSAGE)} and OpenSSL clients (curl) over ${bytes(OPENSSL_MAX_CERT_LIST)}, so every pull fails at the handshake`
    : `OpenSSL clients (curl, and regtrust's own probe) refuse more than ${bytes(OPENSSL_MAX_CERT_LIST)}; Go runtimes accept up to ${bytes(GO_MAX_CERTIFICATE_MESSAGE)}, so containerd may still pull, but the chain could not be checked here`;
  const what = culprit
    ? `certificate #${culprit.index + 1} (${culprit.index === 0 ? "the server certificate" : "an intermediate"}) alone is ${bytes(culprit.bytes)}`
    : `it carries at least ${message.entryBytes.length} certificates`;
  return {
    runtimeError: goRefuses ? goError : `${tls.error?.message ?? "excessive message size"} (OpenSSL)`,
    finding: finding(
      "tls-handshake-failed",
      "error",
      `${hostPort} sends a Certificate message of ${bytes(message.bytes)}: ${what}. ${verdictText}.`,
      {
        evidence: [
          goRefuses ? `Go (containerd, Docker, CRI-O): ${goError}` : "",
          `OpenSSL: ${tls.error?.code ?? "ERR_SSL_EXCESSIVE_MESSAGE_SIZE"}: ${tls.error?.message ?? "excessive message size"}`,
        ].filter(Boolean),
        fix: [
          culprit
            ? `Fix the server's certificate file: certificate #${culprit.index + 1} in it is ${bytes(culprit.bytes)} where a typical certificate is 1-2 KB; reissue it without the oversized extension or SAN list and reload the registry.`
            : "Fix the server's certificate file: send only the server certificate and the intermediates up to your root, then reload the registry.",
        ],
      },
    ),
  };
}

/**
 * A certificate the server sent does not decode (`problem` names its
 * position). OpenSSL and Go both stop the handshake at it: crypto/tls
 * handshake_client.go verifyServerCertificate wraps the x509 parse error
 * (`goError`, from pki/go-parse.ts), which for bytes that are not a DER
 * SEQUENCE is "x509: malformed certificate".
 */
export function undecodableCertificateVerdict(
  problem: string,
  goError = "x509: malformed certificate",
): NetworkVerdict {
  const runtimeError = `tls: failed to parse certificate from server: ${goError}`;
  return {
    runtimeError,
    finding: finding(
      "tls-handshake-failed",
      "error",
      `The server sent a certificate that cannot be parsed (${problem}), so every client fails the handshake on it.`,
      {
        evidence: [`containerd and other Go runtimes fail with: ${runtimeError}`],
        fix: [
          "Fix the server's certificate file: the certificate at that position (#1 is the server certificate) is corrupt; re-export the chain as PEM (leaf first, then intermediates) and reload the registry.",
        ],
      },
    ),
  };
}

/** The entry that makes up most of the message, if one does. */
function largestEntry(entries: readonly number[], total: number): { index: number; bytes: number } | null {
  let index = -1;
  for (const [i, size] of entries.entries()) if (index < 0 || size > (entries[index] ?? 0)) index = i;
  const size = entries[index];
  return size !== undefined && size * 2 > total ? { index, bytes: size } : null;
}

/** Why Go refuses a certificate, in words that say what to reissue (pki/go-parse.ts texts). */
function parseFixHint(goError: string): string {
  if (goError.includes("duplicate extension"))
    return "it carries the same extension twice; reissue it with each extension once";
  if (goError.includes("inner and outer signature algorithm"))
    return "its two signature-algorithm fields differ (a broken CA tool); reissue it";
  if (goError.includes("IP address of length"))
    return "an IP address in its subjectAltName is neither 4 nor 16 bytes; reissue it with a valid IP SAN";
  if (goError.includes("negative serial"))
    return "its serial number is negative, which Go 1.23 and later refuse; reissue it with a positive serial";
  if (goError.includes("trailing data")) return "extra bytes follow it; re-export it as clean PEM";
  return "reissue or re-export it";
}

/**
 * A certificate the server sent that Go's parser refuses although it decodes
 * (pki/go-parse.ts): Go runtimes fail every pull at the handshake, even with
 * skip_verify, while OpenSSL clients (curl) may accept it.
 */
export function goRefusesCertificateFinding(
  index: number,
  subject: string | null,
  goError: string,
): ReturnType<typeof finding> {
  const which = `certificate #${index}${index === 0 ? " (the server certificate)" : ""}${subject ? ` "${subject}"` : ""}`;
  return finding(
    "tls-handshake-failed",
    "error",
    `The registry sends ${which}, which Go's certificate parser refuses (${goError}): containerd and other Go runtimes fail every pull at the TLS handshake, even with skip_verify, although curl may accept it.`,
    {
      evidence: [`tls: failed to parse certificate from server: ${goError}`],
      fix: [`Fix the server's certificate file: ${parseFixHint(goError)}, then reload the registry.`],
    },
  );
}
