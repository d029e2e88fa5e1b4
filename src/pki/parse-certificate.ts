import { hash, type KeyObject } from "node:crypto";
import { InputError } from "../core/errors.ts";
import type { Certificate } from "./certificate.ts";
import {
  bitStringBytes,
  children,
  contents,
  DerError,
  expect,
  readSmallInt,
  readTime,
  TAG,
  type Tlv,
  toHex,
  view,
  whole,
  wholeHex,
} from "./der.ts";
import { emptyExtensions, type ParsedExtensions, parseExtensions } from "./extensions.ts";
import { parseName } from "./name.ts";
import {
  describePublicKey,
  type PublicKeyInfo,
  parseSignatureAlgorithm,
  type SignatureAlgorithmInfo,
} from "./signature-algorithm.ts";
import { checkSignature, loadSpki, type SignerKey } from "./signature-verify.ts";

/**
 * Parses DER into the Certificate model. Work per certificate stays small because
 * whole system bundles are parsed on every run: no key objects, no signature checks
 * and no name decoding up front (those are computed on first read and cached).
 * `deferred` (OS bundles) also leaves validity, extensions, key and algorithm for
 * first read; callers that show or report certificates check them with
 * decodeFailure (pki/decode-failure.ts).
 */

/** What the verifier needs beyond the model; derived from `der` and cached per object. */
export interface CertificateInternals {
  tbs: Uint8Array;
  signature: Uint8Array;
  signatureAlgorithm: SignatureAlgorithmInfo;
  publicKey: PublicKeyInfo;
  spki: Uint8Array;
  signer: SignerKey;
  organization: () => string[];
  /** The DER INTEGER had its sign bit set (a negative serial). */
  serialNegative: boolean;
  extensions: ParsedExtensions;
  hasSanExtension: boolean;
}

const internalsCache = new WeakMap<Certificate, CertificateInternals>();

