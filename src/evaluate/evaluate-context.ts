import type { ContextName, InsecureSetting, RuntimeTrustView } from "../node/types.ts";
import type { Certificate } from "../pki/certificate.ts";
import { type GoVerifyResult, verifyLikeGo } from "../pki/verify-go.ts";
import type { Target } from "../target/target.ts";
import type { TrustPool } from "./trust-pool.ts";

/** One trust context (the OS store, or one runtime's view for this registry). */
export interface TrustContext {
  name: ContextName;
  pool: TrustPool;
  insecure: InsecureSetting | null;
  view: RuntimeTrustView | null;
}

export interface ContextVerdict {
  context: TrustContext;
  /** Verification of the registry chain with this context's pool (null when no chain was received). */
  verify: GoVerifyResult | null;
  /** Verification of the token realm's chain with the same pool, when the realm is another endpoint. */
  realmVerify: GoVerifyResult | null;
}

export interface ChainToVerify {
  presented: Certificate[];
  target: Target;
}

export function evaluateContext(
  context: TrustContext,
  registry: ChainToVerify | null,
  realm: { presented: Certificate[]; host: string } | null,
  now: Date,
): ContextVerdict {
  const verify = registry
    ? verifyChain(context, registry.presented, registry.target.serverName, registry.target.host, now)
    : null;
  const realmVerify = realm ? verifyChain(context, realm.presented, realm.host, realm.host, now) : null;
  return { context, verify, realmVerify };
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
  });
}

/** Would this runtime pull? Skip-verify makes it "yes, insecurely". */
export function contextOk(verdict: ContextVerdict, tlsOk: boolean): boolean {
  if (!tlsOk) return false;
  if (verdict.context.insecure) return true;
  const chainOk = verdict.verify?.ok === true;
  const realmOk = verdict.realmVerify === null || verdict.realmVerify.ok;
  return chainOk && realmOk;
}
