import type { Certificate } from "./certificate.ts";
import { formatIp, ipEqual, parseIp } from "./ip.ts";
import { internalsOf } from "./parse-certificate.ts";

/**
 * Go's Certificate.VerifyHostname and HostnameError.Error (crypto/x509/verify.go,
 * Go 1.17+: SANs only, the Common Name is never used as a host name).
 */

export interface HostnameFailure {
  kind: "hostname-mismatch" | "cn-only";
  message: string;
}

/** RFC 6125 §6.4.1 ASCII-only lower-casing (toLowerCaseASCII). */
function toLowerAscii(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** validHostname: letters, digits, '_' and non-leading '-'; a pattern may start with "*.". */
function validHostname(host: string, isPattern: boolean): boolean {
  const h = isPattern ? host : host.replace(/\.$/, "");
  if (h.length === 0) return false;
  return h.split(".").every((part, i) => {
    if (part === "") return false;
    if (isPattern && i === 0 && part === "*") return true;
    return /^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(part);
  });
}

function matchExactly(a: string, b: string): boolean {
  if (a === "" || a === "." || b === "" || b === ".") return false;
  return toLowerAscii(a) === toLowerAscii(b);
}

/** matchHostnames: the leftmost label may be "*", matching exactly one label. */
export function matchHostnames(pattern: string, host: string): boolean {
  const p = toLowerAscii(pattern);
  const h = toLowerAscii(host.replace(/\.$/, ""));
  if (p.length === 0 || h.length === 0) return false;
  const patternParts = p.split(".");
  const hostParts = h.split(".");
  if (patternParts.length !== hostParts.length) return false;
  return patternParts.every((part, i) => (i === 0 && part === "*") || part === hostParts[i]);
}

/** HostnameError.Error. */
function hostnameErrorText(cert: Certificate, host: string): HostnameFailure {
  if (!internalsOf(cert).hasSanExtension && matchHostnames(cert.commonName ?? "", host)) {
    return {
      kind: "cn-only",
      message: "x509: certificate relies on legacy Common Name field, use SANs instead",
    };
  }
  let valid: string;
  if (parseIp(host)) {
    if (cert.sans.ip.length === 0) {
      return {
        kind: "hostname-mismatch",
        message: `x509: cannot validate certificate for ${host} because it doesn't contain any IP SANs`,
      };
    }
    valid = internalsOf(cert).extensions.sanIpBytes.map(formatIp).join(", ");
  } else {
    valid = cert.sans.dns.join(", ");
  }
  if (valid.length === 0) {
    return {
      kind: "hostname-mismatch",
      message: `x509: certificate is not valid for any names, but wanted to match ${host}`,
    };
  }
  return { kind: "hostname-mismatch", message: `x509: certificate is valid for ${valid}, not ${host}` };
}

/** Go's VerifyHostname: null when `host` matches. IPs may be given in brackets. */
export function verifyHostname(cert: Certificate, host: string): HostnameFailure | null {
  const candidateIp =
    host.length >= 3 && host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const ip = parseIp(candidateIp);
  if (ip) {
    // RFC 6125 Appendix B.2: IPs match only IP SANs.
    const sanIps = internalsOf(cert).extensions.sanIpBytes;
    return sanIps.some((san) => ipEqual(ip, san)) ? null : hostnameErrorText(cert, candidateIp);
  }
  const candidate = toLowerAscii(host);
  const validCandidate = validHostname(candidate, false);
  for (const name of cert.sans.dns) {
    const matched =
      validCandidate && validHostname(name, true)
        ? matchHostnames(name, candidate)
        : matchExactly(name, candidate);
    if (matched) return null;
  }
  return hostnameErrorText(cert, host);
}
