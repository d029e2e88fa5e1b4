import type { Certificate } from "./certificate.ts";
import type { IpNet, NameConstraints } from "./extensions.ts";
import { goQuote } from "./go-quote.ts";
import { formatIp, parseIp } from "./ip.ts";
import { internalsOf } from "./parse-certificate.ts";

/**
 * Name constraints as Go's isValid applies them (crypto/x509/verify.go:
 * checkNameConstraints, matchDomainConstraint, matchIPConstraint, matchEmailConstraint,
 * matchURIConstraint): every DNS/IP/email/URI SAN of the leaf (and of the CA itself)
 * is checked against the CA's excluded, then permitted, subtrees.
 */

const PREFIX = "x509: a root or intermediate certificate is not authorized to sign for this name: ";

/** domainToReverseLabels; null when the name cannot be parsed. */
function reverseLabels(domain: string): string[] | null {
  if (domain === "") return [];
  const labels = domain.split(".").reverse();
  if (labels.some((l) => l === "" || /[^\x21-\x7e]/.test(l))) return null;
  return labels;
}

/** A parse failure; `wrapped` ones get the CANotAuthorizedForThisName prefix, as in Go. */
class ParseFailure extends Error {
  constructor(
    message: string,
    readonly wrapped = true,
  ) {
    super(message);
  }
}

function matchDomain(domain: string, rawConstraint: string): boolean {
  if (rawConstraint.length === 0) return true; // zero-length matches everything (NSS behaviour)
  const labels = reverseLabels(domain);
  if (!labels) throw new ParseFailure(`x509: internal error: cannot parse domain ${goQuote(domain)}`);
  const mustHaveSubdomains = rawConstraint.startsWith(".");
  const constraint = mustHaveSubdomains ? rawConstraint.slice(1) : rawConstraint;
  const constraintLabels = reverseLabels(constraint);
  if (!constraintLabels)
    throw new ParseFailure(`x509: internal error: cannot parse domain ${goQuote(constraint)}`);
  if (labels.length < constraintLabels.length) return false;
  if (mustHaveSubdomains && labels.length === constraintLabels.length) return false;
  return constraintLabels.every((c, i) => c.toLowerCase() === labels[i]!.toLowerCase());
}

function matchEmail(email: string, constraint: string): boolean {
  const at = email.lastIndexOf("@");
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (constraint.includes("@")) {
    const cAt = constraint.lastIndexOf("@");
    return (
      local === constraint.slice(0, cAt) && domain.toLowerCase() === constraint.slice(cAt + 1).toLowerCase()
    );
  }
  return matchDomain(domain, constraint);
}

function matchUri(uri: string, constraint: string): boolean {
  let host: string;
  try {
    host = new URL(uri).hostname;
  } catch {
    throw new ParseFailure(`x509: internal error: URI SAN ${goQuote(uri)} failed to parse`, false);
  }
  if (host === "")
    throw new ParseFailure(`URI with empty host (${goQuote(uri)}) cannot be matched against constraints`);
  if (host.startsWith("[") || parseIp(host)) {
    throw new ParseFailure(`URI with IP (${goQuote(uri)}) cannot be matched against constraints`);
  }
  return matchDomain(host, constraint);
}

function ipNetText(net: IpNet): string {
  const ones = [...net.mask].reduce((n, b) => n + b.toString(2).replace(/0/g, "").length, 0);
  return `${formatIp(net.ip)}/${ones}`;
}

function matchIp(ip: Uint8Array, net: IpNet): boolean {
  if (ip.length !== net.ip.length) return false;
  return ip.every((b, i) => (b & net.mask[i]!) === (net.ip[i]! & net.mask[i]!));
}

/** checkNameConstraints for one name: excluded first, then at least one permitted. */
function checkName<T>(
  nameType: string,
  name: string,
  match: (constraint: T) => boolean,
  permitted: T[],
  excluded: T[],
  show: (constraint: T) => string = String,
): string | null {
  for (const c of excluded) {
    if (match(c)) return `${nameType} ${goQuote(name)} is excluded by constraint ${goQuote(show(c))}`;
  }
  if (permitted.length > 0 && !permitted.some(match)) {
    return `${nameType} ${goQuote(name)} is not permitted by any constraint`;
  }
  return null;
}

function checkSans(cert: Certificate, nc: NameConstraints): string | null {
  const ext = internalsOf(cert).extensions;
  for (const email of cert.sans.email) {
    const r = checkName(
      "email address",
      email,
      (c) => matchEmail(email, c),
      nc.permittedEmail,
      nc.excludedEmail,
    );
    if (r) return r;
  }
  for (const dns of cert.sans.dns) {
    if (!reverseLabels(dns)) throw new ParseFailure(`x509: cannot parse dnsName ${goQuote(dns)}`, false);
    const r = checkName("DNS name", dns, (c) => matchDomain(dns, c), nc.permittedDNS, nc.excludedDNS);
    if (r) return r;
  }
  for (const uri of cert.sans.uri) {
    const r = checkName("URI", uri, (c) => matchUri(uri, c), nc.permittedURI, nc.excludedURI);
    if (r) return r;
  }
  for (const ip of ext.sanIpBytes) {
    const match = (c: IpNet) => matchIp(ip, c);
    const r = checkName("IP address", formatIp(ip), match, nc.permittedIP, nc.excludedIP, ipNetText);
    if (r) return r;
  }
  return null;
}

/**
 * The Go error text when `ca` (an intermediate or root with name constraints)
 * does not permit the names of `leaf` (or its own names); null when allowed.
 * Go checks SAN types in extension order; this checks them grouped by type,
 * which only differs when several names violate constraints at once.
 */
export function nameConstraintError(ca: Certificate, leaf: Certificate): string | null {
  const nc = internalsOf(ca).extensions.nameConstraints;
  if (!nc) return null;
  try {
    for (const cert of [leaf, ca]) {
      if (!internalsOf(cert).hasSanExtension) continue;
      const problem = checkSans(cert, nc);
      if (problem) return PREFIX + problem;
    }
    return null;
  } catch (error) {
    if (error instanceof ParseFailure) return error.wrapped ? PREFIX + error.message : error.message;
    throw error;
  }
}
