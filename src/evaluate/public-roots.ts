import { rootCertificates } from "node:tls";

let publicRootsDer: Buffer | null = null;

/**
 * Is this distinguished name (hex of its DER) the subject of a root in the
 * Mozilla list Node ships? Used only to word a finding ("public root missing
 * from this store" vs "private CA"). A byte search for the encoded name in
 * the concatenated roots avoids parsing 140 certificates (~40 ms) on the
 * failure path; an encoded Name only ever appears as a subject or issuer.
 */
export function isPublicRootName(nameDerHex: string): boolean {
  if (nameDerHex.length < 8) return false;
  publicRootsDer ??= Buffer.concat(rootCertificates.map(pemBody));
  return publicRootsDer.includes(Buffer.from(nameDerHex, "hex"));
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
}
