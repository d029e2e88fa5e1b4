import type { Certificate } from "./certificate.ts";
import { internalsOf } from "./parse-certificate.ts";

/**
 * parseCertificate (pki/parse-certificate.ts) decodes names and the
 * verification internals lazily, so a certificate that "parsed" can still
 * throw DerError when its subject is first read (found by the fuzz test in
 * inspect-bundle.test.ts). Certificates from a file or a server are checked
 * here once, completely, before anything shows or chains them.
 * Returns why the certificate does not decode, or null.
 */
export function decodeFailure(cert: Certificate): string | null {
  return failureOf(cert, true);
}

/**
 * decodeFailure without the self-signature check: what Go's ParseCertificate
 * would reject. A pool asks this of a deferred certificate (an OS bundle root)
 * before offering it as a parent, so a root Go would have skipped at load time
 * is never a candidate here either (crypto/x509/cert_pool.go AppendCertsFromPEM).
 */
export function parseFailure(cert: Certificate): string | null {
  return failureOf(cert, false);
}

function failureOf(cert: Certificate, withSelfSignature: boolean): string | null {
  try {
    void cert.subject;
    void cert.issuer;
    void cert.commonName;
    void cert.serial; // the deferred details: validity, extensions, key, algorithm
    internalsOf(cert);
    if (withSelfSignature) void cert.selfSigned;
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Splits certificates into those that decode completely and the 1-based positions (with reasons) of those that do not. */
export function partitionDecodable(certs: readonly Certificate[]): {
  good: Certificate[];
  bad: { position: number; reason: string }[];
} {
  const good: Certificate[] = [];
  const bad: { position: number; reason: string }[] = [];
  certs.forEach((cert, i) => {
    const reason = decodeFailure(cert);
    if (reason === null) good.push(cert);
    else bad.push({ position: i + 1, reason });
  });
  return { good, bad };
}
