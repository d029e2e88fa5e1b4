import "./reflect-metadata-shim.ts";
import { KeyObject, sign, webcrypto } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import * as asn1X509 from "@peculiar/asn1-x509";
import * as x509 from "@peculiar/x509";
import { parseCertificate } from "./parse-certificate.ts";

/**
 * In-process test PKI: used by the tests and by `regtrust demo` at runtime.
 * ECDSA P-256 by default because key generation is instant; RSA-2048 on request
 * (and forced for SHA-1, which is what real legacy registries carry).
 */

// @peculiar/x509 needs a WebCrypto provider; Node 20 has one built in.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

export interface IssuedCert {
  certPem: string;
  /** PKCS#8 PEM. */
  keyPem: string;
  der: Uint8Array;
  keys: CryptoKeyPair;
  /** Display subject, e.g. "CN=repo.example.com, O=Example". */
  subject: string;
}

export interface IssueOptions {
  commonName: string;
  organization?: string;
  /** undefined → self-signed. */
  issuer?: IssuedCert;
  isCA?: boolean;
  pathLen?: number;
  omitBasicConstraints?: boolean;
  /** SANs; none given and !isCA → a CN-only certificate. */
  dnsNames?: string[];
  ipAddresses?: string[];
  /** Default: now-1h .. now+365d. */
  notBefore?: Date;
  notAfter?: Date;
  extKeyUsage?: ("serverAuth" | "clientAuth")[];
  /** KeyUsageFlags names (digitalSignature, keyCertSign, …); [] omits the extension. */
  keyUsage?: string[];
  aiaIssuerUrl?: string;
  /** SHA-1 forces an RSA key for the new certificate. */
  signatureHash?: "SHA-256" | "SHA-1";
  keyAlgorithm?: "ecdsa" | "rsa";
  /** Hex serial number; random when absent. */
  serial?: string;
  /** A critical nameConstraints extension (RFC 5280 §4.2.1.10) with dNSName subtrees. */
  nameConstraints?: { permittedDNS?: string[]; excludedDNS?: string[] };
  /** Re-encode as an X.509 v1 certificate without extensions, as ancient internal CAs are. */
  version1?: boolean;
  /** Reuse a key pair (cross-signing, re-issuing a CA); a new one is generated otherwise. */
  keys?: CryptoKeyPair;
  /** Extra extensions, value as DER (e.g. a huge private one to make an oversized certificate). */
  extraExtensions?: { oid: string; critical?: boolean; value: Uint8Array }[];
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const EC_KEY: webcrypto.EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };

function rsaKey(hash: string): webcrypto.RsaHashedKeyGenParams {
  return {
    name: "RSASSA-PKCS1-v1_5",
    hash,
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
  };
}

async function generateKeys(opts: IssueOptions): Promise<CryptoKeyPair> {
  const hash = opts.signatureHash ?? "SHA-256";
  const useRsa = opts.keyAlgorithm === "rsa" || hash === "SHA-1";
  const algorithm = useRsa ? rsaKey(hash) : EC_KEY;
  return (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as CryptoKeyPair;
}

/**
 * WebCrypto binds the hash to an RSA key, so signing with another hash
 * (a SHA-1 leaf under a SHA-256 CA) needs the issuer key re-imported.
 */
async function signingKeyFor(signer: CryptoKeyPair, hash: string): Promise<CryptoKey> {
  const key = signer.privateKey;
  const bound = (key.algorithm as webcrypto.RsaHashedKeyAlgorithm).hash?.name;
  if (key.algorithm.name !== "RSASSA-PKCS1-v1_5" || bound === hash) return key;
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", key);
  return (await webcrypto.subtle.importKey("pkcs8", pkcs8, { name: key.algorithm.name, hash }, false, [
    "sign",
  ])) as CryptoKey;
}

/** DER order is most general first (O, then CN), so displays read "CN=…, O=…". */
function subjectName(opts: IssueOptions): x509.JsonName {
  const name: x509.JsonName = [];
  if (opts.organization) name.push({ O: [opts.organization] });
  name.push({ CN: [opts.commonName] });
  return name;
}

function defaultKeyUsage(opts: IssueOptions): number {
  if (opts.isCA) {
    return x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature;
  }
  return x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment;
}

function keyUsageFlags(names: string[]): number {
  let flags = 0;
  for (const n of names) {
    const flag = (x509.KeyUsageFlags as unknown as Record<string, number | undefined>)[n];
    if (flag === undefined) throw new Error(`unknown key usage ${n}`);
    flags |= flag;
  }
  return flags;
}

async function buildExtensions(opts: IssueOptions, keys: CryptoKeyPair): Promise<x509.Extension[]> {
  const exts: x509.Extension[] = [];
  if (!opts.omitBasicConstraints) {
    exts.push(
      new x509.BasicConstraintsExtension(opts.isCA ?? false, opts.isCA ? opts.pathLen : undefined, true),
    );
  }
  if (opts.keyUsage === undefined) exts.push(new x509.KeyUsagesExtension(defaultKeyUsage(opts), true));
  else if (opts.keyUsage.length > 0)
    exts.push(new x509.KeyUsagesExtension(keyUsageFlags(opts.keyUsage), true));
  if (opts.extKeyUsage && opts.extKeyUsage.length > 0) {
    exts.push(new x509.ExtendedKeyUsageExtension(opts.extKeyUsage.map((u) => x509.ExtendedKeyUsage[u])));
  }
  const sans: x509.JsonGeneralName[] = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(opts.ipAddresses ?? []).map((value) => ({ type: "ip" as const, value })),
  ];
  if (sans.length > 0) exts.push(new x509.SubjectAlternativeNameExtension(sans));
  exts.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
  if (opts.issuer) exts.push(await x509.AuthorityKeyIdentifierExtension.create(opts.issuer.keys.publicKey));
  if (opts.nameConstraints) exts.push(nameConstraintsExtension(opts.nameConstraints));
  if (opts.aiaIssuerUrl) {
    exts.push(
      new x509.AuthorityInfoAccessExtension({ caIssuers: new x509.GeneralName("url", opts.aiaIssuerUrl) }),
    );
  }
  for (const e of opts.extraExtensions ?? []) {
    exts.push(new x509.Extension(e.oid, e.critical ?? false, e.value.slice().buffer));
  }
  return exts;
}

