import type { Certificate } from "./certificate.ts";
import { internalsOf } from "./parse-certificate.ts";
import { checkSignature } from "./signature-verify.ts";

/**
 * Structural problems in the list of certificates a server presents (RFC 8446
 * §4.4.2 / RFC 5246 §7.4.2: each certificate should certify the one before it).
 * Pure data for `diagnose` and `chain`; Go tolerates most of these, OpenSSL and
 * older clients do not. "missing-issuer" is always reported for the last certificate
 * that is not self-signed: after a leaf it means no intermediate was sent (what
 * AIA-fetching browsers hide); after a CA it is usually the root, which is fine.
 */
export interface ChainProblem {
  kind:
    | "duplicate"
    | "wrong-order"
    | "unrelated-certificate"
    | "root-sent"
    | "missing-issuer"
    | "issuer-loop"
    | "expired"
    | "not-yet-valid";
  /** 0-based position in the presented list. */
  index: number;
  cert: Certificate;
  /** The other position involved (the earlier duplicate, the actual issuer), when there is one. */
  relatedIndex: number | null;
  message: string;
}

/** Name, key identifiers and signature all agree that `parent` issued `child`. */
export function isIssuedBy(child: Certificate, parent: Certificate): boolean {
  if (child.issuerKey !== parent.subjectKey) return false;
  if (child.authorityKeyId && parent.subjectKeyId && child.authorityKeyId !== parent.subjectKeyId)
    return false;
  const c = internalsOf(child);
  return (
    checkSignature(c.signatureAlgorithm, c.tbs, c.signature, internalsOf(parent).signer, "crypto") === null
  );
}

function label(cert: Certificate, index: number): string {
  return `certificate ${index + 1} (${cert.subject})`;
}

function duplicates(presented: Certificate[]): ChainProblem[] {
  const out: ChainProblem[] = [];
  presented.forEach((cert, i) => {
    const first = presented.findIndex((c) => c.sha256 === cert.sha256);
    if (first < i) {
      const message = `${label(cert, i)} is a duplicate of certificate ${first + 1}`;
      out.push({ kind: "duplicate", index: i, cert, relatedIndex: first, message });
    }
  });
  return out;
}

function ordering(presented: Certificate[]): ChainProblem[] {
  const out: ChainProblem[] = [];
  for (let i = 0; i + 1 < presented.length; i++) {
    const cert = presented[i]!;
    const next = presented[i + 1]!;
    if (cert.sha256 === next.sha256 || cert.selfSigned || isIssuedBy(cert, next)) continue;
    const issuerAt = presented.findIndex((p, k) => k !== i && isIssuedBy(cert, p));
    const message =
      issuerAt >= 0
        ? `${label(cert, i)} is followed by a certificate that did not issue it; its issuer is certificate ${issuerAt + 1}`
        : `${label(cert, i)} is followed by ${label(next, i + 1)}, which did not issue it`;
    const kind = issuerAt >= 0 ? "wrong-order" : "unrelated-certificate";
    out.push({ kind, index: i, cert, relatedIndex: issuerAt >= 0 ? issuerAt : null, message });
  }
  return out;
}

function anchors(presented: Certificate[]): ChainProblem[] {
  const out: ChainProblem[] = [];
  presented.forEach((cert, i) => {
    if (i > 0 && cert.selfSigned) {
      const message = `${label(cert, i)} is a self-signed root; clients must already trust it, so sending it is useless`;
      out.push({ kind: "root-sent", index: i, cert, relatedIndex: null, message });
    }
  });
  const last = presented.length - 1;
  const tail = presented[last];
  if (tail && !tail.selfSigned && !presented.some((p) => p !== tail && isIssuedBy(tail, p))) {
    const via = tail.aiaIssuers.length > 0 ? ` (AIA caIssuers: ${tail.aiaIssuers.join(", ")})` : "";
    // After a CA certificate the missing issuer is usually the root, which is fine to omit.
    const usual = tail.isCA ? "; clients must have it as a trust anchor (normal when it is the root)" : "";
    const message = `the issuer of ${label(tail, last)}, ${tail.issuer}, was not sent${usual}${via}`;
    out.push({ kind: "missing-issuer", index: last, cert: tail, relatedIndex: null, message });
  }
  return out;
}

/**
 * The last certificate on an issuer path (leaf upwards) was issued by one
 * already on it, e.g. CA A issued B and B issued A: the path never reaches a
 * root. Go's buildChains skips a certificate already in the chain
 * (crypto/x509 verify.go alreadyInChain) and reports an unknown authority.
 */
export function issuerLoop(path: readonly Certificate[]): { top: Certificate; issuer: Certificate } | null {
  const top = path[path.length - 1];
  if (!top || top.selfSigned) return null;
  const issuer = path.find((c) => c !== top && isIssuedBy(top, c));
  return issuer ? { top, issuer } : null;
}

/** Follows issuers through the presented list from the leaf; each certificate is used once, so this ends. */
function loops(presented: Certificate[]): ChainProblem[] {
  const path: Certificate[] = [];
  for (let cert = presented[0]; cert && !cert.selfSigned; ) {
    path.push(cert);
    const child: Certificate = cert;
    cert = presented.find((p) => !path.some((q) => q.sha256 === p.sha256) && isIssuedBy(child, p));
  }
  const loop = issuerLoop(path);
  if (!loop) return [];
  const index = presented.indexOf(loop.top);
  const relatedIndex = presented.indexOf(loop.issuer);
  const message = `${label(loop.top, index)} is issued by ${label(loop.issuer, relatedIndex)}, which is already on the path from the leaf: the issuers form a loop that never reaches a root`;
  return [{ kind: "issuer-loop", index, cert: loop.top, relatedIndex, message }];
}

function validity(presented: Certificate[], now: Date): ChainProblem[] {
  const out: ChainProblem[] = [];
  presented.forEach((cert, i) => {
    if (now < cert.notBefore) {
      const message = `${label(cert, i)} is not valid before ${cert.notBefore.toISOString()}`;
      out.push({ kind: "not-yet-valid", index: i, cert, relatedIndex: null, message });
    } else if (now > cert.notAfter) {
      const message = `${label(cert, i)} expired at ${cert.notAfter.toISOString()}`;
      out.push({ kind: "expired", index: i, cert, relatedIndex: null, message });
    }
  });
  return out;
}

/** Problems in presentation order of kind: duplicates, ordering, anchors, loops, validity. */
export function describeChainProblems(presented: Certificate[], now: Date): ChainProblem[] {
  return [
    ...duplicates(presented),
    ...ordering(presented),
    ...anchors(presented),
    ...loops(presented),
    ...validity(presented, now),
  ];
}
