import type { Certificate } from "../pki/certificate.ts";

/** Where a certificate in a report came from. */
export type CertificateOrigin = { source: "server" } | { source: "aia"; url: string } | { source: "file" };

/**
 * One certificate as `chain` and `inspect` show it (text and `--json`).
 * `position` is 1-based and matches the "certificate N" wording of every message.
 */
export interface CertificateView {
  position: number;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  /** Whole days until notAfter; negative once expired. */
  daysLeft: number;
  /** "DNS:name", "IP:addr", "email:…", "URI:…" as openssl prints them. */
  sans: string[];
  isCA: boolean;
  selfSigned: boolean;
  /** e.g. "ECDSA P-256", "RSA 2048", "Ed25519". */
  key: string;
  /** Go's spelling, e.g. "SHA256-RSA", "ECDSA-SHA256". */
  signatureAlgorithm: string;
  /** Upper-case hex pairs joined by ':' (as `openssl x509 -fingerprint -sha256`). */
  sha256: string;
  /** AIA caIssuers URLs (where the issuer can be downloaded). */
  aiaIssuers: string[];
  origin: CertificateOrigin;
}

const DAY_MS = 86_400_000;

export function daysLeft(cert: Certificate, now: Date): number {
  return Math.floor((cert.notAfter.getTime() - now.getTime()) / DAY_MS);
}

export function describeKey(key: Certificate["publicKey"]): string {
  if (key.curve) return `${key.algorithm} ${key.curve}`;
  if (key.bits) return `${key.algorithm} ${key.bits}`;
  return key.algorithm;
}

export function sanList(cert: Certificate): string[] {
  return [
    ...cert.sans.dns.map((n) => `DNS:${n}`),
    ...cert.sans.ip.map((n) => `IP:${n}`),
    ...cert.sans.email.map((n) => `email:${n}`),
    ...cert.sans.uri.map((n) => `URI:${n}`),
  ];
}

export function certificateView(
  cert: Certificate,
  position: number,
  origin: CertificateOrigin,
  now: Date,
): CertificateView {
  return {
    position,
    subject: cert.subject,
    issuer: cert.issuer,
    serial: cert.serial,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    daysLeft: daysLeft(cert, now),
    sans: sanList(cert),
    isCA: cert.isCA,
    selfSigned: cert.selfSigned,
    key: describeKey(cert.publicKey),
    signatureAlgorithm: cert.signatureAlgorithm.name,
    sha256: cert.sha256,
    aiaIssuers: [...cert.aiaIssuers],
    origin,
  };
}

/** "certificate 2 (CN=…)": the label every message uses. */
export function certLabel(cert: Certificate, position: number): string {
  return `certificate ${position} (${cert.subject})`;
}
