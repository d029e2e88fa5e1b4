import {
  bitStringBytes,
  children,
  contentHex,
  contentLatin1,
  contents,
  DerError,
  expect,
  readBoolean,
  readOid,
  readSmallInt,
  readTlv,
  TAG,
  type Tlv,
  toLatin1,
} from "./der.ts";
import { formatIp } from "./ip.ts";

/** Name constraints as Go's Certificate keeps them (the Permitted and Excluded fields of x509.go). */
export interface NameConstraints {
  permittedDNS: string[];
  excludedDNS: string[];
  permittedIP: IpNet[];
  excludedIP: IpNet[];
  permittedEmail: string[];
  excludedEmail: string[];
  permittedURI: string[];
  excludedURI: string[];
}

export interface IpNet {
  ip: Uint8Array;
  mask: Uint8Array;
}

export interface ParsedExtensions {
  basicConstraintsValid: boolean;
  isCA: boolean;
  maxPathLen: number | null;
  keyUsage: string[] | null;
  extKeyUsage: string[];
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  sans: { dns: string[]; ip: string[]; email: string[]; uri: string[] };
  sanIpBytes: Uint8Array[];
  /** Raw SAN extension value (Go's alreadyInChain compares it). */
  sanExtension: Uint8Array | null;
  aiaIssuers: string[];
  ocspServers: string[];
  nameConstraints: NameConstraints | null;
  /** OIDs of critical extensions Go's parser does not handle (parser.go processExtensions). */
  unhandledCritical: string[];
  /** RFC 5280 §4.2.1.4–4.2.1.14 policy extensions, as Go ≥ 1.24 reads them for policiesValid. */
  policy: CertificatePolicyInfo;
}

export interface CertificatePolicyInfo {
  /** certificatePolicies policy identifiers, in order. */
  policies: string[];
  /** policyMappings: [issuerDomainPolicy, subjectDomainPolicy] pairs. */
  mappings: [string, string][];
  /** policyConstraints requireExplicitPolicy / inhibitPolicyMapping, inhibitAnyPolicy skipCerts; null when absent. */
  requireExplicitPolicy: number | null;
  inhibitPolicyMapping: number | null;
  inhibitAnyPolicy: number | null;
}

// RFC 5280 §4.2.1 and §4.2.2 extension OIDs.
const OID = {
  subjectKeyId: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  nameConstraints: "2.5.29.30",
  crlDistributionPoints: "2.5.29.31",
  certificatePolicies: "2.5.29.32",
  authorityKeyId: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
  policyMappings: "2.5.29.33",
  policyConstraints: "2.5.29.36",
  inhibitAnyPolicy: "2.5.29.54",
  adOcsp: "1.3.6.1.5.5.7.48.1",
  adCaIssuers: "1.3.6.1.5.5.7.48.2",
} as const;

const KEY_USAGE_BITS = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
];

/** Go's extKeyUsageOIDs (x509.go), named as the model documents. */
const EKU_NAMES: Record<string, string> = {
  "2.5.29.37.0": "any",
  "1.3.6.1.5.5.7.3.1": "serverAuth",
  "1.3.6.1.5.5.7.3.2": "clientAuth",
  "1.3.6.1.5.5.7.3.3": "codeSigning",
  "1.3.6.1.5.5.7.3.4": "emailProtection",
  "1.3.6.1.5.5.7.3.5": "ipsecEndSystem",
  "1.3.6.1.5.5.7.3.6": "ipsecTunnel",
  "1.3.6.1.5.5.7.3.7": "ipsecUser",
  "1.3.6.1.5.5.7.3.8": "timeStamping",
  "1.3.6.1.5.5.7.3.9": "OCSPSigning",
  "1.3.6.1.4.1.311.10.3.3": "msSGC",
  "2.16.840.1.113730.4.1": "nsSGC",
  "1.3.6.1.4.1.311.2.1.22": "msCodeCom",
  "1.3.6.1.4.1.311.61.1.1": "msKernelCode",
};

/** Extensions Go's parser understands; any other critical one is "unhandled". */
const HANDLED = new Set<string>([
  OID.subjectKeyId,
  OID.keyUsage,
  OID.basicConstraints,
  OID.crlDistributionPoints,
  OID.certificatePolicies,
  OID.authorityKeyId,
  OID.extKeyUsage,
  OID.authorityInfoAccess,
]);

