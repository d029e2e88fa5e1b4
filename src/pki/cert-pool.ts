import type { Certificate } from "./certificate.ts";
import { parseFailure } from "./decode-failure.ts";
import { goParseError } from "./go-parse.ts";
import type { GoRules } from "./go-rules.ts";

/**
 * A certificate pool with Go's CertPool semantics (crypto/x509/cert_pool.go):
 * duplicates (same DER) are dropped, lookups go by the raw issuer name, and
 * candidates come back in findPotentialParents order.
 */
export class CertPool {
  private readonly list: Certificate[] = [];
  private readonly bySum = new Map<string, Certificate>();
  private readonly bySubject = new Map<string, Certificate[]>();
  private readonly decoded = new WeakMap<Certificate, boolean>();

  /**
   * `rules`: the Go release whose ParseCertificate decides which certificates
   * a CA file really contributes (AppendCertsFromPEM skips what it refuses,
   * e.g. a repeated extension); without rules only undecodable ones are skipped.
   */
  constructor(private readonly rules: GoRules | null = null) {}

  static of(certs: Iterable<Certificate>, rules: GoRules | null = null): CertPool {
    const pool = new CertPool(rules);
    for (const cert of certs) pool.add(cert);
    return pool;
  }

  /** Adds a certificate; false when the same DER is already present. */
  add(cert: Certificate): boolean {
    if (this.bySum.has(cert.sha256)) return false;
    this.bySum.set(cert.sha256, cert);
    this.list.push(cert);
    const same = this.bySubject.get(cert.subjectKey);
    if (same) same.push(cert);
    else this.bySubject.set(cert.subjectKey, [cert]);
    return true;
  }

  addAll(certs: Iterable<Certificate>): void {
    for (const cert of certs) this.add(cert);
  }

  /** cert_pool.go contains: by DER, not by name. */
  contains(cert: Certificate): boolean {
    return this.bySum.has(cert.sha256);
  }

  get size(): number {
    return this.list.length;
  }

  /** Certificates in insertion order, deferred ones included as they are (not decoded here). */
  all(): readonly Certificate[] {
    return this.list;
  }

  /** Certificates whose subject is `subjectKey` (hex of the raw Name). */
  bySubjectKey(subjectKey: string): readonly Certificate[] {
    return (this.bySubject.get(subjectKey) ?? []).filter((cert) => this.decodes(cert));
  }

  /**
   * cert_pool.go findPotentialParents: every certificate whose subject equals the
   * child's issuer, ordered AKID==SKID first (both absent counts as a match, as
   * bytes.Equal(nil, nil) does), then exactly one of the two present, then mismatches.
   */
  findPotentialParents(child: Certificate): Certificate[] {
    const named = this.bySubject.get(child.issuerKey);
    if (!named) return [];
    const usable = named.filter((candidate) => this.decodes(candidate));
    const matching: Certificate[] = [];
    const oneMissing: Certificate[] = [];
    const mismatching: Certificate[] = [];
    const akid = child.authorityKeyId ?? "";
    for (const candidate of usable) {
      const skid = candidate.subjectKeyId ?? "";
      if (skid === akid) matching.push(candidate);
      else if (skid === "" || akid === "") oneMissing.push(candidate);
      else mismatching.push(candidate);
    }
    return [...matching, ...oneMissing, ...mismatching];
  }

  /** A deferred certificate that turns out not to decode is skipped, as Go skips it at load time. */
  private decodes(cert: Certificate): boolean {
    let ok = this.decoded.get(cert);
    if (ok === undefined) {
      ok =
        parseFailure(cert) === null && (this.rules === null || goParseError(cert.der, this.rules) === null);
      this.decoded.set(cert, ok);
    }
    return ok;
  }
}
