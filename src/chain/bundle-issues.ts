import type { Severity } from "../findings/codes.ts";
import type { Certificate } from "../pki/certificate.ts";
import type { ReadBundle } from "../pki/read-bundle.ts";
import type { BundleRelations } from "./bundle-relations.ts";
import { certLabel, daysLeft } from "./certificate-view.ts";
import { type ChainIssue, issue } from "./chain-issue.ts";

export interface BundleFacts {
  name: string;
  bundle: ReadBundle;
  relations: BundleRelations;
  /** Per certificate: Go's AppendCertsFromPEM would load it. */
  goLoads: boolean[];
  /** The input starts with a UTF-8 byte-order mark. */
  bom: boolean;
  /** The input is PEM-armoured text (as opposed to binary DER). */
  armoured: boolean;
  now: Date;
  expiringDays: number;
}

/**
 * What is odd about a bundle. Severities: error for what breaks every use
 * (undecodable blocks, validity, a non-CA signing others); warning for what
 * breaks some uses (Go skipping certificates, private keys, leaves among CAs,
 * duplicates, expiry soon); info for notes (a lone leaf, a server chain file). In a store of self-signed roots
 * an expired root is only a warning: it matters only to the registry it anchors.
 */
export function bundleIssues(f: BundleFacts): ChainIssue[] {
  return [
    ...blockIssues(f.bundle),
    ...privateKeyIssues(f.bundle.privateKeys),
    ...goIssues(f),
    ...duplicateIssues(f.bundle.certs, f.relations),
    ...notCaIssues(f.bundle.certs, f.relations),
    ...leafIssues(f.bundle.certs, f.relations),
    ...validityIssues(f),
  ];
}

function blockIssues(bundle: ReadBundle): ChainIssue[] {
  return bundle.problems.map((p) => {
    const where = `block ${p.block} (${p.label})`;
    if (p.kind === "undecodable")
      return issue("undecodable", "error", `${where} does not decode: ${p.message}`);
    if (p.kind === "unsupported-block")
      return issue("unsupported-block", "info", `${where} is ignored: ${p.message}`);
    return issue("ignored-by-go", "warning", `${where}: ${p.message}`);
  });
}

function privateKeyIssues(count: number): ChainIssue[] {
  if (count === 0) return [];
  const message =
    `the file contains ${count} private key block${count === 1 ? "" : "s"} (not shown). ` +
    "Never hand it out as a CA bundle or copy it to nodes; keep the key in its own file readable only by the server.";
  return [issue("private-key", "warning", message)];
}

const GO_READERS = "Go runtimes (containerd, Docker, CRI-O, k3s) load CA files with AppendCertsFromPEM";

function goIssues(f: BundleFacts): ChainIssue[] {
  const skipped = f.goLoads.flatMap((loads, i) => (loads ? [] : [i + 1]));
  if (skipped.length === 0) return [];
  const { format } = f.bundle;
  if (format === "der" || format === "pkcs7") {
    const what = format === "der" ? "DER" : f.armoured ? "PKCS#7 (PEM-armoured)" : "PKCS#7 (DER)";
    const convert =
      format === "der"
        ? `openssl x509 -inform DER -in ${f.name} -out ca.pem`
        : `openssl pkcs7 -inform ${f.armoured ? "PEM" : "DER"} -print_certs -in ${f.name} -out ca.pem`;
    const message = `${GO_READERS}, which reads PEM CERTIFICATE blocks only: this ${what} file gives them no certificate. Convert it: ${convert}`;
    return [issue("not-pem", "warning", message)];
  }
  const out: ChainIssue[] = [];
  if (f.bom && skipped[0] === 1) {
    const message = `a UTF-8 byte-order mark before the first block hides certificate 1 from Go's PEM decoder: ${GO_READERS} and silently skip it. Remove the BOM (e.g. sed -i '1s/^\\xEF\\xBB\\xBF//' ${f.name}).`;
    out.push(issue("ignored-by-go", "warning", message, 1));
  }
  const explained = out.length + f.bundle.problems.filter((p) => p.kind === "ignored-by-go").length;
  if (skipped.length > explained) {
    const message = `${GO_READERS}; it loads ${f.goLoads.length - skipped.length} of ${f.goLoads.length} certificates here (skipped: ${skipped.map((p) => `#${p}`).join(", ")}), e.g. because of PKCS#7 or labelled blocks`;
    out.push(issue("ignored-by-go", "warning", message));
  }
  return out;
}

function duplicateIssues(certs: readonly Certificate[], relations: BundleRelations): ChainIssue[] {
  return relations.duplicateOf.flatMap((first, i) =>
    first === null
      ? []
      : [
          issue(
            "duplicate",
            "warning",
            `${certLabel(certs[i]!, i + 1)} is a duplicate of certificate ${first}`,
            i + 1,
          ),
        ],
  );
}

function notCaIssues(certs: readonly Certificate[], relations: BundleRelations): ChainIssue[] {
  return certs.flatMap((cert, i) => {
    if (cert.isCA || cert.selfSigned) return [];
    const signed = relations.issuedBy.flatMap((p, k) => (p === i + 1 ? [k + 1] : []));
    if (signed.length === 0) return [];
    const message = `${certLabel(cert, i + 1)} signed certificate ${signed.join(", ")} but is not a CA (no basicConstraints CA:TRUE); Go rejects such chains`;
    return [issue("not-a-ca", "error", message, i + 1)];
  });
}

function leafIssues(certs: readonly Certificate[], relations: BundleRelations): ChainIssue[] {
  const unique = certs.filter((_, i) => relations.duplicateOf[i] === null);
  const hasCa = unique.some((c) => c.isCA);
  return certs.flatMap((cert, i) => {
    if (cert.isCA || relations.duplicateOf[i] !== null) return [];
    const label = certLabel(cert, i + 1);
    if (unique.length === 1) {
      if (cert.selfSigned) return [];
      const message = `${label} is a server (leaf) certificate, not a CA: fine as the registry's certificate, useless as a --ca file. Trust the root that issued it (${cert.issuer}) instead.`;
      return [issue("leaf-only", "info", message, 1)];
    }
    if (!hasCa) return [];
    if (i === 0 && relations.issuedBy[0] !== null) {
      const message = `${label} is a leaf followed by its issuers: a server chain file (fine for the registry); as a --ca file use only the root`;
      return [issue("leaf-among-cas", "info", message, 1)];
    }
    const message = `${label} is a leaf (not a CA) among CA certificates: in a CA file it anchors nothing but itself; remove it`;
    return [issue("leaf-among-cas", "warning", message, i + 1)];
  });
}

function validityIssues(f: BundleFacts): ChainIssue[] {
  const rootStore = f.relations.order === "roots";
  const severity: Severity = rootStore ? "warning" : "error";
  return f.bundle.certs.flatMap((cert, i) => {
    const label = certLabel(cert, i + 1);
    if (f.now < cert.notBefore) {
      return [
        issue(
          "not-yet-valid",
          severity,
          `${label} is not valid before ${cert.notBefore.toISOString()}`,
          i + 1,
        ),
      ];
    }
    if (f.now > cert.notAfter) {
      return [issue("expired", severity, `${label} expired at ${cert.notAfter.toISOString()}`, i + 1)];
    }
    const days = daysLeft(cert, f.now);
    if (days >= f.expiringDays) return [];
    return [
      issue(
        "expiring-soon",
        "warning",
        `${label} expires in ${days} day${days === 1 ? "" : "s"} (${cert.notAfter.toISOString()})`,
        i + 1,
      ),
    ];
  });
}
