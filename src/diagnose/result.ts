import type { Finding } from "../findings/finding.ts";
import type { ContextName } from "../node/types.ts";
import type { TargetJson } from "../target/target.ts";

/** `regtrust diagnose --json`, schemaVersion 1 (docs/schema/diagnose.schema.json). Field names are the contract. */
export interface DiagnoseResult {
  schemaVersion: 1;
  target: TargetJson;
  /** Every runtime context on this node would pull (the system context alone if no runtime was found). */
  ok: boolean;
  presented: PresentedCertificate[];
  contexts: ContextResult[];
  registry: { status: number | null; apiVersion: string | null; authRealm: string | null } | null;
  findings: Finding[];
  /** Extra facts for the human view; additive fields are allowed in schemaVersion 1. */
  connection: { address: string | null; protocol: string | null; durationMs: number } | null;
  checkedAt: string;
}

export interface PresentedCertificate {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  sans: string[];
  isCA: boolean;
  selfSigned: boolean;
  sha256: string;
}

export interface ContextResult {
  name: ContextName;
  ok: boolean;
  /** Node-absolute files whose certificates form this context's trust pool for the registry. */
  anchors: string[];
  insecure: boolean;
  /** When `regtrust insecure` set the override: its expiry (ISO 8601); a later check removes it in enforce mode. */
  insecureExpiresAt?: string;
  /** The error the runtime itself reports (Go's text), or null when it verifies. */
  error: string | null;
  /** How this runtime is configured for the registry, in one line. */
  summary?: string;
}
