import type { ContextName, InsecureSetting, RuntimeTrustView } from "../node/types.ts";
import type { Certificate } from "../pki/certificate.ts";
import { goParseError } from "../pki/go-parse.ts";
import type { GoRules, GoToolchainSource } from "../pki/go-rules.ts";
import { type GoVerifyResult, verifyLikeGo } from "../pki/verify-go.ts";
import type { Target } from "../target/target.ts";
import type { TrustPool } from "./trust-pool.ts";

/** One trust context (the OS store, or one runtime's view for this registry). */
export interface TrustContext {
  name: ContextName;
  pool: TrustPool;
  insecure: InsecureSetting | null;
  view: RuntimeTrustView | null;
  /** The Go build whose crypto/x509 + crypto/tls rules and error texts apply (or the assumed one). */
  go: GoToolchainSource;
  rules: GoRules;
}

/** A certificate the server sent that this context's Go refuses to parse; the handshake stops there. */
export interface ParseFailure {
  /** 0-based position in what the server sent. */
  index: number;
  /** Go's x509 error, e.g. "x509: certificate contains duplicate extensions". */
  message: string;
}

export interface ContextVerdict {
  context: TrustContext;
  /** Verification of the registry chain with this context's pool (null when no chain was received or it did not parse). */
  verify: GoVerifyResult | null;
  /** crypto/tls parses every certificate before anything else, even with skip-verify. */
  parseFailure: ParseFailure | null;
  /** Verification of the token realm's chain with the same pool, when the realm is another endpoint. */
  realmVerify: GoVerifyResult | null;
  realmParseFailure: ParseFailure | null;
}

export interface ChainToVerify {
  /** The certificates regtrust's model decodes (a prefix of what was sent when one does not). */
  presented: Certificate[];
  /** Everything the server sent, as sent. */
  presentedDer: readonly Uint8Array[];
  target: Target;
}

export function evaluateContext(
  context: TrustContext,
  registry: ChainToVerify | null,
  realm: { presented: Certificate[]; presentedDer: readonly Uint8Array[]; host: string } | null,
  now: Date,
): ContextVerdict {
  const parseFailure = registry ? firstParseFailure(registry.presentedDer, context.rules) : null;
  const realmParseFailure = realm ? firstParseFailure(realm.presentedDer, context.rules) : null;
  const verify =
    registry && !parseFailure
      ? verifyChain(context, registry.presented, registry.target.serverName, registry.target.host, now)
      : null;
  const realmVerify =
    realm && !realmParseFailure ? verifyChain(context, realm.presented, realm.host, realm.host, now) : null;
  return { context, verify, parseFailure, realmVerify, realmParseFailure };
}

/** crypto/tls verifyServerCertificate parses the certificates in order and stops at the first failure. */
function firstParseFailure(ders: readonly Uint8Array[], rules: GoRules): ParseFailure | null {
  for (const [index, der] of ders.entries()) {
    const message = goParseError(der, rules);
    if (message !== null) return { index, message };
  }
  return null;
}

function verifyChain(
  context: TrustContext,
  presented: Certificate[],
  serverName: string | null,
  host: string,
  now: Date,
): GoVerifyResult | null {
  const [leaf, ...intermediates] = presented;
  if (!leaf) return null;
  return verifyLikeGo({
    leaf,
    intermediates,
    roots: context.pool.pool,
    dnsName: serverName,
    ip: serverName === null ? host : null,
    now,
    rules: context.rules,
  });
}

/** Would this runtime pull? Skip-verify makes it "yes, insecurely" — unless a certificate does not even parse. */
export function contextOk(verdict: ContextVerdict, tlsOk: boolean): boolean {
  if (!tlsOk) return false;
  if (verdict.parseFailure || verdict.realmParseFailure) return false;
  if (verdict.context.insecure) return true;
  const chainOk = verdict.verify?.ok === true;
  const realmOk = verdict.realmVerify === null || verdict.realmVerify.ok;
  return chainOk && realmOk;
}
