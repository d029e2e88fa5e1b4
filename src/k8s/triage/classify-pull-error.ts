import type { FindingCode } from "../../findings/codes.ts";
import { pullErrorSubject } from "./pull-error-subject.ts";

/**
 * Classifies the text a failed image pull leaves behind — a kubelet event
 * (`Failed to pull image "<img>": …`), a container's `state.waiting.message`,
 * a containerd 1.6–2.x CRI error, a containers/image (CRI-O, podman, skopeo)
 * error or a Docker daemon error — into a finding code. The runtimes all
 * wrap Go's own error text, so the rules match the innermost Go error as a
 * substring (runtimes.md §6.1, §7): `x509:` may follow Go 1.20's
 * `tls: failed to verify certificate: ` prefix or stand alone.
 *
 * A self-signed server certificate reads exactly like an unknown authority
 * (`x509: certificate signed by unknown authority`), so it is reported as
 * unknown-authority; `regtrust diagnose` on the node tells them apart.
 */
export interface ClassifiedPullError {
  code: FindingCode;
  /** The innermost error the runtime printed, e.g. `x509: certificate signed by unknown authority`. */
  detail: string;
  /** The image the message names, as printed. */
  image: string | null;
  /** host[:port] of the request that failed: the registry, a mirror or the token realm. */
  host: string | null;
}

interface Rule {
  code: FindingCode;
  test: RegExp;
}

/** x509 verification errors by their Go text (crypto/x509 verify.go; runtimes.md §6.1). */
const X509_RULES: readonly Rule[] = [
  // Go ≥1.18 refuses SHA-1 signatures as an "insecure algorithm"; during chain building that shows up as
  // unknown authority `(possibly because of "…insecure algorithm…" …)`, so it is tested first.
  { code: "weak-signature", test: /insecure algorithm/ },
  { code: "unknown-authority", test: /certificate signed by unknown authority|failed to load system roots/ },
  { code: "cn-only", test: /relies on legacy Common Name field/ },
  {
    code: "hostname-mismatch",
    test: /certificate is valid for .+, not |certificate is not valid for any names|doesn't contain any IP SANs/,
  },
  { code: "not-yet-valid", test: /has expired or is not yet valid: current time \S+ is before/ },
  { code: "expired", test: /has expired or is not yet valid/ },
  {
    code: "not-a-ca",
    test: /not authorized to sign other certificates|cannot sign this kind of certificate/,
  },
  { code: "incompatible-usage", test: /incompatible key usage/ },
];

/** Everything else, most specific first; the first match wins. */
const RULES: readonly Rule[] = [
  { code: "plain-http", test: /server gave HTTP response to HTTPS client/ },
  {
    code: "dns-failure",
    test: /\blookup \S+( on \S+)?: (no such host|server misbehaving)|Temporary failure in name resolution|no such host/,
  },
  { code: "connection-refused", test: /connection refused|no route to host|network is unreachable/ },
  {
    code: "timeout",
    test: /i\/o timeout|TLS handshake timeout|context deadline exceeded|Client\.Timeout exceeded|timeout awaiting response headers/,
  },
  {
    code: "tls-handshake-failed",
    // `remote error: tls: bad certificate`, `tls: first record does not look like a TLS handshake`, …
    test: /\btls: [a-z]/,
  },
  { code: "rate-limited", test: /toomanyrequests|too many requests|\b429 /i },
  {
    code: "auth-failed",
    test: /pull access denied|no basic auth credentials|insufficient_scope|authorization failed|\b401 Unauthorized|\b403 Forbidden|\bunauthorized: |\bdenied: |requested access to the resource is denied|authentication required/,
  },
  {
    code: "image-not-found",
    test: /: not found\b|\bnot found: |manifest unknown|code = NotFound|name unknown/,
  },
];

/** A token-service failure: containerd `failed to authorize: failed to fetch anonymous token: …` (§7.2, §8). */
const TOKEN_FETCH = /failed to fetch (?:anonymous|oauth) token: /;
const UNREACHABLE =
  /dial tcp|no such host|connection refused|i\/o timeout|TLS handshake timeout|EOF|no route to host/;
/** CRI-O turns "connection refused" into this reason (kubelet `evalCRIPullErr`, runtimes.md §7.1). */
const REGISTRY_UNAVAILABLE = /\bRegistryUnavailable\b|because the registry is unavailable/;

export function classifyPullError(message: string): ClassifiedPullError {
  const text = unwrapLogLine(message);
  const subject = pullErrorSubject(text);
  const code = classifyText(text);
  return { code, detail: detailOf(text, code), image: subject.image, host: subject.host };
}

function classifyText(text: string): FindingCode {
  const token = TOKEN_FETCH.exec(text);
  if (token) {
    const after = text.slice(token.index);
    if (after.includes("x509:")) return "auth-realm-untrusted";
    if (UNREACHABLE.test(after)) return "auth-realm-unreachable";
  }
  if (text.includes("x509:")) {
    return X509_RULES.find((r) => r.test.test(text))?.code ?? "tls-handshake-failed";
  }
  const rule = RULES.find((r) => r.test.test(text));
  if (rule) return rule.code;
  return REGISTRY_UNAVAILABLE.test(text) ? "connection-refused" : "pull-failed";
}

/** True when the code names a cause; false for pull-failed (nothing recognisable in the text). */
export function isSpecificCause(code: FindingCode): boolean {
  return code !== "pull-failed";
}

/**
 * skopeo and podman log through logrus: `time="…" level=fatal msg="… \"…\" …"`.
 * The quoted message is what the library returned; unescape it.
 */
function unwrapLogLine(message: string): string {
  const logrus = /\bmsg="((?:[^"\\]|\\.)*)"\s*$/.exec(message);
  const inner = logrus?.[1] !== undefined ? logrus[1].replace(/\\(.)/g, "$1") : message;
  return inner.replace(/\s+/g, " ").trim();
}

/**
 * The innermost error: for TLS the `tls: failed to verify certificate: x509: …`
 * part, otherwise what follows the last request URL (`Head "https://…": <err>`),
 * otherwise the text without the runtime's wrappers.
 */
function detailOf(text: string, code: FindingCode): string {
  if (code === "auth-realm-untrusted" || code === "auth-realm-unreachable") {
    const token = TOKEN_FETCH.exec(text);
    if (token) return text.slice(token.index);
  }
  const tls = text.search(/tls: failed to verify certificate: |x509: /);
  if (tls >= 0) return text.slice(tls);
  const urls = [...text.matchAll(/"https?:\/\/[^"]*": /g)];
  const last = urls.at(-1);
  if (last?.index !== undefined) return text.slice(last.index + last[0].length);
  return stripWrappers(text);
}

const WRAPPERS = [
  /^Failed to pull image "[^"]*": /,
  /^Back-off pulling image "[^"]*": (?:ErrImagePull: )?/,
  /^rpc error: code = \w+ desc = /,
  /^failed to pull and unpack image "[^"]*": /,
  /^failed to resolve reference "[^"]*": /,
  /^failed to resolve image: /,
  /^Error response from daemon: /,
];

function stripWrappers(text: string): string {
  let rest = text;
  for (let changed = true; changed; ) {
    changed = false;
    for (const wrapper of WRAPPERS) {
      const next = rest.replace(wrapper, "");
      if (next !== rest) {
        rest = next;
        changed = true;
      }
    }
  }
  return rest;
}
