import { children, contents, DerError, decodeString, readOid, TAG, type Tlv, wholeHex } from "./der.ts";

/** A decoded X.501 Name: display text plus the attributes Go's pkix.Name keeps. */
export interface ParsedName {
  /** RFC 4514 order (most specific first), e.g. "CN=repo.example.com, O=Example". */
  display: string;
  /** Hex of the raw DER Name: Go matches issuers against subjects byte for byte (cert_pool.go byName). */
  key: string;
  /** Last CN in the sequence, as pkix.Name.FillFromRDNSequence leaves it. */
  commonName: string | null;
  organization: string[];
}

/** Short names from RFC 4514 §3 plus the ones OpenSSL prints for common extras. */
const SHORT_NAMES: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.5": "SERIALNUMBER",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "STREET",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.17": "POSTALCODE",
  "0.9.2342.19200300.100.1.1": "UID",
  "0.9.2342.19200300.100.1.25": "DC",
  "1.2.840.113549.1.9.1": "emailAddress",
};

const OID_CN = "2.5.4.3";
const OID_O = "2.5.4.10";

/** RFC 4514 §2.4 escaping. */
function escapeValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`);
  if (out.startsWith(" ") || out.startsWith("#")) out = `\\${out}`;
  if (out.endsWith(" ") && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

export function parseName(buf: Uint8Array, nameTlv: Tlv): ParsedName {
  if (nameTlv.tag !== TAG.sequence) throw new DerError("expected a Name");
  const rdnTexts: string[] = [];
  let commonName: string | null = null;
  const organization: string[] = [];
  for (const rdn of children(buf, nameTlv)) {
    if (rdn.tag !== TAG.set) throw new DerError("expected an RDN SET");
    const parts: string[] = [];
    for (const atv of children(buf, rdn)) {
      const [typeTlv, valueTlv] = children(buf, atv);
      if (!typeTlv || !valueTlv) throw new DerError("bad AttributeTypeAndValue");
      const oid = readOid(buf, typeTlv);
      const text = decodeString(valueTlv.tag, contents(buf, valueTlv));
      if (oid === OID_CN && text !== null) commonName = text;
      if (oid === OID_O && text !== null) organization.push(text);
      const label = SHORT_NAMES[oid];
      if (label && text !== null) parts.push(`${label}=${escapeValue(text)}`);
      else parts.push(`${oid}=#${wholeHex(buf, valueTlv)}`);
    }
    rdnTexts.push(parts.join("+"));
  }
  return {
    display: rdnTexts.reverse().join(", "),
    key: wholeHex(buf, nameTlv),
    commonName,
    organization,
  };
}
