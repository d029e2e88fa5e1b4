/**
 * Which Go release's crypto/x509 + crypto/tls rules apply to a runtime, and
 * the version-dependent parts of them. A runtime prints the error text of the
 * Go it was built with, and its build's DefaultGODEBUG (recorded in the binary,
 * `go version -m`) can keep older behaviour: Debian builds in GOPATH mode get
 * Go 1.20's defaults (x509negativeserial=1, rsa1024min=0), module builds get
 * those of their go.mod `go` line.
 *
 * Each rule below is proven by the differential suite (test/oracle) against
 * Go 1.19, 1.21, 1.22, 1.23 and 1.24 from Debian, in GOPATH and module builds.
 */

/** What a runtime binary was built with (pki/../node/go-buildinfo.ts reads it). */
export interface GoToolchain {
  /** runtime.Version() of the build, e.g. "go1.24.4". */
  version: string;
  /** The build's DefaultGODEBUG setting (comma-separated k=v), or null when it has none. */
  defaultGodebug: string | null;
}

/** A toolchain plus where regtrust learnt it; `assumed` when it could not. */
export interface GoToolchainSource extends GoToolchain {
  /** e.g. "/usr/bin/containerd (Go build info)"; null when assumed. */
  source: string | null;
  assumed: boolean;
}

/**
 * When a runtime's Go version is unknown: Go 1.24 with its own defaults (a
 * module build for go ≥ 1.24), what current upstream releases of containerd,
 * k3s and RKE2 are built with, and the text kubelet events show today.
 */
export const ASSUMED_GO: GoToolchainSource = {
  version: "go1.24",
  defaultGodebug: null,
  source: null,
  assumed: true,
};

export interface GoRules {
  /** "go1.24.4" */
  version: string;
  /** The minor release (24); Go 1 is assumed. */
  minor: number;
  /** crypto/tls wraps verification errors in CertificateVerificationError (Go ≥ 1.20). */
  verifyErrorPrefix: boolean;
  /** InsecureAlgorithmError ends with the x509sha1 GODEBUG hint for SHA-1 (Go 1.18–1.23). */
  sha1GodebugHint: boolean;
  /** parser.go names the repeated OID: "duplicate extension with OID %q" (Go ≥ 1.23). */
  duplicateExtensionNamesOid: boolean;
  /** parser.go refuses a negative serial (Go ≥ 1.23 unless x509negativeserial=1). */
  rejectsNegativeSerial: boolean;
  /** crypto/rsa refuses to verify with keys below this many bits (Go ≥ 1.24 unless rsa1024min=0); 0 = no limit. */
  rsaMinimumBits: number;
  /** parser.go handles policyConstraints, inhibitAnyPolicy and policyMappings (Go ≥ 1.24). */
  handlesPolicyExtensions: boolean;
  /** verify.go policiesValid runs on every candidate chain (Go ≥ 1.24). */
  checksPolicies: boolean;
}

/** The minor version of "go1.N[.P]" (also "go1.N rc1", "devel"); null when it is not one. */
export function goMinor(version: string): number | null {
  const m = /^go1\.(\d+)/.exec(version);
  return m ? Number(m[1]) : null;
}

/** One GODEBUG key from a DefaultGODEBUG string; undefined when absent. */
function godebugValue(defaultGodebug: string | null, key: string): string | undefined {
  for (const pair of (defaultGodebug ?? "").split(",")) {
    const [k, v] = pair.split("=");
    if (k?.trim() === key) return v?.trim();
  }
  return undefined;
}

const memo = new Map<string, GoRules>();

/** The rules for a build; the same object for the same build, so per-rules caches are shared. */
export function goRules(toolchain: GoToolchain): GoRules {
  const key = `${toolchain.version}\u0000${toolchain.defaultGodebug ?? ""}`;
  let rules = memo.get(key);
  if (!rules) {
    rules = computeRules(toolchain);
    memo.set(key, rules);
  }
  return rules;
}

function computeRules(toolchain: GoToolchain): GoRules {
  const minor = goMinor(toolchain.version) ?? (goMinor(ASSUMED_GO.version) as number);
  const setting = (key: string) => godebugValue(toolchain.defaultGodebug, key);
  return {
    version: toolchain.version,
    minor,
    verifyErrorPrefix: minor >= 20,
    sha1GodebugHint: minor >= 18 && minor <= 23,
    duplicateExtensionNamesOid: minor >= 23,
    rejectsNegativeSerial: minor >= 23 && setting("x509negativeserial") !== "1",
    rsaMinimumBits: minor >= 24 && setting("rsa1024min") !== "0" ? 1024 : 0,
    handlesPolicyExtensions: minor >= 24,
    checksPolicies: minor >= 24,
  };
}

export const DEFAULT_GO_RULES: GoRules = goRules(ASSUMED_GO);

/**
 * The error crypto/tls returns for a chain it refuses
 * (handshake_client.go verifyServerCertificate): parse failures are
 * "tls: failed to parse certificate from server: …" in every version;
 * verification failures are bare x509 errors before Go 1.20 and
 * "tls: failed to verify certificate: …" from Go 1.20 on.
 */
export function tlsErrorText(rules: GoRules, error: { kind: string; message: string }): string {
  if (error.kind === "parse-failure") return `tls: failed to parse certificate from server: ${error.message}`;
  return rules.verifyErrorPrefix ? `tls: failed to verify certificate: ${error.message}` : error.message;
}
