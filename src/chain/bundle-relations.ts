import type { Certificate } from "../pki/certificate.ts";
import { isIssuedBy } from "../pki/chain-problems.ts";

/**
 * How the certificates of a bundle relate: who issued whom (name, key id and
 * signature checked), the chains they form and whether the file is in the
 * order a server must send (leaf first, RFC 8446 §4.4.2).
 */
export interface BundleRelations {
  /** Per certificate (index = position - 1): the position of its issuer in the bundle, or null. */
  issuedBy: (number | null)[];
  /** Position of the earlier identical certificate, or null. */
  duplicateOf: (number | null)[];
  /** Each chain bottom first, as positions; duplicates left out. */
  chains: number[][];
  order: BundleOrder;
}

/**
 * single: one certificate; roots: only self-signed certificates (a CA store);
 * leaf-first: one chain in server order; root-first: one chain reversed;
 * unordered: one chain, shuffled; several: more than one chain or unrelated certificates.
 */
export type BundleOrder = "single" | "roots" | "leaf-first" | "root-first" | "unordered" | "several";

export function bundleRelations(certs: readonly Certificate[]): BundleRelations {
  const duplicateOf = certs.map((cert, i) => {
    const first = certs.findIndex((c) => c.sha256 === cert.sha256);
    return first < i ? first + 1 : null;
  });
  const issuedBy = certs.map((cert, i) => {
    if (duplicateOf[i] !== null || cert.selfSigned) return null;
    const j = certs.findIndex(
      (c, k) => k !== i && duplicateOf[k] === null && c.sha256 !== cert.sha256 && isIssuedBy(cert, c),
    );
    return j >= 0 ? j + 1 : null;
  });
  const chains = chainsOf(issuedBy, duplicateOf);
  return { issuedBy, duplicateOf, chains, order: orderOf(certs, chains, duplicateOf) };
}

/** Bottoms are the certificates no other one names as issuer; each chain climbs from one. */
function chainsOf(issuedBy: (number | null)[], duplicateOf: (number | null)[]): number[][] {
  const isIssuer = new Set(issuedBy.filter((p): p is number => p !== null));
  const chains: number[][] = [];
  issuedBy.forEach((_, i) => {
    const position = i + 1;
    if (duplicateOf[i] !== null || isIssuer.has(position)) return;
    const chain = [position];
    for (let up = issuedBy[i]; up != null && !chain.includes(up); up = issuedBy[up - 1]) chain.push(up);
    chains.push(chain);
  });
  return chains;
}

function orderOf(
  certs: readonly Certificate[],
  chains: number[][],
  duplicateOf: (number | null)[],
): BundleOrder {
  const unique = duplicateOf.filter((d) => d === null).length;
  if (unique === 1) return "single";
  if (certs.every((c) => c.selfSigned)) return "roots";
  const only = chains[0];
  if (chains.length !== 1 || !only) return "several";
  const ascending = only.every((p, k) => k === 0 || p > only[k - 1]!);
  const descending = only.every((p, k) => k === 0 || p < only[k - 1]!);
  // One chain holds every distinct certificate, so its positions alone say the file order.
  if (ascending) return "leaf-first";
  if (descending) return "root-first";
  return "unordered";
}
