import { CertPool } from "./cert-pool.ts";
import type { Certificate } from "./certificate.ts";
import { checkSignatureFrom } from "./check-signature.ts";
import { goQuote } from "./go-quote.ts";
import { DEFAULT_GO_RULES, type GoRules } from "./go-rules.ts";
import { verifyHostname } from "./hostname.ts";
import { nameConstraintError } from "./name-constraints.ts";
import { internalsOf, serialDecimal } from "./parse-certificate.ts";
import { policiesValid } from "./policy-graph.ts";
import type { SignatureError } from "./signature-verify.ts";

/**
 * Certificate.Verify + VerifyHostname as crypto/tls calls them in the Go runtimes
 * (crypto/x509/verify.go, Go 1.19–1.24; version differences in go-rules.ts): no AIA fetching, intermediates only from
 * the handshake, every pool certificate is an anchor, SANs only, SHA-1 rejected.
 * Error texts are Go's, byte for byte, so they can be matched against runtime logs.
 */

/**
 * Go wraps signature problems (insecure algorithm, parent not a CA) in an
 * "unknown authority" error with a hint, so "insecure-algorithm" never appears as
 * a top-level kind (see `hintKind`); "not-authorized-to-sign" does only for X.509 v1
 * intermediates, which pass CheckSignatureFrom and then fail isValid.
 */
export type GoVerifyErrorKind =
  | "unknown-authority"
  | "hostname-mismatch"
  | "cn-only"
  | "expired"
  | "not-yet-valid"
  | "not-authorized-to-sign"
  | "incompatible-usage"
  | "insecure-algorithm"
  | "too-many-intermediates"
  | "name-constraints"
  | "parse-failure"
  | "other";

export interface GoVerifyError {
  kind: GoVerifyErrorKind;
  /** Go's text, starting "x509: ". */
  message: string;
  /** The certificate Go's error refers to (for unknown-authority: the one whose issuer was not found). */
  cert: Certificate;
  /** unknown-authority only: the candidate issuer that was rejected, as in Go's "possibly because of" hint. */
  hintCert: Certificate | null;
  /**
   * Why `hintCert` was rejected: "insecure-algorithm" (MD5/SHA-1 signature),
   * "not-authorized-to-sign" (not a CA, or keyUsage without keyCertSign),
   * "bad-signature", "key-mismatch", "unsupported-algorithm"; null without a hint.
   */
  hintKind: string | null;
}

export type GoVerifyResult = { ok: true; chains: Certificate[][] } | { ok: false; error: GoVerifyError };

export type GoKeyUsage = "serverAuth" | "any";

export interface GoVerifyOptions {
  leaf: Certificate;
  /** What the server sent after the leaf (crypto/tls puts certs[1:] into Intermediates). */
  intermediates: Certificate[];
  roots: CertPool;
  /** tls.Config.ServerName: a host name or an IP literal; null skips the name check. */
  dnsName: string | null;
  /** Used as the name when `dnsName` is null (dialling an IP). */
  ip?: string | null;
  now: Date;
  /** Default ["serverAuth"], as Verify uses when KeyUsages is empty. */
  keyUsages?: GoKeyUsage[];
  /** The Go release whose rules apply (go-rules.ts); the assumed default otherwise. */
  rules?: GoRules;
}

type CertType = "leaf" | "intermediate" | "root";

interface BuildState {
  roots: CertPool;
  intermediates: CertPool;
  now: Date;
  leaf: Certificate;
  sigChecks: number;
  rules: GoRules;
}

/** verify.go maxChainSignatureChecks. */
const MAX_SIGNATURE_CHECKS = 100;

function fail(kind: GoVerifyErrorKind, message: string, cert: Certificate): GoVerifyError {
  return { kind, message, cert, hintCert: null, hintKind: null };
}

