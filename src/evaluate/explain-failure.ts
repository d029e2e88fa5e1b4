import { type Finding, finding } from "../findings/finding.ts";
import type { Certificate } from "../pki/certificate.ts";
import type { GoVerifyError } from "../pki/verify-go.ts";
import type { Target } from "../target/target.ts";
import { issuerLoopFinding } from "./issuer-loop.ts";
import {
  findIssuer,
  type KnownCertificate,
  leafOnlyMissingIntermediate,
  privateCas,
} from "./missing-intermediate.ts";
import { isPublicRootName } from "./public-roots.ts";

/**
 * Turns Go's verification error into the root cause an operator can act on.
 * Go says "unknown authority" for several different problems; the chain the
 * server sent tells them apart (missing intermediate, self-signed leaf,
 * untrusted private root, untrusted public root).
 */
/** What the node trusts, when known: every certificate its trust contexts load. */
export interface TrustFacts {
  nodeCertificates: readonly KnownCertificate[];
}

export function explainFailure(
  error: GoVerifyError,
  presented: readonly Certificate[],
  target: Target,
  trust?: TrustFacts,
): Finding {
  const hint = error.hintCert && error.hintKind ? { cert: error.hintCert, kind: error.hintKind } : null;
  switch (error.kind) {
    case "hostname-mismatch":
      return hostnameMismatch(error.message, presented[0], target);
    case "cn-only":
      return cnOnly(error.message, presented[0], target);
    case "expired":
    case "not-yet-valid":
      return validity(error.kind, error.message, error.cert, presented);
    case "not-authorized-to-sign":
      return notACa(error.message, error.cert);
    case "incompatible-usage":
      return finding(
        "incompatible-usage",
        "error",
        `A certificate in the chain is not allowed for TLS server use.`,
        {
          evidence: [
            error.message,
            `certificate: ${error.cert.subject}, extKeyUsage: ${error.cert.extKeyUsage.join(", ")}`,
          ],
          fix: [
            "Reissue the certificate with extendedKeyUsage serverAuth (and no EKU that excludes it on the CAs).",
          ],
        },
      );
    case "insecure-algorithm":
      return weakSignature(error.message, error.cert);
    case "unknown-authority":
      if (hint?.kind === "expired" || hint?.kind === "not-yet-valid") {
        return validity(hint.kind, error.message, hint.cert, presented);
      }
      if (hint?.kind === "insecure-algorithm") return weakSignature(error.message, hint.cert);
      if (hint?.kind === "weak-key") return weakKey(error.message, hint.cert);
      if (hint?.kind === "not-authorized-to-sign") return notACa(error.message, hint.cert);
      return unknownAuthority(error.message, presented, target, trust);
    default:
      return finding("unknown-authority", "error", `The chain does not verify: ${error.message}`, {
        evidence: [error.message],
        fix: [],
      });
  }
}

function hostnameMismatch(message: string, leaf: Certificate | undefined, target: Target): Finding {
  const names = leaf ? [...leaf.sans.dns, ...leaf.sans.ip] : [];
  const wanted = target.serverName ?? target.host;
  return finding(
    "hostname-mismatch",
    "error",
    `The certificate is for ${names.length ? names.join(", ") : "no names"}, not ${wanted}.`,
    {
      evidence: [message, leaf ? `server certificate: ${leaf.subject}` : ""].filter(Boolean),
      fix: [
        `Reissue the registry certificate with subjectAltName ${sanFor(target)}.`,
        names.length ? `Or pull through a name the certificate covers (${names[0]}).` : "",
      ].filter(Boolean),
    },
  );
}

/** The SAN a runtime matches: DNS for a name, IP for an address literal (Go's verifyHostname; RFC 6125 §6.4). */
function sanFor(target: Target): string {
  return target.serverName ? `DNS:${target.serverName}` : `IP:${target.host}`;
}

function cnOnly(message: string, leaf: Certificate | undefined, target: Target): Finding {
  return finding(
    "cn-only",
    "error",
    `The certificate names ${leaf?.commonName ?? "its host"} only in the Common Name; Go runtimes (containerd, Docker, CRI-O) require a subjectAltName, although curl and openssl accept it.`,
    {
      evidence: [message, leaf ? `server certificate: ${leaf.subject} (no subjectAltName)` : ""].filter(
        Boolean,
      ),
      fix: [`Reissue the certificate with subjectAltName ${sanFor(target)}.`],
    },
  );
}

function validity(
  kind: "expired" | "not-yet-valid",
  message: string,
  cert: Certificate,
  presented: readonly Certificate[],
): Finding {
  const index = presented.findIndex((c) => c.sha256 === cert.sha256);
  const where =
    index === 0
      ? "The server certificate"
      : index > 0
        ? `Certificate #${index + 1} sent by the server`
        : "The trusted CA";
  const date = (kind === "expired" ? cert.notAfter : cert.notBefore).toISOString();
  const text =
    kind === "expired"
      ? `${where} "${cert.subject}" expired on ${date}.`
      : `${where} "${cert.subject}" is not valid before ${date}; check the node's clock (timedatectl) or the certificate.`;
  return finding(kind, "error", text, {
    evidence: [message, `sha256 ${cert.sha256}`],
    fix:
      kind === "expired"
        ? [
            index >= 0
              ? "Renew the certificate on the registry and reload it."
              : "Install the renewed CA certificate.",
          ]
        : ["Check time sync on the node (timedatectl status; chronyc tracking)."],
  });
}

