import type { Clock } from "../core/deps.ts";
import { InputError } from "../core/errors.ts";
import type { Certificate } from "../pki/certificate.ts";
import { partitionDecodable } from "../pki/decode-failure.ts";
import {
  type BundleFormat,
  type BundleProblem,
  goAppendCertsFromPEM,
  type ReadBundle,
  readCertificates,
} from "../pki/read-bundle.ts";
import { bundleIssues } from "./bundle-issues.ts";
import { type BundleOrder, bundleRelations } from "./bundle-relations.ts";
import { type CertificateView, certificateView } from "./certificate-view.ts";
import { bySeverity, type ChainIssue, hasErrors } from "./chain-issue.ts";

/** `regtrust inspect --json`, schemaVersion 1; documented on runInspect (src/cli/commands/inspect.ts). */
export interface InspectReport {
  schemaVersion: 1;
  /** The file as named on the command line ("-" for stdin). */
  file: string;
  format: BundleFormat;
  count: number;
  /** Certificates Go's AppendCertsFromPEM would load from this file (what the runtimes see). */
  goLoads: number;
  privateKeys: number;
  order: BundleOrder;
  /** One line: "150 self-signed roots", "one chain of 3, leaf first", … */
  summary: string;
  certificates: InspectedCertificate[];
  /** Each chain bottom first, as positions. */
  chains: number[][];
  issues: ChainIssue[];
  /** No error-level issue. */
  ok: boolean;
  checkedAt: string;
}

export interface InspectedCertificate extends CertificateView {
  /** Position of the certificate in this file that issued it (signature verified), or null. */
  issuedBy: number | null;
  duplicateOf: number | null;
  goLoads: boolean;
}

export interface InspectOptions {
  clock: Clock;
  expiringDays: number;
}

/**
 * Reads any bundle a user has at hand and says what is in it. Throws only
 * InputError (naming `name`) when the bytes hold no certificate at all.
 */
export function inspectBundle(bytes: Uint8Array, name: string, opts: InspectOptions): InspectReport {
  const bundle = decodableOnly(readCertificates(bytes, name), name);
  const now = opts.clock.now();
  const relations = bundleRelations(bundle.certs);
  const goLoads = loadedByGo(bundle.certs, bytes);
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const armoured = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes("-----BEGIN ");
  const facts = { name, bundle, relations, goLoads, bom, armoured, now, expiringDays: opts.expiringDays };
  const issues = bundleIssues(facts);
  return {
    schemaVersion: 1,
    file: name,
    format: bundle.format,
    count: bundle.certs.length,
    goLoads: goLoads.filter(Boolean).length,
    privateKeys: bundle.privateKeys,
    order: relations.order,
    summary: summaryOf(relations.order, bundle.certs, relations.chains),
    certificates: bundle.certs.map((cert, i) => ({
      ...certificateView(cert, i + 1, { source: "file" }, now),
      issuedBy: relations.issuedBy[i] ?? null,
      duplicateOf: relations.duplicateOf[i] ?? null,
      goLoads: goLoads[i] ?? false,
    })),
    chains: relations.chains,
    issues: bySeverity(issues),
    ok: !hasErrors(issues),
    checkedAt: now.toISOString(),
  };
}

/** Certificates that fail to decode completely become undecodable problems, like blocks that fail outright. */
function decodableOnly(read: ReadBundle, name: string): ReadBundle {
  const { good, bad } = partitionDecodable(read.certs);
  if (bad.length === 0) return read;
  const problems: BundleProblem[] = bad.map((b) => ({
    kind: "undecodable",
    block: b.position,
    label: "certificate",
    message: `certificate ${b.position} in reading order does not decode: ${b.reason}`,
  }));
  const bundle = { ...read, certs: good, problems: [...read.problems, ...problems] };
  if (good.length === 0)
    throw new InputError(`${name} contains no certificate that decodes (${bad[0]?.reason})`);
  return bundle;
}

/** Matches Go's view against ours by fingerprint, consuming one Go certificate per match. */
function loadedByGo(certs: readonly Certificate[], bytes: Uint8Array): boolean[] {
  const remaining = new Map<string, number>();
  for (const cert of goAppendCertsFromPEM(bytes))
    remaining.set(cert.sha256, (remaining.get(cert.sha256) ?? 0) + 1);
  return certs.map((cert) => {
    const left = remaining.get(cert.sha256) ?? 0;
    if (left > 0) remaining.set(cert.sha256, left - 1);
    return left > 0;
  });
}

function summaryOf(order: BundleOrder, certs: readonly Certificate[], chains: number[][]): string {
  const count = certs.length;
  const first = certs[0];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const chainText = (chain: number[]) => chain.map((p) => `#${p}`).join(" ← ");
  switch (order) {
    case "single": {
      const kind = !first
        ? "a certificate"
        : !first.isCA
          ? "a server (leaf) certificate"
          : first.selfSigned
            ? "a self-signed root"
            : "an intermediate CA";
      return count === 1 ? kind : `${count} copies of ${kind}`;
    }
    case "roots":
      return plural(count, "self-signed root");
    case "leaf-first":
      return `one chain of ${chains[0]?.length ?? count}, in order (leaf first, each issued by the next)`;
    case "root-first":
      return `one chain of ${chains[0]?.length ?? count}, in reverse order (root first; servers must send the leaf first)`;
    case "unordered":
      return `one chain of ${chains[0]?.length ?? count}, out of order: ${chainText(chains[0] ?? [])} (leaf ← issuer)`;
    case "several":
      return `${plural(count, "certificate")} in ${plural(chains.length, "separate chain")}`;
  }
}