/** time.RFC3339 in UTC, without fractional seconds (Go's Format truncates them). */
export function goRfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** verify.go isValid: the checks made on each certificate as it joins a chain. */
function isValid(
  cert: Certificate,
  type: CertType,
  chain: Certificate[],
  state: BuildState,
): GoVerifyError | null {
  if (unhandledCritical(cert, state.rules)) {
    return fail("other", "x509: unhandled critical extension", cert);
  }
  const now = state.now.getTime();
  if (now < cert.notBefore.getTime()) {
    const detail = `current time ${goRfc3339(state.now)} is before ${goRfc3339(cert.notBefore)}`;
    return fail("not-yet-valid", `x509: certificate has expired or is not yet valid: ${detail}`, cert);
  }
  if (now > cert.notAfter.getTime()) {
    const detail = `current time ${goRfc3339(state.now)} is after ${goRfc3339(cert.notAfter)}`;
    return fail("expired", `x509: certificate has expired or is not yet valid: ${detail}`, cert);
  }
  if (type !== "leaf" && cert.hasNameConstraints) {
    const problem = nameConstraintError(cert, state.leaf);
    if (problem) return fail("name-constraints", problem, cert);
  }
  if (type === "intermediate" && (!cert.basicConstraintsValid || !cert.isCA)) {
    return fail(
      "not-authorized-to-sign",
      "x509: certificate is not authorized to sign other certificates",
      cert,
    );
  }
  if (cert.basicConstraintsValid && cert.maxPathLen !== null && chain.length - 1 > cert.maxPathLen) {
    return fail("too-many-intermediates", "x509: too many intermediates for path length constraint", cert);
  }
  return null;
}

/** parser.go policy extensions Go handles from 1.24 (policyMappings, policyConstraints, inhibitAnyPolicy). */
const POLICY_EXTENSIONS = new Set(["2.5.29.33", "2.5.29.36", "2.5.29.54"]);

function unhandledCritical(cert: Certificate, rules: GoRules): boolean {
  const unhandled = internalsOf(cert).extensions.unhandledCritical;
  if (!rules.handlesPolicyExtensions) return unhandled.length > 0;
  return unhandled.some((oid) => !POLICY_EXTENSIONS.has(oid));
}

/**
 * alreadyInChain: same subject, same key and same SAN extension as a certificate
 * already in the chain (stops loops through cross-signatures).
 */
function alreadyInChain(candidate: Certificate, chain: Certificate[]): boolean {
  const cand = internalsOf(candidate);
  for (const cert of chain) {
    if (cert.subjectKey !== candidate.subjectKey) continue;
    const other = internalsOf(cert);
    if (!Buffer.from(cand.spki).equals(other.spki)) continue;
    const a = cand.extensions.sanExtension;
    const b = other.extensions.sanExtension;
    if (a === null && b === null) return true;
    if (a === null || b === null) return false;
    if (Buffer.from(a).equals(b)) return true;
  }
  return false;
}

/** The name UnknownAuthorityError.Error shows for the hint certificate. */
function hintName(cert: Certificate): string {
  if (cert.commonName) return cert.commonName;
  return internalsOf(cert).organization()[0] ?? `serial:${serialDecimal(cert)}`;
}

function unknownAuthority(
  cert: Certificate,
  hint: SignatureError | null,
  hintCert: Certificate | null,
): GoVerifyError {
  let message = "x509: certificate signed by unknown authority";
  if (hint && hintCert) {
    message += ` (possibly because of ${goQuote(hint.message)} while trying to verify candidate authority certificate ${goQuote(hintName(hintCert))})`;
  }
  return { kind: "unknown-authority", message, cert, hintCert, hintKind: hint?.kind ?? null };
}

interface Built {
  chains: Certificate[][];
  err: GoVerifyError | null;
}

/**
 * verify.go buildChains, including its error bookkeeping: roots are tried before
 * intermediates; `err` ends as the last error from a candidate whose signature
 * verified; signature failures only feed the "possibly because of" hint.
 */
