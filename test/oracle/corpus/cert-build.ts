import { constants as C, createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import {
  bitString,
  bool,
  type Der,
  explicit,
  ia5,
  implicit,
  integer,
  nullDer,
  octets,
  oid,
  printable,
  seq,
  set,
  time,
  tlv,
  utf8,
} from "./der-write.ts";

/** Certificates for the oracle corpus, assembled field by field (RFC 5280 §4.1). */

export type KeyKind = "rsa2048" | "rsa1024" | "rsa512" | "p256" | "p384" | "ed25519";

export interface KeyPair {
  kind: KeyKind;
  privateKey: KeyObject;
  spki: Der;
}

export function generateKey(kind: KeyKind): KeyPair {
  const pair =
    kind === "ed25519"
      ? generateKeyPairSync("ed25519")
      : kind === "p256" || kind === "p384"
        ? generateKeyPairSync("ec", { namedCurve: kind === "p256" ? "P-256" : "P-384" })
        : generateKeyPairSync("rsa", { modulusLength: Number(kind.slice(3)) });
  return {
    kind,
    privateKey: pair.privateKey,
    spki: new Uint8Array(pair.publicKey.export({ format: "der", type: "spki" })),
  };
}

export type SigAlg =
  | "sha256-rsa"
  | "sha384-rsa"
  | "sha1-rsa"
  | "md5-rsa"
  | "pss-sha256"
  | "sha256-ecdsa"
  | "sha384-ecdsa"
  | "sha1-ecdsa"
  | "ed25519";

const SIG: Record<SigAlg, { oid: string; hash: string | null; params: "null" | "none" | "pss" }> = {
  "sha256-rsa": { oid: "1.2.840.113549.1.1.11", hash: "sha256", params: "null" },
  "sha384-rsa": { oid: "1.2.840.113549.1.1.12", hash: "sha384", params: "null" },
  "sha1-rsa": { oid: "1.2.840.113549.1.1.5", hash: "sha1", params: "null" },
  "md5-rsa": { oid: "1.2.840.113549.1.1.4", hash: "md5", params: "null" },
  "pss-sha256": { oid: "1.2.840.113549.1.1.10", hash: "sha256", params: "pss" },
  "sha256-ecdsa": { oid: "1.2.840.10045.4.3.2", hash: "sha256", params: "none" },
  "sha384-ecdsa": { oid: "1.2.840.10045.4.3.3", hash: "sha384", params: "none" },
  "sha1-ecdsa": { oid: "1.2.840.10045.4.1", hash: "sha1", params: "none" },
  ed25519: { oid: "1.3.101.112", hash: null, params: "none" },
};

/** The algorithm a key signs with by default. */
export function defaultSigAlg(key: KeyPair): SigAlg {
  if (key.kind === "ed25519") return "ed25519";
  if (key.kind === "p256") return "sha256-ecdsa";
  if (key.kind === "p384") return "sha384-ecdsa";
  return "sha256-rsa";
}

function algorithmIdentifier(alg: SigAlg): Der {
  const s = SIG[alg];
  if (s.params === "null") return seq(oid(s.oid), nullDer());
  if (s.params === "none") return seq(oid(s.oid));
  // RFC 4055 RSASSA-PSS-params for SHA-256, MGF1(SHA-256), salt 32.
  const sha256 = seq(oid("2.16.840.1.101.3.4.2.1"), nullDer());
  return seq(
    oid(s.oid),
    seq(
      explicit(0, sha256),
      explicit(1, seq(oid("1.2.840.113549.1.1.8"), sha256)),
      explicit(2, integer(32n)),
    ),
  );
}

function signWith(alg: SigAlg, tbs: Der, key: KeyPair): Der {
  const s = SIG[alg];
  if (s.params === "pss") {
    return sign("sha256", tbs, {
      key: key.privateKey,
      padding: C.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
  }
  return sign(s.hash, tbs, key.privateKey);
}

export interface NameSpec {
  cn?: string;
  o?: string;
  /** Encode attribute values as PrintableString instead of UTF8String. */
  printable?: boolean;
}

export function name(spec: NameSpec): Der {
  const str = spec.printable ? printable : utf8;
  const rdns: Der[] = [];
  if (spec.o !== undefined) rdns.push(set(seq(oid("2.5.4.10"), str(spec.o))));
  if (spec.cn !== undefined) rdns.push(set(seq(oid("2.5.4.3"), str(spec.cn))));
  return seq(...rdns);
}

export interface Extension {
  oid: string;
  critical?: boolean;
  value: Der;
}

export const ext = {
  basicConstraints(ca: boolean, pathLen?: number, critical = true): Extension {
    const parts: Der[] = [];
    if (ca) parts.push(bool(true));
    if (pathLen !== undefined) parts.push(integer(BigInt(pathLen)));
    return { oid: "2.5.29.19", critical, value: seq(...parts) };
  },
  /** Bits in RFC 5280 order: 0 digitalSignature … 5 keyCertSign, 6 cRLSign. */
  keyUsage(bits: number[]): Extension {
    let value = 0;
    for (const b of bits) value |= 0x8000 >> b;
    const bytes = [value >> 8, value & 0xff];
    const used = bits.some((b) => b >= 8) ? 2 : 1;
    const last = bytes[used - 1]!;
    let unused = 0;
    while (unused < 7 && (last & (1 << unused)) === 0) unused++;
    if (last === 0) unused = 0;
    return { oid: "2.5.29.15", critical: true, value: bitString(Buffer.from(bytes.slice(0, used)), unused) };
  },
  extKeyUsage(oids: string[]): Extension {
    return { oid: "2.5.29.37", value: seq(...oids.map(oid)) };
  },
  san(names: { dns?: string[]; ip?: Der[]; email?: string[]; uri?: string[] }, critical = false): Extension {
    const parts: Der[] = [
      ...(names.email ?? []).map((e) => implicit(1, Buffer.from(e, "latin1"))),
      ...(names.dns ?? []).map((d) => implicit(2, Buffer.from(d, "latin1"))),
      ...(names.uri ?? []).map((u) => implicit(6, Buffer.from(u, "latin1"))),
      ...(names.ip ?? []).map((ip) => implicit(7, ip)),
    ];
    return { oid: "2.5.29.17", critical, value: seq(...parts) };
  },
  subjectKeyId(id: Der): Extension {
    return { oid: "2.5.29.14", value: octets(id) };
  },
  authorityKeyId(id: Der): Extension {
    return { oid: "2.5.29.35", value: seq(implicit(0, id)) };
  },
  nameConstraints(nc: {
    permittedDNS?: string[];
    excludedDNS?: string[];
    permittedIP?: Der[];
    excludedIP?: Der[];
  }): Extension {
    const subtrees = (dns: string[] = [], ips: Der[] = []): Der[] => [
      ...dns.map((d) => seq(implicit(2, Buffer.from(d, "latin1")))),
      ...ips.map((ip) => seq(implicit(7, ip))),
    ];
    const permitted = subtrees(nc.permittedDNS, nc.permittedIP);
    const excluded = subtrees(nc.excludedDNS, nc.excludedIP);
    const parts: Der[] = [];
    if (permitted.length > 0) parts.push(tlv(0xa0, ...permitted));
    if (excluded.length > 0) parts.push(tlv(0xa1, ...excluded));
    return { oid: "2.5.29.30", critical: true, value: seq(...parts) };
  },
  aia(caIssuers: string): Extension {
    return {
      oid: "1.3.6.1.5.5.7.1.1",
      value: seq(seq(oid("1.3.6.1.5.5.7.48.2"), implicit(6, Buffer.from(caIssuers, "latin1")))),
    };
  },
  policies(oids: string[], critical = false): Extension {
    return { oid: "2.5.29.32", critical, value: seq(...oids.map((o) => seq(oid(o)))) };
  },
  raw(extOid: string, value: Der, critical = false): Extension {
    return { oid: extOid, critical, value };
  },
};

export const EKU = {
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  codeSigning: "1.3.6.1.5.5.7.3.3",
  any: "2.5.29.37.0",
} as const;

export function ipBytes(text: string): Der {
  if (text.includes(":")) {
    const [head, tail] = text.split("::") as [string, string | undefined];
    const h = head ? head.split(":") : [];
    const t = tail ? tail.split(":") : [];
    const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
    return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
  }
  return Buffer.from(text.split(".").map(Number));
}

export function keyId(key: KeyPair): Der {
  return createHash("sha1").update(key.spki).digest();
}

export interface CertSpec {
  serial: bigint;
  subject: NameSpec | Der;
  issuer: NameSpec | Der;
  notBefore: Date;
  notAfter: Date;
  key: KeyPair;
  signer: KeyPair;
  sigAlg?: SigAlg;
  /** The signature AlgorithmIdentifier inside the TBSCertificate, when it should differ. */
  innerSigAlg?: SigAlg;
  version?: 1 | 3;
  extensions?: Extension[];
}

function nameDer(n: NameSpec | Der): Der {
  return n instanceof Uint8Array ? n : name(n);
}

function extensionDer(e: Extension): Der {
  const parts = [oid(e.oid)];
  if (e.critical) parts.push(bool(true));
  parts.push(octets(e.value));
  return seq(...parts);
}

export function buildCertificate(spec: CertSpec): Der {
  const alg = spec.sigAlg ?? defaultSigAlg(spec.signer);
  const fields: Der[] = [];
  if ((spec.version ?? 3) === 3) fields.push(explicit(0, integer(2n)));
  fields.push(
    integer(spec.serial),
    algorithmIdentifier(spec.innerSigAlg ?? alg),
    nameDer(spec.issuer),
    seq(time(spec.notBefore), time(spec.notAfter)),
    nameDer(spec.subject),
    spec.key.spki,
  );
  const exts = spec.extensions ?? [];
  if ((spec.version ?? 3) === 3 && exts.length > 0) fields.push(explicit(3, seq(...exts.map(extensionDer))));
  const tbs = seq(...fields);
  return seq(tbs, algorithmIdentifier(alg), bitString(signWith(alg, tbs, spec.signer)));
}

export { ia5 };