export function emptyExtensions(): ParsedExtensions {
  return {
    basicConstraintsValid: false,
    isCA: false,
    maxPathLen: null,
    keyUsage: null,
    extKeyUsage: [],
    subjectKeyId: null,
    authorityKeyId: null,
    sans: { dns: [], ip: [], email: [], uri: [] },
    sanIpBytes: [],
    sanExtension: null,
    aiaIssuers: [],
    ocspServers: [],
    nameConstraints: null,
    unhandledCritical: [],
    policy: {
      policies: [],
      mappings: [],
      requireExplicitPolicy: null,
      inhibitPolicyMapping: null,
      inhibitAnyPolicy: null,
    },
  };
}

/** Parses the `[3] EXPLICIT Extensions` element of a TBSCertificate. */
export function parseExtensions(buf: Uint8Array, explicit: Tlv): ParsedExtensions {
  const out = emptyExtensions();
  const list = expect(buf, explicit.body, TAG.sequence, explicit.end);
  for (const ext of children(buf, list)) {
    const parts = children(buf, ext);
    const oid = readOid(buf, parts[0]!);
    const critical = parts.length === 3 ? readBoolean(buf, parts[1]!) : false;
    const valueTlv = parts[parts.length - 1]!;
    if (valueTlv.tag !== TAG.octetString) throw new DerError("extension value is not an OCTET STRING");
    const handled = applyExtension(out, oid, buf, valueTlv);
    if (critical && !handled) out.unhandledCritical.push(oid);
  }
  return out;
}

/** Returns whether Go would consider the extension handled. */
function applyExtension(out: ParsedExtensions, oid: string, value: Uint8Array, octets: Tlv): boolean {
  const root = readTlv(value, octets.body, octets.end);
  switch (oid) {
    case OID.basicConstraints:
      parseBasicConstraints(out, value, root);
      return true;
    case OID.keyUsage:
      out.keyUsage = parseKeyUsage(value, root);
      return true;
    case OID.extKeyUsage:
      out.extKeyUsage = children(value, root).map((t) => {
        const o = readOid(value, t);
        return EKU_NAMES[o] ?? o;
      });
      return true;
    case OID.subjectKeyId:
      out.subjectKeyId = contentHex(value, root);
      return true;
    case OID.authorityKeyId: {
      const keyId = children(value, root).find((t) => t.tag === 0x80);
      out.authorityKeyId = keyId ? contentHex(value, keyId) : null;
      return true;
    }
    case OID.subjectAltName:
      out.sanExtension = contents(value, octets);
      parseSans(out, value, root);
      // parser.go: a SAN with nothing Go understands is checked as unhandled.
      return out.sans.dns.length + out.sans.ip.length + out.sans.email.length + out.sans.uri.length > 0;
    case OID.authorityInfoAccess:
      parseAia(out, value, root);
      return true;
    case OID.nameConstraints:
      return parseNameConstraints(out, value, root);
    case OID.certificatePolicies:
    case OID.policyMappings:
    case OID.policyConstraints:
    case OID.inhibitAnyPolicy:
      parsePolicyExtension(out.policy, oid, value, root);
      return HANDLED.has(oid);
    default:
      return HANDLED.has(oid);
  }
}

function parseBasicConstraints(out: ParsedExtensions, value: Uint8Array, root: Tlv): void {
  out.basicConstraintsValid = true;
  for (const t of children(value, root)) {
    if (t.tag === TAG.boolean) out.isCA = readBoolean(value, t);
    else if (t.tag === TAG.integer) out.maxPathLen = readSmallInt(value, t);
  }
}

function parseKeyUsage(value: Uint8Array, root: Tlv): string[] {
  const bits = bitStringBytes(value, root);
  const names: string[] = [];
  KEY_USAGE_BITS.forEach((name, i) => {
    const byte = bits[i >> 3] ?? 0;
    if (byte & (0x80 >> (i & 7))) names.push(name);
  });
  return names;
}

