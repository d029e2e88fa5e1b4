import type { FindingCode } from "../../findings/codes.ts";

/**
 * Plain words for a pull failure's cause and the fix, per finding code.
 * The fix commands are ones that exist today: `regtrust diagnose` run on the
 * affected node says exactly what is wrong there and prints the node-level
 * fix (`regtrust trust …`).
 */
const CAUSE_TEXT: Partial<Record<FindingCode, (registry: string) => string>> = {
  "unknown-authority": (r) =>
    `the node's container runtime does not trust the CA that issued ${r}'s certificate (or the registry does not send its intermediate, or its certificate is self-signed)`,
  "hostname-mismatch": (r) =>
    `${r}'s certificate does not name ${hostOf(r)} in its subject alternative names`,
  "cn-only": (r) =>
    `${r}'s certificate names the host only in its Common Name; Go-based runtimes ignore it and need a SAN`,
  expired: (r) => `a certificate in ${r}'s chain has expired (or the node's clock is wrong)`,
  "not-yet-valid": (r) => `a certificate in ${r}'s chain is not valid yet (check the node's clock)`,
  "weak-signature": (r) => `${r}'s chain is signed with SHA-1 or MD5, which Go-based runtimes reject`,
  "not-a-ca": (r) => `a certificate in ${r}'s chain signs others without being a CA`,
  "incompatible-usage": (r) => `${r}'s certificate is not allowed for TLS server use (extended key usage)`,
  "plain-http": (r) => `${r} answers plain HTTP on a port the runtime reaches over HTTPS`,
  "dns-failure": (r) => `the node cannot resolve ${hostOf(r)}`,
  "connection-refused": (r) =>
    `nothing accepts connections at ${r} from the node (or a firewall rejects them)`,
  timeout: (r) => `connecting to ${r} from the node timed out`,
  "tls-handshake-failed": (r) => `the TLS handshake with ${r} failed before certificates could be checked`,
  "auth-realm-untrusted": (r) =>
    `the token service ${r} sends clients to is not trusted by the node's runtime`,
  "auth-realm-unreachable": (r) => `the node cannot reach the token service ${r} sends clients to`,
  "auth-failed": (r) =>
    `${r} refused the pull: credentials are missing or wrong, or the repository is private`,
  "image-not-found": (r) => `${r} has no such image or tag`,
  "rate-limited": (r) => `${r} is rate-limiting pulls`,
};

export function causeText(code: FindingCode, registry: string): string {
  return (
    CAUSE_TEXT[code]?.(registry) ??
    `pulling from ${registry} failed for a reason the runtime's text does not name`
  );
}

/** Codes that the node's trust store / runtime configuration can fix. */
const TRUST_CODES = new Set<FindingCode>(["unknown-authority", "auth-realm-untrusted"]);
/** Codes fixed on the registry's side (its certificate), after confirming on the node. */
const SERVER_CERT_CODES = new Set<FindingCode>([
  "hostname-mismatch",
  "cn-only",
  "expired",
  "weak-signature",
  "not-a-ca",
  "incompatible-usage",
]);
/** Codes about reaching the registry from the node. */
const NETWORK_CODES = new Set<FindingCode>([
  "dns-failure",
  "connection-refused",
  "timeout",
  "tls-handshake-failed",
  "auth-realm-unreachable",
  "plain-http",
  "not-yet-valid",
  "pull-failed",
]);

export function isTrustCode(code: FindingCode): boolean {
  return TRUST_CODES.has(code);
}

/** Ordered steps; `nodes` are where the pull failed. */
export function fixSteps(code: FindingCode, registry: string, nodes: readonly string[]): string[] {
  const on = nodes.length > 0 ? `on ${listNames(nodes, 5)}` : "on the affected node";
  const diagnose = `${on}: regtrust diagnose ${diagnoseTarget(registry)}   (run on the node itself; it names the exact problem per runtime)`;
  if (TRUST_CODES.has(code)) {
    return [
      diagnose,
      `${on}: regtrust trust ${diagnoseTarget(registry)} --ca <the registry's root CA file>   (installs it for every runtime, verified, reversible)`,
    ];
  }
  if (SERVER_CERT_CODES.has(code)) {
    return [
      diagnose,
      `fix ${registry}'s certificate on the registry (reissue it); trusting more CAs on the nodes cannot fix this`,
    ];
  }
  if (NETWORK_CODES.has(code)) return [diagnose];
  if (code === "auth-failed") {
    return [
      "check the pod's imagePullSecrets (or the node's registry credentials) and that the repository exists",
      `kubectl get secret <pull-secret> -o jsonpath='{.data.\\.dockerconfigjson}' | base64 -d   (is there an entry for ${registry}?)`,
    ];
  }
  if (code === "image-not-found")
    return ["check the image reference: the repository or tag does not exist on the registry"];
  if (code === "rate-limited") {
    return [`authenticate pulls from ${registry} with an imagePullSecret, or pull through a mirror`];
  }
  return [diagnose];
}

/** Docker Hub's API host is not the name images carry (distribution/reference normalize.go). */
function diagnoseTarget(registry: string): string {
  return registry === "docker.io" ? "registry-1.docker.io" : registry;
}

/** "a, b, c and 4 more". */
export function listNames(names: readonly string[], max: number): string {
  if (names.length <= max) return joinAnd(names);
  return `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}

function joinAnd(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

function hostOf(registry: string): string {
  return registry.replace(/:\d+$/, "");
}
