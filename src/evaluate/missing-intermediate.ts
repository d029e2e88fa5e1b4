import { type Finding, finding } from "../findings/finding.ts";
import type { Certificate } from "../pki/certificate.ts";
import { checkSignatureFrom } from "../pki/check-signature.ts";
import { isPublicRootName } from "./public-roots.ts";
import type { TrustPool } from "./trust-pool.ts";

/** A certificate known on the node (or in a file given), with the file it is in. */
export interface KnownCertificate {
  cert: Certificate;
  path: string;
  /** The file holds only this certificate, so `--ca <path>` means exactly it. */
  alone: boolean;
}

/**
 * The issuer of `leaf` among `known`: the subject equals the leaf's issuer,
 * the key identifiers agree when both are present (RFC 5280 §4.2.1.1), and
 * the signature verifies as Go's CheckSignatureFrom checks it.
 */
export function findIssuer(leaf: Certificate, known: Iterable<KnownCertificate>): KnownCertificate | null {
  for (const k of known) {
    if (k.cert.subjectKey !== leaf.issuerKey || k.cert.sha256 === leaf.sha256) continue;
    if (leaf.authorityKeyId && k.cert.subjectKeyId && leaf.authorityKeyId !== k.cert.subjectKeyId) continue;
    if (checkSignatureFrom(leaf, k.cert) === null) return k;
  }
  return null;
}

/** Every certificate of the given pools, with its file; the same certificate once. */
export function poolCertificates(pools: readonly TrustPool[]): KnownCertificate[] {
  const seen = new Set<string>();
  const out: KnownCertificate[] = [];
  for (const source of pools.flatMap((p) => p.sources)) {
    for (const cert of source.certs) {
      if (seen.has(cert.sha256)) continue;
      seen.add(cert.sha256);
      out.push({ cert, path: source.source.path, alone: source.certs.length === 1 });
    }
  }
  return out;
}

/**
 * Private CAs (not in the public root list) any context of the node trusts:
 * the node was already given a private PKI, so a leaf whose issuer is
 * nowhere is more likely a missing intermediate than a missing root.
 */
export function privateCas(known: readonly KnownCertificate[]): Certificate[] {
  return known.map((k) => k.cert).filter((c) => c.isCA && !isPublicRootName(c.subjectKey));
}

/**
 * The server sent only its leaf, the leaf names no AIA URL, and the node
 * already trusts private CAs: the likely cause is a server that does not send
 * its intermediate, not a missing root. Both fixes are offered: fix the
 * server, or trust the intermediate (the very file when it is on the node).
 */
export function leafOnlyMissingIntermediate(
  message: string,
  leaf: Certificate,
  registry: string,
  trusted: readonly Certificate[],
  found: KnownCertificate | null,
): Finding {
  const names = [...new Set(trusted.map((c) => `"${c.subject}"`))].slice(0, 3).join(", ");
  return finding(
    "missing-intermediate",
    "error",
    `The server sends only its own certificate, issued by "${leaf.issuer}", which this node does not have; it already trusts ${names}. Most likely the server does not send its intermediate: container runtimes never fetch it (and the certificate has no AIA URL to fetch it from).`,
    {
      evidence: [
        message,
        `the server sent 1 certificate; its issuer "${leaf.issuer}"${leaf.authorityKeyId ? ` (key id ${leaf.authorityKeyId})` : ""} was not sent`,
        ...(found
          ? [`a certificate for "${leaf.issuer}" that signed it is on this node: ${found.path}`]
          : []),
      ],
      fix: [
        "Fix the server: serve the full chain (cat server.crt intermediate.crt > fullchain.crt) and reload the registry.",
        found?.alone
          ? `Or, on the node until then, trust that intermediate: regtrust trust ${registry} --ca ${found.path}`
          : found
            ? `Or, on the node until then, trust that intermediate (it is in ${found.path}; save it alone as intermediate.pem): regtrust trust ${registry} --ca intermediate.pem`
            : `Or, on the node until then, get the intermediate "${leaf.issuer}" from your PKI team and trust it: regtrust trust ${registry} --ca intermediate.pem`,
      ],
    },
  );
}
