import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CertPool } from "../cert-pool.ts";
import type { Certificate } from "../certificate.ts";
import { type IssuedCert, type IssueOptions, issueCertificate } from "../generate.ts";
import { parseCertificate } from "../parse-certificate.ts";
import { type GoVerifyOptions, type GoVerifyResult, verifyLikeGo } from "../verify-go.ts";

/**
 * Fixtures for the pki tests: a PKI with fixed validity dates so error texts
 * (which embed times) can be compared literally. Not used at runtime.
 */

export const HOST = "repo.example.com";
/** Inside every FIXED window below. */
export const NOW = new Date("2026-03-01T10:00:00Z");
export const FIXED = {
  notBefore: new Date("2025-01-01T00:00:00Z"),
  notAfter: new Date("2035-01-01T00:00:00Z"),
};

export interface DatedPki {
  root: IssuedCert;
  intermediate: IssuedCert;
  leaf: IssuedCert;
  /** Parsed forms of root, intermediate and leaf. */
  certs: { root: Certificate; intermediate: Certificate; leaf: Certificate };
  /** Issues a further certificate with the fixed dates unless overridden. */
  issue(opts: IssueOptions): Promise<Issued>;
}

export type Issued = IssuedCert & { cert: Certificate };

export async function issueDated(opts: IssueOptions): Promise<Issued> {
  const issued = await issueCertificate({ ...FIXED, ...opts });
  return { ...issued, cert: parseCertificate(issued.der) };
}

export async function datedPki(
  opts: { keyAlgorithm?: "ecdsa" | "rsa"; rootName?: string } = {},
): Promise<DatedPki> {
  const base = { ...FIXED, keyAlgorithm: opts.keyAlgorithm };
  const root = await issueCertificate({
    ...base,
    commonName: opts.rootName ?? "Dated Root CA",
    organization: "regtrust test",
    isCA: true,
  });
  const intermediate = await issueCertificate({
    ...base,
    commonName: "Dated Intermediate CA",
    organization: "regtrust test",
    issuer: root,
    isCA: true,
    pathLen: 0,
  });
  const leaf = await issueCertificate({
    ...base,
    commonName: HOST,
    issuer: intermediate,
    dnsNames: [HOST],
    ipAddresses: ["127.0.0.1"],
    extKeyUsage: ["serverAuth"],
  });
  return {
    root,
    intermediate,
    leaf,
    certs: {
      root: parseCertificate(root.der),
      intermediate: parseCertificate(intermediate.der),
      leaf: parseCertificate(leaf.der),
    },
    issue: (o) => issueDated({ ...base, ...o }),
  };
}

/**
 * Two CAs that issued each other (A by B, B by A, one A key) and a leaf from
 * A: sent as leaf, A, B, the issuers loop and never reach a root. FIXED
 * dates unless `validity` is given (tests against the real clock).
 */
export async function issuerLoopPki(
  validity: { notBefore: Date; notAfter: Date } = FIXED,
): Promise<{ a: Issued; b: Issued; leaf: Issued }> {
  const org = { organization: "regtrust test", isCA: true, ...validity } as const;
  const firstA = await issueDated({ commonName: "Loop CA A", ...org });
  const b = await issueDated({ commonName: "Loop CA B", ...org, issuer: firstA });
  const a = await issueDated({ commonName: "Loop CA A", ...org, issuer: b, keys: firstA.keys });
  const leaf = await issueDated({
    commonName: HOST,
    dnsNames: [HOST],
    issuer: a,
    extKeyUsage: ["serverAuth"],
    ...validity,
  });
  return { a, b, leaf };
}

export const UNKNOWN = "x509: certificate signed by unknown authority";

/** One row of a verifyLikeGo table: options on top of the dated PKI, and the outcome. */
export interface VerifyCase {
  name: string;
  setup: (pki: DatedPki) => Promise<Partial<GoVerifyOptions> & { trust?: Certificate[] }>;
  /** Chain lengths when verification succeeds. */
  chains?: number[];
  kind?: string;
  message?: string;
  /** Common name of the certificate the error is about. */
  errorCert?: string;
  hintKind?: string | null;
}

/** Defaults: the leaf, the intermediate as sent, the root trusted, HOST, NOW. */
export function verifyWith(
  pki: DatedPki,
  o: Partial<GoVerifyOptions> & { trust?: Certificate[] },
): GoVerifyResult {
  const { leaf, root, intermediate } = pki.certs;
  return verifyLikeGo({
    leaf: o.leaf ?? leaf,
    intermediates: o.intermediates ?? [intermediate],
    roots: CertPool.of(o.trust ?? [root]),
    dnsName: o.dnsName === undefined ? HOST : o.dnsName,
    ip: o.ip ?? null,
    now: o.now ?? NOW,
    ...(o.keyUsages ? { keyUsages: o.keyUsages } : {}),
    ...(o.rules ? { rules: o.rules } : {}),
  });
}

export function describeVerifyCases(title: string, cases: VerifyCase[], pki: () => DatedPki): void {
  describe(title, () => {
    for (const c of cases) {
      it(c.name, async () => {
        const result = verifyWith(pki(), await c.setup(pki()));
        if (c.chains) {
          assert.ok(result.ok, result.ok ? "" : result.error.message);
          assert.deepEqual(
            result.chains.map((chain) => chain.length),
            c.chains,
          );
          return;
        }
        assert.ok(!result.ok, "expected a verification error");
        if (c.kind) assert.equal(result.error.kind, c.kind);
        if (c.message) assert.equal(result.error.message, c.message);
        if (c.errorCert) assert.equal(result.error.cert.commonName, c.errorCert);
        if (c.hintKind !== undefined) assert.equal(result.error.hintKind, c.hintKind);
      });
    }
  });
}
