import { children, contents, readOid, readSmallInt, readTlv, TAG, type Tlv } from "./der.ts";

/** Go's view of a signature algorithm (x509.go signatureAlgorithmDetails). */
export interface SignatureAlgorithmInfo {
  oid: string;
  /** Go's SignatureAlgorithm.String(); the OID when Go does not know the algorithm. */
  name: string;
  /** Node digest name; null for Ed25519 and for algorithms Go cannot verify. */
  hash: "md2" | "md5" | "sha1" | "sha256" | "sha384" | "sha512" | null;
  /** The key type Go requires: "RSA" | "DSA" | "ECDSA" | "Ed25519"; null when unknown. */
  keyAlgorithm: "RSA" | "DSA" | "ECDSA" | "Ed25519" | null;
  pss: boolean;
  known: boolean;
}

type Details = Omit<SignatureAlgorithmInfo, "oid" | "known" | "pss">;

const DETAILS: Record<string, Details> = {
  "1.2.840.113549.1.1.2": { name: "MD2-RSA", hash: null, keyAlgorithm: "RSA" },
  "1.2.840.113549.1.1.4": { name: "MD5-RSA", hash: "md5", keyAlgorithm: "RSA" },
  "1.2.840.113549.1.1.5": { name: "SHA1-RSA", hash: "sha1", keyAlgorithm: "RSA" },
  "1.3.14.3.2.29": { name: "SHA1-RSA", hash: "sha1", keyAlgorithm: "RSA" },
  "1.2.840.113549.1.1.11": { name: "SHA256-RSA", hash: "sha256", keyAlgorithm: "RSA" },
  "1.2.840.113549.1.1.12": { name: "SHA384-RSA", hash: "sha384", keyAlgorithm: "RSA" },
  "1.2.840.113549.1.1.13": { name: "SHA512-RSA", hash: "sha512", keyAlgorithm: "RSA" },
  "1.2.840.10040.4.3": { name: "DSA-SHA1", hash: "sha1", keyAlgorithm: "DSA" },
  "2.16.840.1.101.3.4.3.2": { name: "DSA-SHA256", hash: "sha256", keyAlgorithm: "DSA" },
  "1.2.840.10045.4.1": { name: "ECDSA-SHA1", hash: "sha1", keyAlgorithm: "ECDSA" },
  "1.2.840.10045.4.3.2": { name: "ECDSA-SHA256", hash: "sha256", keyAlgorithm: "ECDSA" },
  "1.2.840.10045.4.3.3": { name: "ECDSA-SHA384", hash: "sha384", keyAlgorithm: "ECDSA" },
  "1.2.840.10045.4.3.4": { name: "ECDSA-SHA512", hash: "sha512", keyAlgorithm: "ECDSA" },
  "1.3.101.112": { name: "Ed25519", hash: null, keyAlgorithm: "Ed25519" },
};

const OID_RSASSA_PSS = "1.2.840.113549.1.1.10";
const OID_MGF1 = "1.2.840.113549.1.1.8";
const PSS_HASHES: Record<string, { hash: "sha256" | "sha384" | "sha512"; salt: number; name: string }> = {
  "2.16.840.1.101.3.4.2.1": { hash: "sha256", salt: 32, name: "SHA256-RSAPSS" },
  "2.16.840.1.101.3.4.2.2": { hash: "sha384", salt: 48, name: "SHA384-RSAPSS" },
  "2.16.840.1.101.3.4.2.3": { hash: "sha512", salt: 64, name: "SHA512-RSAPSS" },
};

function unknown(oid: string): SignatureAlgorithmInfo {
  return { oid, name: oid, hash: null, keyAlgorithm: null, pss: false, known: false };
}

/** Parses an AlgorithmIdentifier the way Go's getSignatureAlgorithmFromAI does. */
export function parseSignatureAlgorithm(buf: Uint8Array, algId: Tlv): SignatureAlgorithmInfo {
  const [oidTlv, params] = children(buf, algId);
  const oid = readOid(buf, oidTlv!);
  if (oid === OID_RSASSA_PSS) return params ? parsePss(buf, params) : unknown(oid);
  const details = DETAILS[oid];
  if (!details) return unknown(oid);
  // RFC 8410 §3: Ed25519 parameters MUST be absent.
  if (oid === "1.3.101.112" && params) return unknown(oid);
  return { oid, ...details, pss: false, known: true };
}

