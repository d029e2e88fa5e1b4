import { children, DerError, expect, readOid, readTlv, TAG, whole } from "./der.ts";

/** RFC 5652 §5.1 id-signedData. */
const OID_SIGNED_DATA = "1.2.840.113549.1.7.2";

/**
 * The certificates of a PKCS#7 / CMS SignedData (a .p7b/.p7c "certs-only" bundle),
 * as the exact DER bytes inside it, so fingerprints match what the file holds.
 * RFC 5652 §5.1: ContentInfo { contentType, [0] EXPLICIT SignedData { version,
 * digestAlgorithms, encapContentInfo, [0] IMPLICIT CertificateSet OPTIONAL, … } }.
 */
export function certificatesFromPkcs7(der: Uint8Array): Uint8Array[] {
  const contentInfo = expect(der, 0, TAG.sequence);
  if (contentInfo.end !== der.length) throw new DerError("trailing data after PKCS#7");
  const [typeTlv, explicit] = children(der, contentInfo);
  if (!typeTlv || readOid(der, typeTlv) !== OID_SIGNED_DATA) throw new DerError("not a PKCS#7 SignedData");
  if (explicit?.tag !== 0xa0) throw new DerError("PKCS#7 SignedData has no content");
  const signedData = readTlv(der, explicit.body, explicit.end);
  if (signedData.tag !== TAG.sequence) throw new DerError("bad PKCS#7 SignedData");
  const certSet = children(der, signedData).find((t) => t.tag === 0xa0);
  if (!certSet) return [];
  // CertificateChoices: plain certificates are SEQUENCEs; the [0]..[3] alternatives are obsolete forms.
  return children(der, certSet)
    .filter((t) => t.tag === TAG.sequence)
    .map((t) => whole(der, t));
}
