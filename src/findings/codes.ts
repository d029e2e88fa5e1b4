/**
 * Stable finding codes (docs/findings.md). Add new ones; never rename.
 * The list is data so `--json` consumers and tests can enumerate it.
 */
export const FINDING_CODES = [
  "dns-failure",
  "connection-refused",
  "timeout",
  "plain-http",
  "tls-handshake-failed",
  "unknown-authority",
  "missing-intermediate",
  "self-signed",
  "hostname-mismatch",
  "cn-only",
  "expired",
  "not-yet-valid",
  "expiring-soon",
  "weak-signature",
  "not-a-ca",
  "not-a-registry",
  "auth-realm-untrusted",
  "auth-realm-unreachable",
  "insecure-skip-verify",
  "config-path-unset",
  "hosts-toml-invalid",
  "ca-file-missing",
  "ca-file-unusable",
  "stale-trust",
  "restart-required",
  // Added after the first contract; same stability rules.
  "config-invalid",
  "incompatible-usage",
  // Image-pull causes seen in Kubernetes (k8s why / k8s pulls); not TLS trust problems.
  "auth-failed",
  "image-not-found",
  "rate-limited",
  "pull-failed",
  // Node audit (regtrust audit).
  "plaintext-credentials",
  "private-key-exposed",
  "os-store-inconsistent",
  // Runtime configuration found by the differential suites (test/oracle/).
  "client-cert-unusable",
  // Node OS whose trust is set at provisioning (Talos, Bottlerocket, Flatcar): points at regtrust export.
  "immutable-os",
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

export type Severity = "error" | "warning" | "info";
