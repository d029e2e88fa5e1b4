import type { FindingCode, Severity } from "./codes.ts";

/**
 * One thing we found. A failed check is data, not an exception: every layer
 * returns findings and the CLI decides the exit code from their severities.
 */
export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** One plain sentence a tired operator understands. */
  message: string;
  /** Facts behind the verdict: the certificate, file and line, error text. */
  evidence?: string[];
  /** Commands or `regtrust …` invocations that fix it, in order. */
  fix: string[];
  /** Trust contexts (system, containerd, …) the finding applies to; absent = all. */
  contexts?: string[];
  /** Node-absolute file the finding is about, and its 1-based line when known. */
  file?: string;
  line?: number;
}

export function finding(
  code: FindingCode,
  severity: Severity,
  message: string,
  extra: Partial<Omit<Finding, "code" | "severity" | "message">> = {},
): Finding {
  return { code, severity, message, fix: [], ...extra };
}

export function worstSeverity(findings: readonly Finding[]): Severity | null {
  if (findings.some((f) => f.severity === "error")) return "error";
  if (findings.some((f) => f.severity === "warning")) return "warning";
  return findings.length > 0 ? "info" : null;
}
