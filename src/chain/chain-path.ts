import type { Certificate } from "../pki/certificate.ts";
import { isIssuedBy } from "../pki/chain-problems.ts";
import type { CertificateOrigin } from "./certificate-view.ts";

/** One certificate of a chain, with its 1-based number in the report and where it came from. */
export interface ChainLink {
  cert: Certificate;
  position: number;
  origin: CertificateOrigin;
}

export function topOf(path: readonly ChainLink[]): ChainLink {
  const top = path[path.length - 1];
  if (!top) throw new Error("a chain path is never empty");
  return top;
}

/**
 * The chain the server's certificates actually form: the leaf (always the
 * first certificate sent, RFC 8446 §4.4.2), then each certificate's issuer
 * wherever it sits in the list (name, key identifier and signature checked),
 * until a self-signed certificate or a missing issuer. Duplicates and
 * unrelated certificates are left out; this is what `-o` writes.
 */
export function presentedPath(presented: readonly Certificate[]): ChainLink[] {
  const first = presented[0];
  if (!first) return [];
  const path: ChainLink[] = [{ cert: first, position: 1, origin: { source: "server" } }];
  const used = new Set([first.sha256]);
  for (;;) {
    const top = topOf(path).cert;
    if (top.selfSigned) return path;
    const index = presented.findIndex((p) => !used.has(p.sha256) && isIssuedBy(top, p));
    const issuer = presented[index];
    if (!issuer) return path;
    used.add(issuer.sha256);
    path.push({ cert: issuer, position: index + 1, origin: { source: "server" } });
  }
}
