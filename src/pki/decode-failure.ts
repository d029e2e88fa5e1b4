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
  try {
    void cert.subject;
    void cert.issuer;
    void cert.commonName;
    internalsOf(cert);
    void cert.selfSigned;
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
