import { InputError } from "../core/errors.ts";
import type { Certificate } from "./certificate.ts";
import { DerError, readTlv } from "./der.ts";
import { goPemBlocks } from "./go-pem.ts";
import { parseCertificate } from "./parse-certificate.ts";
import { certificatesFromPkcs7 } from "./pkcs7.ts";

/** Something in a bundle we could not use; the bundle itself still loads. */
export interface BundleProblem {
  kind: "undecodable" | "unsupported-block" | "ignored-by-go";
  /** 1-based position of the PEM block (or 1 for binary input). */
  block: number;
  /** PEM label, "DER" or "PKCS7". */
  label: string;
  message: string;
}

export type BundleFormat = "pem" | "der" | "pkcs7" | "mixed";

export interface ReadBundle {
  certs: Certificate[];
  problems: BundleProblem[];
  /** Private-key blocks seen (their contents are never returned). */
  privateKeys: number;
  format: BundleFormat;
}

const CERT_LABELS = new Set(["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"]);
const PKCS7_LABELS = new Set(["PKCS7", "PKCS #7 SIGNED DATA", "CMS"]);
const PEM_BLOCK = /-----BEGIN ([^\r\n-]+)-----([\s\S]*?)-----END \1-----/g;

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

function stripBom(text: string): string {
  return text.startsWith("\xef\xbb\xbf") ? text.slice(3) : text;
}