export function parseCertificate(der: Uint8Array, opts: { deferred?: boolean } = {}): Certificate {
  try {
    return decode(der, opts.deferred === true);
  } catch (error) {
    if (error instanceof DerError) {
      throw new InputError(`not a valid X.509 certificate: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** Built on first use: most certificates of a system bundle are never verified. */
export function internalsOf(cert: Certificate): CertificateInternals {
  let internals = internalsCache.get(cert);
  if (!internals) {
    internals = buildInternals(cert.der);
    internalsCache.set(cert, internals);
  }
  return internals;
}

function buildInternals(der: Uint8Array): CertificateInternals {
  const p = readParts(der);
  const extensions = p.tbs.extensions ? parseExtensions(der, p.tbs.extensions) : emptyExtensions();
  const publicKey = describePublicKey(der, p.tbs.spki);
  const spki = whole(der, p.tbs.spki);
  const serialBytes = contents(der, p.tbs.serial);
  return {
    tbs: whole(der, p.tbsTlv),
    signature: bitStringBytes(der, p.sigTlv),
    signatureAlgorithm: parseSignatureAlgorithm(der, p.sigAlgTlv),
    publicKey,
    spki,
    signer: { goAlgorithm: publicKey.goAlgorithm, keyObject: memoKey(spki) },
    organization: () => parseName(der, p.tbs.subject).organization,
    serialNegative: (serialBytes[0] ?? 0) >= 0x80,
    extensions,
    hasSanExtension: extensions.sanExtension !== null,
  };
}

/** Serial as minimal lower-case hex (a DER sign-padding 00 dropped). */
function serialHex(bytes: Uint8Array): string {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return toHex(view(bytes, start, bytes.length)) || "00";
}

/** Go's big.Int String() of the serial; only needed for UnknownAuthorityError hints. */
export function serialDecimal(cert: Certificate): string {
  let value = BigInt(`0x${cert.serial}`);
  // A negative serial keeps its two's-complement bytes in `serial`.
  if (internalsOf(cert).serialNegative) value -= 1n << BigInt(4 * cert.serial.length);
  return value.toString();
}

function memoKey(spki: Uint8Array): () => KeyObject | null {
  let loaded: KeyObject | null | undefined;
  return () => {
    if (loaded === undefined) loaded = loadSpki(spki);
    return loaded;
  };
}

interface TbsFields {
  version: number;
  serial: Tlv;
  issuer: Tlv;
  validity: Tlv;
  subject: Tlv;
  spki: Tlv;
  extensions: Tlv | null;
}

/** RFC 5280 §4.1: TBSCertificate field positions. */
function readTbs(buf: Uint8Array, tbs: Tlv): TbsFields {
  const fields = children(buf, tbs);
  let i = 0;
  let version = 1;
  if (fields[0]?.tag === 0xa0) {
    version = readSmallInt(buf, expect(buf, fields[0].body, TAG.integer, fields[0].end)) + 1;
    i = 1;
  }
  const [serial, , issuer, validity, subject, spki] = fields.slice(i, i + 6);
  if (!serial || !issuer || !validity || !subject || !spki) throw new DerError("truncated TBSCertificate");
  if (serial.tag !== TAG.integer || spki.tag !== TAG.sequence) throw new DerError("bad TBSCertificate");
  const extensions = fields.slice(i + 6).find((f) => f.tag === 0xa3) ?? null;
  return { version, serial, issuer, validity, subject, spki, extensions };
}

interface Parts {
  tbsTlv: Tlv;
  sigAlgTlv: Tlv;
  sigTlv: Tlv;
  tbs: TbsFields;
  validity: [Tlv, Tlv];
}

function readParts(buf: Uint8Array): Parts {
  const root = expect(buf, 0, TAG.sequence);
  // Go's ParseCertificate: "x509: trailing data".
  if (root.end !== buf.length) throw new DerError("trailing data after certificate");
  const [tbsTlv, sigAlgTlv, sigTlv] = children(buf, root);
  if (!tbsTlv || !sigAlgTlv || !sigTlv) throw new DerError("truncated certificate");
  const tbs = readTbs(buf, expect(buf, tbsTlv.start, TAG.sequence));
  const [notBefore, notAfter] = children(buf, tbs.validity);
  if (!notBefore || !notAfter) throw new DerError("bad validity");
  return { tbsTlv, sigAlgTlv, sigTlv, tbs, validity: [notBefore, notAfter] };
}

function decode(der: Uint8Array, deferred: boolean): Certificate {
  const p = readParts(der);
  const subjectName = lazy(() => parseName(der, p.tbs.subject));
  const issuerName = lazy(() => parseName(der, p.tbs.issuer));
  const details = lazy(() => readDetails(der, p));
  // A deferred certificate (an OS bundle root) keeps only what a pool indexes
  // by: the raw names and the fingerprint. The rest is decoded when it is first
  // read, which for a bundle of ~150 roots is the handful a chain reaches.
  if (!deferred) details();
  let selfSigned: boolean | undefined;
  // Display names, details and `selfSigned` are getters: own and enumerable,
  // so spread and JSON keep them.
  const cert: Certificate = {
    der,
    version: p.tbs.version,
    get subject() {
      return subjectName().display;
    },
    get issuer() {
      return issuerName().display;
    },
    subjectKey: wholeHex(der, p.tbs.subject),
    issuerKey: wholeHex(der, p.tbs.issuer),
    get commonName() {
      return subjectName().commonName;
    },
    get serial() {
      return details().serial;
    },
    get notBefore() {
      return details().notBefore;
    },
    get notAfter() {
      return details().notAfter;
    },
    get sans() {
      return details().ext.sans;
    },
    get basicConstraintsValid() {
      return details().ext.basicConstraintsValid;
    },
    get isCA() {
      return details().ext.isCA;
    },
    get maxPathLen() {
      return details().ext.maxPathLen;
    },
    get keyUsage() {
      return details().ext.keyUsage;
    },
    get extKeyUsage() {
      return details().ext.extKeyUsage;
    },
    get subjectKeyId() {
      return details().ext.subjectKeyId;
    },
    get authorityKeyId() {
      return details().ext.authorityKeyId;
    },
    get aiaIssuers() {
      return details().ext.aiaIssuers;
    },
    get ocspServers() {
      return details().ext.ocspServers;
    },
    get signatureAlgorithm() {
      return details().signatureAlgorithm;
    },
    get publicKey() {
      return details().publicKey;
    },
    get selfSigned() {
      selfSigned ??= isSelfSigned(cert);
      return selfSigned;
    },
    sha256: fingerprint(der),
    get hasNameConstraints() {
      return details().ext.nameConstraints !== null;
    },
  };
  return cert;
}

interface Details {
  ext: ParsedExtensions;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  signatureAlgorithm: { oid: string; name: string };
  publicKey: Certificate["publicKey"];
}

function readDetails(der: Uint8Array, p: Parts): Details {
  const sigAlg = parseSignatureAlgorithm(der, p.sigAlgTlv);
  const { goAlgorithm: _, ...publicKey } = describePublicKey(der, p.tbs.spki);
  return {
    ext: p.tbs.extensions ? parseExtensions(der, p.tbs.extensions) : emptyExtensions(),
    serial: serialHex(contents(der, p.tbs.serial)),
    notBefore: readTime(der, p.validity[0]),
    notAfter: readTime(der, p.validity[1]),
    signatureAlgorithm: { oid: sigAlg.oid, name: sigAlg.name },
    publicKey,
  };
}

/** One-shot crypto.hash (Node ≥ 20.12): no Hash stream object per certificate. */
function fingerprint(der: Uint8Array): string {
  const hex = hash("sha256", der, "hex").toUpperCase();
  let out = hex.slice(0, 2);
  for (let i = 2; i < hex.length; i += 2) out += `:${hex.slice(i, i + 2)}`;
  return out;
}

function lazy<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}

function isSelfSigned(cert: Certificate): boolean {
  if (cert.subjectKey !== cert.issuerKey) return false;
  const { signatureAlgorithm, tbs, signature, signer } = internalsOf(cert);
  return checkSignature(signatureAlgorithm, tbs, signature, signer, "crypto") === null;
}
