import { decodeFailure } from "./decode-failure.ts";
import { children, DerError, readOid, readTlv, TAG, type Tlv } from "./der.ts";
import type { GoRules } from "./go-rules.ts";
import { parseCertificate } from "./parse-certificate.ts";

/**
 * What Go's x509.ParseCertificate (crypto/x509/parser.go) says about a
 * certificate, for one Go release: null when Go parses it, else Go's error
 * text. crypto/tls refuses the whole handshake on such a certificate
 * ("tls: failed to parse certificate from server: …") and AppendCertsFromPEM
 * silently skips it in a CA file. regtrust's own model decodes more leniently
 * (it has to show such certificates), so the checks Go makes and the model
 * does not are made here, in parser.go's order: serial sign, inner/outer
 * signature algorithm, repeated extensions, then the extension contents
 * (processExtensions), and trailing bytes last (ParseCertificate).
 */
export function goParseError(der: Uint8Array, rules: GoRules): string | null {
  let root: Tlv;
  try {
    root = readTlv(der, 0);
    if (root.tag !== TAG.sequence) return MALFORMED;
    const structural = structuralError(der, root, rules);
    if (structural) return structural;
  } catch (error) {
    if (error instanceof DerError) return error.goText ?? MALFORMED;
    throw error;
  }
  const decoded = decodeError(root.end === der.length ? der : der.subarray(0, root.end));
  if (decoded !== null) return decoded;
  return root.end === der.length ? null : "x509: trailing data";
}

const MALFORMED = "x509: malformed certificate";

function structuralError(der: Uint8Array, root: Tlv, rules: GoRules): string | null {
  const tbs = readTlv(der, root.body, root.end);
  if (tbs.tag !== TAG.sequence) return "x509: malformed tbs certificate";
  const fields = children(der, tbs);
  const hasVersion = fields[0]?.tag === 0xa0;
  const serial = fields[hasVersion ? 1 : 0];
  if (!serial || serial.tag !== TAG.integer || serial.end === serial.body)
    return "x509: malformed serial number";
  if (rules.rejectsNegativeSerial && (der[serial.body] ?? 0) & 0x80) return "x509: negative serial number";
  const inner = fields[hasVersion ? 2 : 1];
  if (!inner || inner.tag !== TAG.sequence) return "x509: malformed signature algorithm identifier";
  const outer = readTlv(der, tbs.end, root.end);
  if (outer.tag !== TAG.sequence) return "x509: malformed algorithm identifier";
  if (!sameBytes(der, inner, outer))
    return "x509: inner and outer signature algorithm identifiers don't match";
  // Go reads extensions of v3 certificates only.
  const version = hasVersion ? der[readTlv(der, fields[0]!.body, fields[0]!.end).end - 1] : 0;
  const extensions = version === 2 ? fields.find((f) => f.tag === 0xa3) : undefined;
  return extensions ? duplicateExtension(der, extensions, rules) : null;
}

function sameBytes(der: Uint8Array, a: Tlv, b: Tlv): boolean {
  if (a.end - a.body !== b.end - b.body) return false;
  for (let i = 0; i < a.end - a.body; i++) if (der[a.body + i] !== der[b.body + i]) return false;
  return true;
}

/** parser.go: the same extension OID twice; Go 1.23 started naming it. */
function duplicateExtension(der: Uint8Array, explicit: Tlv, rules: GoRules): string | null {
  const list = readTlv(der, explicit.body, explicit.end);
  if (list.tag !== TAG.sequence) return "x509: malformed extensions";
  const seen = new Set<string>();
  for (const extension of children(der, list)) {
    const [oidTlv] = children(der, extension);
    if (!oidTlv || oidTlv.tag !== TAG.oid) return "x509: malformed extension";
    const oid = readOid(der, oidTlv);
    if (seen.has(oid)) {
      return rules.duplicateExtensionNamesOid
        ? `x509: certificate contains duplicate extension with OID "${oid}"`
        : "x509: certificate contains duplicate extensions";
    }
    seen.add(oid);
  }
  return null;
}

/** The model's own decoding, with Go's text when the defect has one. */
function decodeError(der: Uint8Array): string | null {
  try {
    const cert = parseCertificate(der);
    const why = decodeFailure(cert);
    return why === null ? null : MALFORMED;
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof DerError ? error.cause : error;
    if (cause instanceof DerError) return cause.goText ?? MALFORMED;
    return MALFORMED;
  }
}