function parseSans(out: ParsedExtensions, value: Uint8Array, root: Tlv): void {
  for (const gn of children(value, root)) {
    switch (gn.tag) {
      case 0x81:
        out.sans.email.push(contentLatin1(value, gn));
        break;
      case 0x82:
        out.sans.dns.push(contentLatin1(value, gn));
        break;
      case 0x86:
        out.sans.uri.push(contentLatin1(value, gn));
        break;
      case 0x87: {
        const data = contents(value, gn);
        // parser.go parseSANExtension, Go 1.19–1.24.
        if (data.length !== 4 && data.length !== 16) {
          throw new DerError(
            "bad IP address length in SAN",
            `x509: cannot parse IP address of length ${data.length}`,
          );
        }
        out.sanIpBytes.push(data);
        out.sans.ip.push(formatIp(data));
        break;
      }
      default:
        break;
    }
  }
}

function parseAia(out: ParsedExtensions, value: Uint8Array, root: Tlv): void {
  for (const desc of children(value, root)) {
    const [methodTlv, locationTlv] = children(value, desc);
    if (!methodTlv || !locationTlv || locationTlv.tag !== 0x86) continue;
    const method = readOid(value, methodTlv);
    const url = contentLatin1(value, locationTlv);
    if (method === OID.adCaIssuers) out.aiaIssuers.push(url);
    else if (method === OID.adOcsp) out.ocspServers.push(url);
  }
}

/** parser.go parseNameConstraintsExtension; returns false when a constraint type is unsupported. */
function parseNameConstraints(out: ParsedExtensions, value: Uint8Array, root: Tlv): boolean {
  const nc: NameConstraints = {
    permittedDNS: [],
    excludedDNS: [],
    permittedIP: [],
    excludedIP: [],
    permittedEmail: [],
    excludedEmail: [],
    permittedURI: [],
    excludedURI: [],
  };
  let handled = true;
  for (const subtrees of children(value, root)) {
    const permitted = subtrees.tag === 0xa0;
    if (!permitted && subtrees.tag !== 0xa1) throw new DerError("bad NameConstraints");
    for (const subtree of children(value, subtrees)) {
      const base = readTlv(value, subtree.body, subtree.end);
      const data = contents(value, base);
      if (base.tag === 0x82) (permitted ? nc.permittedDNS : nc.excludedDNS).push(toLatin1(data));
      else if (base.tag === 0x81) (permitted ? nc.permittedEmail : nc.excludedEmail).push(toLatin1(data));
      else if (base.tag === 0x86) (permitted ? nc.permittedURI : nc.excludedURI).push(toLatin1(data));
      else if (base.tag === 0x87) (permitted ? nc.permittedIP : nc.excludedIP).push(ipNet(data));
      else handled = false;
    }
  }
  out.nameConstraints = nc;
  return handled;
}

function ipNet(data: Uint8Array): IpNet {
  if (data.length !== 8 && data.length !== 32) throw new DerError("bad IP constraint length");
  const half = data.length / 2;
  return { ip: data.subarray(0, half), mask: data.subarray(half) };
}

/**
 * parser.go (Go 1.24) certificatePolicies, policyMappings, policyConstraints and
 * inhibitAnyPolicy. Lenient: before Go 1.24 these were not read at all, so a
 * malformed one leaves the fields as they are instead of failing the parse.
 */
function parsePolicyExtension(out: CertificatePolicyInfo, oid: string, value: Uint8Array, root: Tlv): void {
  try {
    if (oid === OID.certificatePolicies) {
      out.policies = children(value, root).map((info) => readOid(value, children(value, info)[0]!));
    } else if (oid === OID.policyMappings) {
      out.mappings = children(value, root).map((pair) => {
        const [issuer, subject] = children(value, pair);
        return [readOid(value, issuer!), readOid(value, subject!)] as [string, string];
      });
    } else if (oid === OID.policyConstraints) {
      for (const t of children(value, root)) {
        if (t.tag === 0x80) out.requireExplicitPolicy = readSmallInt(value, { ...t, tag: TAG.integer });
        if (t.tag === 0x81) out.inhibitPolicyMapping = readSmallInt(value, { ...t, tag: TAG.integer });
      }
    } else if (oid === OID.inhibitAnyPolicy) {
      out.inhibitAnyPolicy = readSmallInt(value, root);
    }
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
  }
}