function isNullOrAbsent(tlv: Tlv | undefined): boolean {
  return !tlv || (tlv.tag === TAG.null && tlv.end === tlv.body);
}

/**
 * Go accepts only PSS with MGF1 over the same hash, salt = hash length and the
 * default trailer (x509.go getSignatureAlgorithmFromAI).
 */
function parsePss(buf: Uint8Array, params: Tlv): SignatureAlgorithmInfo {
  const fallback = unknown(OID_RSASSA_PSS);
  try {
    let hashOid = "";
    let mgfHashOid = "";
    let mgfOk = false;
    let salt = -1;
    let trailer = 1;
    for (const field of children(buf, params)) {
      const inner = readTlv(buf, field.body, field.end);
      if (field.tag === 0xa0) {
        const [h, hp] = children(buf, inner);
        hashOid = readOid(buf, h!);
        if (!isNullOrAbsent(hp)) return fallback;
      } else if (field.tag === 0xa1) {
        const [m, mp] = children(buf, inner);
        mgfOk = readOid(buf, m!) === OID_MGF1;
        if (!mp) return fallback;
        const [mh, mhp] = children(buf, mp);
        mgfHashOid = readOid(buf, mh!);
        if (!isNullOrAbsent(mhp)) return fallback;
      } else if (field.tag === 0xa2) salt = readSmallInt(buf, inner);
      else if (field.tag === 0xa3) trailer = readSmallInt(buf, inner);
    }
    const match = PSS_HASHES[hashOid];
    if (!match || !mgfOk || mgfHashOid !== hashOid || trailer !== 1 || salt !== match.salt) return fallback;
    return {
      oid: OID_RSASSA_PSS,
      name: match.name,
      hash: match.hash,
      keyAlgorithm: "RSA",
      pss: true,
      known: true,
    };
  } catch {
    return fallback;
  }
}

export interface PublicKeyInfo {
  algorithm: string;
  bits?: number;
  curve?: string;
  /** Go's PublicKeyAlgorithm; null = UnknownPublicKeyAlgorithm. */
  goAlgorithm: "RSA" | "DSA" | "ECDSA" | "Ed25519" | null;
}

const CURVES: Record<string, { curve: string; bits: number }> = {
  "1.2.840.10045.3.1.7": { curve: "P-256", bits: 256 },
  "1.3.132.0.34": { curve: "P-384", bits: 384 },
  "1.3.132.0.35": { curve: "P-521", bits: 521 },
  "1.3.132.0.33": { curve: "P-224", bits: 224 },
};

function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

/** Describes a SubjectPublicKeyInfo without building a key object. */
export function describePublicKey(buf: Uint8Array, spki: Tlv): PublicKeyInfo {
  const [algId, keyBits] = children(buf, spki);
  const [oidTlv, params] = children(buf, algId!);
  const oid = readOid(buf, oidTlv!);
  switch (oid) {
    case "1.2.840.113549.1.1.1": {
      const rsaKey = readTlv(buf, keyBits!.body + 1, keyBits!.end);
      const modulus = children(buf, rsaKey)[0];
      return { algorithm: "RSA", bits: modulus ? bitLength(contents(buf, modulus)) : 0, goAlgorithm: "RSA" };
    }
    case "1.2.840.10045.2.1": {
      const named = params?.tag === TAG.oid ? CURVES[readOid(buf, params)] : undefined;
      return named
        ? { algorithm: "ECDSA", curve: named.curve, bits: named.bits, goAlgorithm: "ECDSA" }
        : { algorithm: "ECDSA", goAlgorithm: null };
    }
    case "1.3.101.112":
      return { algorithm: "Ed25519", goAlgorithm: "Ed25519" };
    case "1.2.840.10040.4.1":
      return { algorithm: "DSA", goAlgorithm: "DSA" };
    default:
      return { algorithm: oid, goAlgorithm: null };
  }
}
