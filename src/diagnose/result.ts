import type { Finding } from "../findings/finding.ts";
import type { ContextName, ResolvedView } from "../node/types.ts";
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
  /** Endpoints the runtime tries before the registry itself, in order (additive). */
  mirrors?: string[];
  /** The runtime's resolved configuration, field by field (additive; docs/diagnose-json.md). */
  resolved?: ResolvedView;
  /**
   * A restart regtrust left to run for this runtime (journal): `pending` when the
   * running daemon predates the change, `unconfirmed` when regtrust cannot see it.
   */
  restart?: { unit: string; command: string; status: "pending" | "unconfirmed"; since: string };
  /** The Go release whose crypto/x509 + crypto/tls rules and error text `error` follows. */
  go?: ContextGo;
}

export interface ContextGo {
  /** e.g. "go1.24.4" (from the binary) or "go1.24" (assumed). */
  version: string;
  /** The binary's DefaultGODEBUG, which can keep older rules (e.g. x509negativeserial=1). */
  defaultGodebug: string | null;
  /** Where the version was read, e.g. "/usr/bin/containerd (Go build info)"; null when assumed. */
  source: string | null;
  /** true: the runtime's Go version could not be read and regtrust assumed `version`. */
  assumed: boolean;
  /** The version-dependent rules applied. */
  rules: {
    /** "tls: failed to verify certificate: " before x509 errors (Go ≥ 1.20). */
    verifyErrorPrefix: boolean;
    /** "(temporarily override with GODEBUG=x509sha1=1)" after SHA-1 errors (Go 1.18–1.23). */
    sha1GodebugHint: boolean;
    /** A negative serial number fails to parse (Go ≥ 1.23 unless x509negativeserial=1). */
    rejectsNegativeSerial: boolean;
    /** RSA keys below this size cannot verify signatures (Go ≥ 1.24 unless rsa1024min=0); 0 = none. */
    rsaMinimumBits: number;
  };
}
