import type { Certificate } from "../pki/certificate.ts";
import { partitionDecodable } from "../pki/decode-failure.ts";
import { readCertificates } from "../pki/read-bundle.ts";

/**
 * The certificates in an AIA answer. RFC 5280 §4.2.2.1 says caIssuers serves
 * a single DER certificate (application/pkix-cert) or a certs-only PKCS#7
 * (application/pkcs7-mime, .p7c); some CAs serve PEM. Content-Type is not
 * trusted (many servers send application/octet-stream); the bytes decide.
 * A hostile body can only produce an error message, never an exception.
 */
export function decodeIssuerBody(body: Uint8Array): { certs: Certificate[] } | { error: string } {
  try {
    const { good, bad } = partitionDecodable(readCertificates(body, "the answer").certs);
    if (good.length === 0)
      return { error: `the certificate in the answer does not decode: ${bad[0]?.reason}` };
    return { certs: good };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
