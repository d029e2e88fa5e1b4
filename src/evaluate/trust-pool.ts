import { type Finding, finding } from "../findings/finding.ts";
import type { TrustSource } from "../node/types.ts";
import { CertPool } from "../pki/cert-pool.ts";
import type { Certificate } from "../pki/certificate.ts";
import { decodeFailure } from "../pki/decode-failure.ts";
import { goParseError } from "../pki/go-parse.ts";
import type { GoRules } from "../pki/go-rules.ts";
import { goAppendCertsFromPEM, readCertificates } from "../pki/read-bundle.ts";

/** Certificates one trust file contributes, loaded exactly as Go's AppendCertsFromPEM would. */
export interface LoadedSource {
  source: TrustSource;
  certs: Certificate[];
  findings: Finding[];
}

/**
 * Loads a CA file the way the Go runtimes do: PEM CERTIFICATE blocks only.
 * A readable file that yields nothing is `ca-file-unusable`, with the reason
 * (DER, a private key, an empty file) found by our lenient reader.
 */
export function loadTrustSource(
  source: TrustSource,
  reportUnusable: boolean,
  parsed?: Map<string, Certificate>,
): LoadedSource {
  if (source.bytes === null) return { source, certs: [], findings: [] };
  // Go skips a CERTIFICATE block that does not parse. Per-registry CA files
  // (few, and user-supplied) are decoded in full here and reported; the
  // distro's OS bundle is parsed deferred, to keep start-up cheap (issue #9),
  // and the pool skips a root that turns out not to decode (pki/cert-pool.ts).
  const appended = goAppendCertsFromPEM(source.bytes, parsed, { deferred: !reportUnusable });
  const certs = reportUnusable ? appended.filter((c) => decodeFailure(c) === null) : appended;
  if (certs.length > 0 || !reportUnusable) return { source, certs, findings: [] };
  return { source, certs, findings: [unusableFinding(source)] };
}

function unusableFinding(source: TrustSource): Finding {
  const why = whyUnusable(source.bytes ?? new Uint8Array());
  const where = source.declaredIn
    ? `${source.declaredIn.file}${source.declaredIn.line ? `:${source.declaredIn.line}` : ""}`
    : null;
  return finding(
    "ca-file-unusable",
    "error",
    `The CA file ${source.path} (${source.origin}) contains no PEM certificate the runtime can load: ${why}.`,
    {
      file: source.path,
      evidence: where ? [`referenced from ${where}`] : [],
      fix: why.startsWith("it is DER")
        ? [
            `openssl x509 -inform der -in ${source.path} -out ${source.path}.pem   # then point the config at the .pem file`,
          ]
        : ["Replace the file with the PEM-encoded CA certificate (-----BEGIN CERTIFICATE-----)."],
    },
  );
}

function whyUnusable(bytes: Uint8Array): string {
  if (bytes.length === 0) return "the file is empty";
  try {
    const read = readCertificates(bytes, "file");
    if (read.format === "der") return "it is DER (binary); Go runtimes read PEM only";
    if (read.format === "pkcs7") return "it is PKCS#7; Go runtimes read PEM CERTIFICATE blocks only";
    return "its certificate blocks do not decode";
  } catch {
    const text = Buffer.from(bytes).toString("latin1");
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return "it holds a private key, not a certificate";
    return "no certificate was found in it";
  }
}

/** A trust pool plus the files it came from, for `contexts[].anchors` and evidence. */
export interface TrustPool {
  pool: CertPool;
  sources: LoadedSource[];
}

/** `rules`: the Go release whose parser decides which pooled certificates count (cert-pool.ts). */
export function buildPool(sources: readonly LoadedSource[], rules: GoRules | null = null): TrustPool {
  const pool = new CertPool(rules);
  for (const s of sources) for (const c of s.certs) pool.add(c);
  return { pool, sources: [...sources] };
}

/**
 * The file a certificate in the pool came from. Sources are searched from the
 * most specific (per-registry CA files, added last) to the OS store.
 */
export function sourceOf(pool: TrustPool, cert: Certificate): string | null {
  for (const s of [...pool.sources].reverse())
    if (s.certs.some((c) => c.sha256 === cert.sha256)) return s.source.path;
  return null;
}

/**
 * Certificates of a per-registry CA file that this context's Go refuses to
 * parse (a repeated extension, a negative serial for Go ≥ 1.23, …):
 * AppendCertsFromPEM skips them without a word, so the file anchors less than
 * it seems to. One finding per file; an error when nothing in it is left.
 */
export function goRefusedCaFinding(loaded: LoadedSource, rules: GoRules): Finding | null {
  const refused = loaded.certs
    .map((cert, i) => ({ i, cert, why: goParseError(cert.der, rules) }))
    .filter((r) => r.why !== null);
  if (refused.length === 0) return null;
  const left = loaded.certs.length - refused.length;
  const which = refused.map((r) => `#${r.i + 1} "${r.cert.subject}": ${r.why}`);
  return finding(
    "ca-file-unusable",
    left === 0 ? "error" : "warning",
    `The CA file ${loaded.source.path} holds ${refused.length === 1 ? "a certificate" : `${refused.length} certificates`} that ${rules.version}'s parser refuses, so the runtime skips ${refused.length === 1 ? "it" : "them"} silently${left === 0 ? " and the file anchors nothing" : ""}.`,
    {
      file: loaded.source.path,
      evidence: which,
      fix: ["Reissue the CA certificate without the defect (see the evidence) and replace it in the file."],
    },
  );
}