/** Body of a lenient PEM block: header lines dropped, base64 checked. */
function blockBytes(body: string): Uint8Array | null {
  const lines = body.split(/\r?\n/).filter((l) => !l.includes(":"));
  const compact = lines.join("").replace(/\s+/g, "");
  if (compact.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return null;
  return new Uint8Array(Buffer.from(compact, "base64"));
}

/** OpenSSL's TRUSTED CERTIFICATE is a certificate followed by trust settings. */
function firstElement(bytes: Uint8Array): Uint8Array {
  try {
    return bytes.subarray(0, readTlv(bytes, 0).end);
  } catch {
    return bytes;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface Collector {
  out: ReadBundle;
  sources: Set<"pem" | "der" | "pkcs7">;
}

function addCertificate(c: Collector, der: Uint8Array, block: number, label: string): void {
  try {
    c.out.certs.push(parseCertificate(der));
  } catch (error) {
    c.out.problems.push({ kind: "undecodable", block, label, message: messageOf(error) });
  }
}

function addPkcs7(c: Collector, der: Uint8Array, block: number, label: string): void {
  try {
    for (const certDer of certificatesFromPkcs7(der)) addCertificate(c, certDer, block, label);
    c.sources.add("pkcs7");
  } catch (error) {
    c.out.problems.push({ kind: "undecodable", block, label, message: messageOf(error) });
  }
}

function readPemBlock(c: Collector, label: string, body: string, block: number): void {
  if (/PRIVATE KEY$/.test(label)) {
    c.out.privateKeys++;
    return;
  }
  const isCert = CERT_LABELS.has(label);
  if (!isCert && !PKCS7_LABELS.has(label)) {
    c.out.problems.push({
      kind: "unsupported-block",
      block,
      label,
      message: `a ${label} block is not a certificate`,
    });
    return;
  }
  const bytes = blockBytes(body);
  if (!bytes) {
    c.out.problems.push({ kind: "undecodable", block, label, message: "the base64 body is malformed" });
    return;
  }
  if (!isCert) {
    addPkcs7(c, bytes, block, label);
    return;
  }
  c.sources.add("pem");
  const before = c.out.certs.length;
  addCertificate(c, label === "TRUSTED CERTIFICATE" ? firstElement(bytes) : bytes, block, label);
  if (c.out.certs.length > before && (label !== "CERTIFICATE" || body.includes(":"))) {
    const why = label !== "CERTIFICATE" ? `the ${label} label` : "PEM headers";
    c.out.problems.push({
      kind: "ignored-by-go",
      block,
      label,
      message: `Go runtimes skip this certificate because of ${why} (only plain CERTIFICATE blocks load)`,
    });
  }
}

function readBinary(c: Collector, bytes: Uint8Array, name: string): void {
  try {
    c.out.certs.push(parseCertificate(bytes));
    c.sources.add("der");
    return;
  } catch {
    // not a single certificate; maybe PKCS#7 below
  }
  try {
    const ders = certificatesFromPkcs7(bytes);
    for (const der of ders) addCertificate(c, der, 1, "PKCS7");
    c.sources.add("pkcs7");
  } catch (error) {
    const detail = error instanceof DerError ? `: ${error.message}` : "";
    throw new InputError(`${name} is neither PEM nor a DER certificate or PKCS#7 bundle${detail}`);
  }
}

function formatOf(sources: Set<"pem" | "der" | "pkcs7">): BundleFormat {
  if (sources.size !== 1) return "mixed";
  return [...sources][0]!;
}

function noCertificateError(name: string, out: ReadBundle): InputError {
  const notes: string[] = [];
  if (out.privateKeys > 0) notes.push(`${out.privateKeys} private key block(s)`);
  for (const p of out.problems) notes.push(`block ${p.block} (${p.label}): ${p.message}`);
  const detail = notes.length > 0 ? `; found ${notes.join("; ")}` : "";
  return new InputError(`${name} contains no certificate${detail}`);
}

/**
 * Lenient reader for anything a user may hand us: PEM with junk between blocks
 * (openssl s_client output), CRLF, a UTF-8 BOM, TRUSTED CERTIFICATE blocks, a
 * single DER certificate, or PKCS#7 (.p7b/.p7c, PEM or DER). Never throws for a
 * bad block; throws InputError naming `name` when no certificate is found at all.
 */
export function readCertificates(bytes: Uint8Array, name: string): ReadBundle {
  const c: Collector = {
    out: { certs: [], problems: [], privateKeys: 0, format: "pem" },
    sources: new Set(),
  };
  const text = stripBom(latin1(bytes));
  if (text.trim().length === 0) throw new InputError(`${name} is empty`);
  if (text.includes("-----BEGIN ")) {
    let block = 0;
    for (const m of text.matchAll(PEM_BLOCK)) readPemBlock(c, m[1]!, m[2]!, ++block);
  } else {
    readBinary(c, bytes, name);
  }
  if (c.out.certs.length === 0) throw noCertificateError(name, c.out);
  c.out.format = formatOf(c.sources);
  return c.out;
}

/**
 * Exactly Go's CertPool.AppendCertsFromPEM (crypto/x509/cert_pool.go): only PEM
 * blocks of type CERTIFICATE without headers, undecodable ones skipped silently,
 * DER input yields nothing. The runtimes load every CA file this way.
 * `deferred` parses only what a pool indexes by (pki/parse-certificate.ts);
 * the pool then skips a deferred certificate that does not decode.
 */
export function goAppendCertsFromPEM(
  bytes: Uint8Array,
  parsed?: Map<string, Certificate>,
  opts: { deferred?: boolean } = {},
): Certificate[] {
  const certs: Certificate[] = [];
  for (const block of goPemBlocks(latin1(bytes))) {
    if (block.type !== "CERTIFICATE" || Object.keys(block.headers).length > 0) continue;
    try {
      // `parsed` lets one load share certificates reached twice (Debian's
      // bundle and its per-root links in /etc/ssl/certs hold the same roots).
      const key = parsed ? Buffer.from(block.bytes).toString("base64") : "";
      const known = parsed?.get(key);
      const cert = known ?? parseCertificate(block.bytes, opts);
      if (parsed && !known) parsed.set(key, cert);
      certs.push(cert);
    } catch {
      // Go: `if err != nil { continue }`
    }
  }
  return certs;
}

/** PEM text for certificates, one CERTIFICATE block each, 64-column base64. */
export function toPem(certs: readonly Certificate[]): string {
  return certs
    .map((cert) => {
      const b64 = Buffer.from(cert.der).toString("base64");
      const lines = b64.match(/.{1,64}/g) ?? [];
      return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
    })
    .join("");
}
