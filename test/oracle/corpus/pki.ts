import {
  buildCertificate,
  type Extension,
  ext,
  generateKey,
  ipBytes,
  type KeyKind,
  type KeyPair,
  keyId,
  type NameSpec,
  type SigAlg,
} from "./cert-build.ts";
import type { Der } from "./der-write.ts";

/** A seeded PRNG (mulberry32): the corpus is the same on every run for one seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const NOW = new Date("2026-03-01T10:00:00Z");
export const VALID = {
  notBefore: new Date("2025-01-01T00:00:00Z"),
  notAfter: new Date("2035-01-01T00:00:00Z"),
};

export interface Issued {
  der: Der;
  key: KeyPair;
  subject: NameSpec;
}

export interface IssueOpts {
  subject: NameSpec;
  /** Absent: self-signed. */
  issuer?: Issued;
  key?: KeyPair | KeyKind;
  ca?: boolean;
  pathLen?: number;
  noBasicConstraints?: boolean;
  /** null omits keyUsage. */
  keyUsage?: number[] | null;
  eku?: string[];
  dns?: string[];
  ip?: (string | Der)[];
  notBefore?: Date;
  notAfter?: Date;
  sigAlg?: SigAlg;
  innerSigAlg?: SigAlg;
  version?: 1 | 3;
  noKeyIds?: boolean;
  serial?: bigint;
  extra?: Extension[];
  /** Replaces every extension the defaults would add. */
  extensions?: Extension[];
}

/** Issues corpus certificates with keys from a small per-kind cache (RSA generation is slow). */
export class CorpusPki {
  private readonly keys = new Map<string, KeyPair>();
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = rng(seed);
  }

  key(kind: KeyKind, index = 0): KeyPair {
    const id = `${kind}#${index}`;
    let key = this.keys.get(id);
    if (!key) {
      key = generateKey(kind);
      this.keys.set(id, key);
    }
    return key;
  }

  /** A positive 63-bit serial from the seeded PRNG. */
  serial(): bigint {
    return (BigInt(Math.floor(this.random() * 2 ** 31)) << 32n) | BigInt(Math.floor(this.random() * 2 ** 32));
  }

  private freshKeyIndex = 100;

  /** A key of this kind not used by any other certificate (kept in the cache under a new index). */
  freshKey(kind: KeyKind): KeyPair {
    return this.key(kind, this.freshKeyIndex++);
  }

  issue(opts: IssueOpts): Issued {
    const key =
      opts.key === undefined
        ? this.freshKey("p256")
        : typeof opts.key === "string"
          ? this.key(opts.key)
          : opts.key;
    const signer = opts.issuer?.key ?? key;
    const der = buildCertificate({
      serial: opts.serial ?? this.serial(),
      subject: opts.subject,
      issuer: opts.issuer?.subject ?? opts.subject,
      notBefore: opts.notBefore ?? VALID.notBefore,
      notAfter: opts.notAfter ?? VALID.notAfter,
      key,
      signer,
      sigAlg: opts.sigAlg,
      innerSigAlg: opts.innerSigAlg,
      version: opts.version,
      extensions: opts.extensions ?? defaultExtensions(opts, key, signer),
    });
    return { der, key, subject: opts.subject };
  }
}

function defaultExtensions(opts: IssueOpts, key: KeyPair, signer: KeyPair): Extension[] {
  const exts: Extension[] = [];
  if (!opts.noBasicConstraints) exts.push(ext.basicConstraints(opts.ca ?? false, opts.pathLen));
  const usage = opts.keyUsage === undefined ? (opts.ca ? [0, 5, 6] : [0, 2]) : opts.keyUsage;
  if (usage) exts.push(ext.keyUsage(usage));
  if (opts.eku) exts.push(ext.extKeyUsage(opts.eku));
  const ips = (opts.ip ?? []).map((ip) => (typeof ip === "string" ? ipBytes(ip) : ip));
  if ((opts.dns?.length ?? 0) + ips.length > 0) exts.push(ext.san({ dns: opts.dns, ip: ips }));
  if (!opts.noKeyIds) {
    exts.push(ext.subjectKeyId(keyId(key)));
    if (opts.issuer) exts.push(ext.authorityKeyId(keyId(signer)));
  }
  exts.push(...(opts.extra ?? []));
  return exts;
}