function notACa(message: string, cert: Certificate): Finding {
  return finding(
    "not-a-ca",
    "error",
    `"${cert.subject}" signs other certificates but is not a CA (basicConstraints CA:TRUE${cert.keyUsage ? ", keyCertSign" : ""} missing).`,
    {
      evidence: [message, `sha256 ${cert.sha256}`],
      fix: [
        "Reissue the intermediate/CA with basicConstraints critical CA:TRUE and keyUsage keyCertSign, cRLSign.",
      ],
    },
  );
}

function weakSignature(message: string, cert: Certificate): Finding {
  return finding(
    "weak-signature",
    "error",
    `"${cert.subject}" is signed with ${cert.signatureAlgorithm.name}, which Go runtimes reject since Go 1.18.`,
    {
      evidence: [message],
      fix: ["Reissue the certificate with a SHA-256 (or stronger) signature."],
    },
  );
}

/** crypto/rsa (Go ≥ 1.24, rsa1024min) refuses to verify with an RSA key under 1024 bits. */
function weakKey(message: string, cert: Certificate): Finding {
  const bits = cert.publicKey.bits ? `${cert.publicKey.bits}-bit ` : "";
  return finding(
    "weak-signature",
    "error",
    `"${cert.subject}" signs with a ${bits}RSA key, which runtimes built with Go 1.24 or later refuse (keys under 1024 bits).`,
    {
      evidence: [message, `sha256 ${cert.sha256}`],
      fix: [
        "Reissue the CA with an RSA key of at least 2048 bits (or ECDSA P-256) and reissue what it signed.",
      ],
    },
  );
}

/** Follows issuers through what the server sent; returns the path from the leaf upwards. */
export function sentPath(presented: readonly Certificate[]): Certificate[] {
  const path: Certificate[] = [];
  let current = presented[0];
  while (current && !path.includes(current)) {
    path.push(current);
    if (current.selfSigned) break;
    const issuerKey = current.issuerKey;
    current = presented.find((c) => c.subjectKey === issuerKey && !path.includes(c));
  }
  return path;
}

function unknownAuthority(
  message: string,
  presented: readonly Certificate[],
  target: Target,
  trust?: TrustFacts,
): Finding {
  const path = sentPath(presented);
  const top = path[path.length - 1];
  const leaf = presented[0];
  if (!top || !leaf) return finding("unknown-authority", "error", message, { fix: [] });
  const registry = target.registry;
  const loop = issuerLoopFinding(message, presented, path, registry);
  if (loop) return loop;
  if (top.selfSigned && top === leaf) {
    return finding(
      "self-signed",
      "error",
      `The registry presents a self-signed certificate ("${leaf.subject}") that this node does not trust.`,
      {
        evidence: [message, `sha256 ${leaf.sha256}`],
        fix: [
          `Compare the fingerprint with the registry's own copy, then: regtrust trust ${registry} --from-server --expect-fingerprint ${leaf.sha256}`,
          "Better: issue the registry certificate from a private CA and trust that CA.",
        ],
      },
    );
  }
  if (top.selfSigned) {
    const visibility = isPublicRootName(top.subjectKey)
      ? "public root missing from this node's store"
      : "private root";
    return finding(
      "unknown-authority",
      "error",
      `The chain ends at "${top.subject}" (a ${visibility}, sent by the server), which this node does not trust.`,
      {
        evidence: [message, `root sha256 ${top.sha256}`],
        fix: [
          `Verify that fingerprint with your PKI team, then: regtrust trust ${registry} --from-server --expect-fingerprint ${top.sha256}`,
          `Or with the root file from your PKI team: regtrust trust ${registry} --ca root.pem`,
        ],
      },
    );
  }
  if (top === leaf && leaf.aiaIssuers.length > 0 && path.length === 1)
    return missingIntermediate(message, leaf, registry);
  const trusted = trust ? privateCas(trust.nodeCertificates) : [];
  if (top === leaf && path.length === 1 && trusted.length > 0 && trust) {
    const found = findIssuer(leaf, trust.nodeCertificates);
    return leafOnlyMissingIntermediate(message, leaf, registry, trusted, found);
  }
  const isPublic = isPublicRootName(top.issuerKey);
  const what = top === leaf ? "the server certificate" : `"${top.subject}"`;
  return finding(
    "unknown-authority",
    "error",
    isPublic
      ? `The node does not trust "${top.issuer}", the public root that issued ${what}; this node's CA bundle lacks it.`
      : `The node does not trust "${top.issuer}", the private CA that issued ${what}.`,
    {
      evidence: [
        message,
        `the server sent ${presented.length} certificate${presented.length === 1 ? "" : "s"}; the chain stops at "${top.subject}"`,
        top === leaf ? `if "${top.issuer}" is an intermediate, the server must send it too` : "",
      ].filter(Boolean),
      fix: isPublic
        ? [
            "Update the node's CA bundle: apt-get install --reinstall ca-certificates (or your distro's equivalent).",
          ]
        : [
            `Get the root CA certificate of "${top.issuer}" from your PKI team, then: regtrust trust ${registry} --ca root.pem`,
          ],
    },
  );
}

function missingIntermediate(message: string, leaf: Certificate, registry: string): Finding {
  return finding(
    "missing-intermediate",
    "error",
    `The server sends only its own certificate; the intermediate "${leaf.issuer}" that issued it is missing. Browsers fetch it through the AIA URL and hide the problem; container runtimes never do.`,
    {
      evidence: [message, `AIA caIssuers: ${leaf.aiaIssuers.join(", ")}`],
      fix: [
        "Fix the server: serve the full chain (cat server.crt intermediate.crt > fullchain.crt) and reload the registry.",
        `Node-side workaround until then: regtrust chain ${registry} --complete   # fetches the intermediate via AIA, shows fingerprints`,
        `then put the intermediate and its root in one file: regtrust trust ${registry} --ca ca-chain.pem`,
      ],
    },
  );
}
