import type { Severity } from "../findings/codes.ts";

/**
 * What `chain` and `inspect` report about a list of certificates. Kinds are
 * stable kebab-case identifiers (add new ones, never rename), the same way
 * finding codes are; `position` is the 1-based certificate number.
 *
 * Chain as sent: duplicate, wrong-order, unrelated-certificate, root-sent,
 * missing-issuer, issuer-loop, self-signed-leaf, not-a-ca, expired, not-yet-valid,
 * expiring-soon, undecodable; a connection failure has diagnose's finding code
 * (dns-failure, connection-refused, timeout, plain-http, tls-handshake-failed).
 * AIA completion: aia-no-url, aia-unsupported-scheme, aia-http-status, aia-redirects,
 * aia-loop, aia-timeout, aia-too-large, aia-network, aia-undecodable,
 * aia-wrong-certificate, aia-signature-mismatch, aia-limit, no-root.
 * Bundles (inspect): private-key, ignored-by-go, unsupported-block, leaf-among-cas,
 * not-pem.
 */
export interface ChainIssue {
  kind: string;
  severity: Severity;
  message: string;
  position: number | null;
  /** The AIA URL involved, for aia-* kinds. */
  url?: string;
}

export function issue(
  kind: string,
  severity: Severity,
  message: string,
  position: number | null = null,
  url?: string,
): ChainIssue {
  return url === undefined
    ? { kind, severity, message, position }
    : { kind, severity, message, position, url };
}

export function hasErrors(issues: readonly ChainIssue[]): boolean {
  return issues.some((i) => i.severity === "error");
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then warnings, then information; stable within a severity. */
export function bySeverity(issues: readonly ChainIssue[]): ChainIssue[] {
  return [...issues].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}
