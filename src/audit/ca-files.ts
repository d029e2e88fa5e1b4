import { type Finding, finding } from "../findings/finding.ts";
import { caFileFindings } from "../node/ca-findings.ts";
import { readTrustSource } from "../node/trust-source.ts";
import type { TrustSource } from "../node/types.ts";
import type { Certificate } from "../pki/certificate.ts";
import { goAppendCertsFromPEM, readCertificates } from "../pki/read-bundle.ts";
import { type AuditContext, at, where } from "./context.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface CaFileRef {
  /** Node-absolute path of the CA file. */
  path: string;
  /** The config file and line that named it; null for a file found by directory layout (certs.d *.crt). */
  declaredIn: { file: string; line: number | null } | null;
  runtime: string;
  registry: string;
  /** Why the file is loaded, e.g. "hosts.toml ca", "certs.d *.crt". */
  origin: string;
  /** The loader also takes DER (RHEL's p11-kit anchors), so a binary file is not a problem. */
  acceptsDer?: boolean;
}

/**
 * Checks one configured CA file the way a Go runtime loads it
 * (x509.CertPool.AppendCertsFromPEM): missing or unreadable, no PEM
 * certificate in it (a DER file named .crt loads nothing), and then each
 * certificate: expired, expiring within `expiringDays`, not a CA.
 */
export function auditCaFile(ctx: AuditContext, ref: CaFileRef): void {
  if (ctx.checkedCaFiles.has(ref.path)) return;
  ctx.checkedCaFiles.add(ref.path);
  const source = readTrustSource(ctx.fs, ref.path, ref.origin, ref.declaredIn);
  if (source.bytes === null) {
    ctx.findings.push(
      ...caFileFindings([source], {
        runtime: ref.runtime,
        registry: ref.registry,
        consequence: `fails every pull from ${ref.registry} that uses it ("unable to read CA cert")`,
      }),
    );
    return;
  }
  const certs = ref.acceptsDer ? anyCertificates(source) : goAppendCertsFromPEM(source.bytes);
  if (certs.length === 0) {
    ctx.findings.push(notPem(source, ref));
    return;
  }
  for (const cert of certs) ctx.findings.push(...certificateFindings(ctx, cert, ref));
}

function locate(ref: CaFileRef): { file: string; line?: number } {
  return ref.declaredIn ? at(ref.declaredIn.file, ref.declaredIn.line) : { file: ref.path };
}

function notPem(source: TrustSource, ref: CaFileRef): Finding {
  const der = isDerCertificate(source);
  const reason = der
    ? "it holds a DER (binary) certificate, and Go loads only PEM CERTIFICATE blocks from CA files"
    : "it holds no PEM CERTIFICATE block";
  return finding(
    "ca-file-unusable",
    "error",
    `${ref.runtime} loads nothing from the CA file ${ref.path}: ${reason}, so ${ref.registry} stays untrusted${ref.declaredIn ? ` (set at ${where(ref.declaredIn.file, ref.declaredIn.line)})` : ""}.`,
    {
      ...locate(ref),
      contexts: [ref.runtime],
      evidence: [`${ref.origin}: ${ref.path}`],
      fix: der
        ? [`openssl x509 -inform DER -in ${ref.path} -out ${ref.path}.pem && mv ${ref.path}.pem ${ref.path}`]
        : [
            `Replace ${ref.path} with the registry's CA certificate in PEM form, or: regtrust trust ${ref.registry} --ca <ca.pem>`,
          ],
    },
  );
}

function anyCertificates(source: TrustSource): Certificate[] {
  try {
    return source.bytes === null ? [] : readCertificates(source.bytes, source.path).certs;
  } catch {
    return [];
  }
}

function isDerCertificate(source: TrustSource): boolean {
  if (source.bytes === null) return false;
  try {
    return readCertificates(source.bytes, source.path).format === "der";
  } catch {
    return false;
  }
}

function certificateFindings(ctx: AuditContext, cert: Certificate, ref: CaFileRef): Finding[] {
  const label = `${cert.subject} in ${ref.path}`;
  const evidence = [
    `subject: ${cert.subject}`,
    `notAfter: ${cert.notAfter.toISOString()}`,
    `sha256: ${cert.sha256}`,
  ];
  const base = { ...locate(ref), contexts: [ref.runtime], evidence };
  const out: Finding[] = [];
  const left = cert.notAfter.getTime() - ctx.now.getTime();
  if (left < 0) {
    out.push(
      finding(
        "expired",
        "error",
        `The CA certificate ${label} expired on ${cert.notAfter.toISOString()}; ${ref.runtime} can no longer verify ${ref.registry} with it.`,
        { ...base, fix: [`regtrust trust ${ref.registry} --ca <renewed-ca.pem>`] },
      ),
    );
  } else if (left < ctx.expiringDays * DAY_MS) {
    out.push(
      finding(
        "expiring-soon",
        "warning",
        `The CA certificate ${label} expires in ${Math.ceil(left / DAY_MS)} days (${cert.notAfter.toISOString()}); pulls from ${ref.registry} fail after that.`,
        { ...base, fix: [`Renew the CA, then: regtrust trust ${ref.registry} --ca <renewed-ca.pem>`] },
      ),
    );
  }
  if (!cert.isCA) {
    // Go still accepts a leaf that is itself in the root pool, so this works
    // only until the registry renews its certificate (x509 verify.go).
    out.push(
      finding(
        "not-a-ca",
        "warning",
        `${label} is not a CA certificate (no basicConstraints CA:TRUE); it works only while ${ref.registry} serves exactly this certificate and breaks at its next renewal.`,
        {
          ...base,
          fix: [
            `Configure the CA that issued it instead: regtrust trust ${ref.registry} --ca <issuing-ca.pem>`,
          ],
        },
      ),
    );
  }
  return out;
}