function buildChains(cert: Certificate, chain: Certificate[], state: BuildState): Built {
  const chains: Certificate[][] = [];
  let err: GoVerifyError | null = null;
  let hint: SignatureError | null = null;
  let hintCert: Certificate | null = null;
  const consider = (type: CertType, candidate: Certificate): void => {
    if (alreadyInChain(candidate, chain)) return;
    if (++state.sigChecks > MAX_SIGNATURE_CHECKS) {
      const text = "x509: signature check attempts limit reached while verifying certificate chain";
      err = fail("other", text, cert);
      return;
    }
    const sigErr = checkSignatureFrom(cert, candidate, state.rules);
    if (sigErr) {
      if (!hint) [hint, hintCert] = [sigErr, candidate];
      return;
    }
    err = isValid(candidate, type, chain, state);
    if (err) return;
    if (type === "root") chains.push([...chain, candidate]);
    else {
      const child = buildChains(candidate, [...chain, candidate], state);
      err = child.err;
      chains.push(...child.chains);
    }
  };
  for (const root of state.roots.findPotentialParents(cert)) consider("root", root);
  for (const inter of state.intermediates.findPotentialParents(cert)) consider("intermediate", inter);
  if (chains.length > 0) return { chains, err: null };
  return { chains, err: err ?? unknownAuthority(cert, hint, hintCert) };
}

/** verify.go checkChainForKeyUsage: usages are crossed out walking from the root down. */
function chainAllowsUsage(chain: Certificate[], usages: GoKeyUsage[]): boolean {
  const remaining = new Set<string>(usages);
  for (let i = chain.length - 1; i >= 0; i--) {
    const eku = chain[i]!.extKeyUsage;
    if (eku.length === 0 || eku.includes("any")) continue;
    for (const usage of [...remaining]) if (!eku.includes(usage)) remaining.delete(usage);
    if (remaining.size === 0) return false;
  }
  return true;
}

export function verifyLikeGo(opts: GoVerifyOptions): GoVerifyResult {
  const { leaf } = opts;
  const state: BuildState = {
    roots: opts.roots,
    intermediates: CertPool.of(opts.intermediates),
    now: opts.now,
    leaf,
    sigChecks: 0,
    rules: opts.rules ?? DEFAULT_GO_RULES,
  };
  const leafErr = isValid(leaf, "leaf", [], state);
  if (leafErr) return { ok: false, error: leafErr };
  // Verify checks the name before building chains.
  const name = opts.dnsName ?? opts.ip ?? null;
  if (name) {
    const mismatch = verifyHostname(leaf, name);
    if (mismatch) return { ok: false, error: fail(mismatch.kind, mismatch.message, leaf) };
  }
  let candidates: Certificate[][];
  if (opts.roots.contains(leaf)) candidates = [[leaf]];
  else {
    const built = buildChains(leaf, [leaf], state);
    if (built.err) return { ok: false, error: built.err };
    candidates = built.chains;
  }
  // Go ≥ 1.24 drops chains whose certificate policies do not validate (verify.go policiesValid).
  let invalidPolicies = 0;
  if (state.rules.checksPolicies) {
    const valid = candidates.filter((chain) => policiesValid(chain));
    invalidPolicies = candidates.length - valid.length;
    candidates = valid;
    if (candidates.length === 0) {
      const text = "x509: no valid chains built: all candidate chains have invalid policies";
      return { ok: false, error: fail("other", text, leaf) };
    }
  }
  const usages =
    opts.keyUsages && opts.keyUsages.length > 0 ? opts.keyUsages : (["serverAuth"] as GoKeyUsage[]);
  if (usages.includes("any")) return { ok: true, chains: candidates };
  const chains = candidates.filter((chain) => chainAllowsUsage(chain, usages));
  if (chains.length === 0 && invalidPolicies > 0) {
    const text = `x509: no valid chains built: ${candidates.length} chains with incompatible key usage, ${invalidPolicies} chains with invalid policies`;
    return { ok: false, error: fail("incompatible-usage", text, leaf) };
  }
  if (chains.length === 0) {
    return {
      ok: false,
      error: fail("incompatible-usage", "x509: certificate specifies an incompatible key usage", leaf),
    };
  }
  return { ok: true, chains };
}

export { type ChainProblem, describeChainProblems } from "./chain-problems.ts";