function nameConstraintsExtension(nc: NonNullable<IssueOptions["nameConstraints"]>): x509.Extension {
  const subtrees = (names: string[] | undefined) =>
    names && names.length > 0
      ? new asn1X509.GeneralSubtrees(
          names.map(
            (dNSName) => new asn1X509.GeneralSubtree({ base: new asn1X509.GeneralName({ dNSName }) }),
          ),
        )
      : undefined;
  const value = new asn1X509.NameConstraints({
    permittedSubtrees: subtrees(nc.permittedDNS),
    excludedSubtrees: subtrees(nc.excludedDNS),
  });
  return new x509.Extension(asn1X509.id_ce_nameConstraints, true, AsnConvert.serialize(value));
}

/** Rewrites a certificate as v1 (no extensions) and signs it again with node:crypto. */
function asVersion1(der: ArrayBuffer, signingKey: CryptoKey, hash: string): Uint8Array {
  const cert = AsnConvert.parse(der, asn1X509.Certificate);
  cert.tbsCertificate.version = asn1X509.Version.v1;
  cert.tbsCertificate.extensions = undefined;
  const tbs = Buffer.from(AsnConvert.serialize(cert.tbsCertificate));
  const digest = hash.replace("-", "").toLowerCase();
  const signature = sign(digest, tbs, KeyObject.from(signingKey));
  cert.signatureValue = signature.buffer.slice(
    signature.byteOffset,
    signature.byteOffset + signature.byteLength,
  );
  return new Uint8Array(AsnConvert.serialize(cert));
}

function toPkcs8Pem(pkcs8: ArrayBuffer): string {
  return x509.PemConverter.encode(pkcs8, "PRIVATE KEY");
}

/** Issues one certificate; self-signed unless `issuer` is given. */
export async function issueCertificate(opts: IssueOptions): Promise<IssuedCert> {
  const keys = opts.keys ?? (await generateKeys(opts));
  const now = Date.now();
  const hash = opts.signatureHash ?? "SHA-256";
  const signer = opts.issuer?.keys ?? keys;
  const issuerName = opts.issuer ? new x509.X509Certificate(opts.issuer.der).subjectName : null;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: opts.serial,
    subject: subjectName(opts),
    issuer: issuerName ?? subjectName(opts),
    notBefore: opts.notBefore ?? new Date(now - HOUR_MS),
    notAfter: opts.notAfter ?? new Date(now + 365 * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: await signingKeyFor(signer, hash),
    signingAlgorithm: { name: signer.privateKey.algorithm.name, hash },
    extensions: await buildExtensions(opts, keys),
  });
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  const der = opts.version1
    ? asVersion1(cert.rawData, signer.privateKey, hash)
    : new Uint8Array(cert.rawData);
  return {
    // Trailing newline: concatenated PEM files need each BEGIN line to start a line.
    certPem: `${x509.PemConverter.encode(der.slice().buffer, "CERTIFICATE")}\n`,
    keyPem: `${toPkcs8Pem(pkcs8)}\n`,
    der,
    keys,
    subject: parseCertificate(der).subject,
  };
}

/**
 * A private PKI as most corporate registries have one: root → intermediate
 * (pathLen 0) → leaf for hostnames; the leaf carries AKI/SKI, serverAuth and
 * SANs (dns + ip). The demo serves it; tests build every scenario from it.
 */
export async function createPrivatePki(opts: {
  hostnames: string[];
  ipAddresses?: string[];
  rootName?: string;
  notAfter?: Date;
}): Promise<{ root: IssuedCert; intermediate: IssuedCert; leaf: IssuedCert }> {
  const rootName = opts.rootName ?? "regtrust Test Root CA";
  const root = await issueCertificate({
    commonName: rootName,
    organization: "regtrust test",
    isCA: true,
    notAfter: new Date(Date.now() + 10 * 365 * DAY_MS),
  });
  const intermediate = await issueCertificate({
    commonName: `${rootName} Intermediate`,
    organization: "regtrust test",
    issuer: root,
    isCA: true,
    pathLen: 0,
    notAfter: new Date(Date.now() + 5 * 365 * DAY_MS),
  });
  const leaf = await issueCertificate({
    commonName: opts.hostnames[0] ?? opts.ipAddresses?.[0] ?? "localhost",
    issuer: intermediate,
    dnsNames: opts.hostnames,
    ipAddresses: opts.ipAddresses ?? [],
    extKeyUsage: ["serverAuth"],
    notAfter: opts.notAfter,
  });
  return { root, intermediate, leaf };
}
