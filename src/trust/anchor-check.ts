import { CertPool } from "../pki/cert-pool.ts";
import type { Certificate } from "../pki/certificate.ts";
import { verifyLikeGo } from "../pki/verify-go.ts";

export type AnchorCheck =
  | { ok: true; chain: Certificate[] }
  | {
      ok: false;
      /** Go's error text for the chain with only the given CA as roots. */
      error: string;
      /** The subject of the certificate a pool would need for the chain to verify, when that is the problem. */
      needed: string | null;
    };

/**
 * Would the runtimes accept the chain the registry sends if the given CA
 * were their only extra root? Checked with Go's rules (no AIA, intermediates
 * only from the handshake, any pooled certificate is an anchor) and without
 * the host name, which the CA cannot change; `diagnose` after applying
 * covers names. `needed` names the issuer Go could not find: the top of the
 * chain that was sent.
 */
export function checkAnchors(
  ca: readonly Certificate[],
  presented: readonly Certificate[],
  now: Date,
): AnchorCheck {
  const [leaf, ...intermediates] = presented;
  if (!leaf) return { ok: false, error: "the registry sent no certificate", needed: null };
  const result = verifyLikeGo({
    leaf,
    intermediates,
    roots: CertPool.of(ca),
    dnsName: null,
    ip: null,
    now,
  });
  if (result.ok) return { ok: true, chain: result.chains[0] ?? [leaf] };
  const needed = result.error.kind === "unknown-authority" ? result.error.cert.issuer : null;
  return { ok: false, error: result.error.message, needed };
}
