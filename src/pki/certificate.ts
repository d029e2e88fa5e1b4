/**
 * The certificate model every layer uses. Parsed once from DER by
 * `parseCertificate` (pki/parse-certificate.ts); pure data plus the DER.
 */
export interface Certificate {
  /** DER bytes exactly as read or as sent by the server. */
  der: Uint8Array;
  /** X.509 version (1 or 3; Go treats v1 roots specially). */
  version: number;
  /** RFC 4514-style display strings, e.g. "CN=repo.example.com, O=Example". */
  subject: string;
  issuer: string;
  /** Canonical keys for name matching (hex of the raw DER Name), as Go's byName pool map. */
  subjectKey: string;
  issuerKey: string;
  commonName: string | null;
  /** Serial number as lower-case hex without separators. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  sans: { dns: string[]; ip: string[]; email: string[]; uri: string[] };
  basicConstraintsValid: boolean;
  isCA: boolean;
  /** basicConstraints pathLenConstraint; null when absent. */
  maxPathLen: number | null;
  /** keyUsage bit names (digitalSignature, keyCertSign, …); null when the extension is absent. */
  keyUsage: string[] | null;
  /** extKeyUsage names (serverAuth, clientAuth, any, …) or dotted OIDs; empty when absent. */
  extKeyUsage: string[];
  /** Subject/Authority Key Identifier, lower-case hex; null when absent. */
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  /** AIA caIssuers and OCSP URLs. */
  aiaIssuers: string[];
  ocspServers: string[];
  /** e.g. { oid: "1.2.840.113549.1.1.11", name: "SHA256-RSA" } — Go's SignatureAlgorithm.String() spelling. */
  signatureAlgorithm: { oid: string; name: string };
  /** e.g. { algorithm: "RSA", bits: 2048 } | { algorithm: "ECDSA", curve: "P-256", bits: 256 } | { algorithm: "Ed25519" } */
  publicKey: { algorithm: string; bits?: number; curve?: string };
  /** subject == issuer and the certificate's signature verifies with its own key. */
  selfSigned: boolean;
  /** SHA-256 of the DER, upper-case hex pairs joined by ':' (as `openssl x509 -fingerprint -sha256`). */
  sha256: string;
  /** Name constraints present (Go enforces them; we report rather than fully evaluate). */
  hasNameConstraints: boolean;
}
