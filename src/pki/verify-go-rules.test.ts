import { before } from "node:test";
import { goRules } from "./go-rules.ts";
import {
  type DatedPki,
  datedPki,
  describeVerifyCases,
  HOST,
  UNKNOWN,
  type VerifyCase,
} from "./testing/test-pki.ts";

/** Debian 12's Go, whose texts these rows were first written against. */
const GO_1_19 = goRules({ version: "go1.19.8", defaultGodebug: null });

/**
 * Validity, CA constraints, signature algorithms, key usage and name constraints.
 * Texts: CertificateInvalidError.Error and ConstraintViolationError (verify.go,
 * x509.go), InsecureAlgorithmError with its GODEBUG hint (x509.go, Go 1.18–1.23; gone in 1.24, the default).
 */

let pki: DatedPki;
let rsa: DatedPki;
before(async () => {
  [pki, rsa] = await Promise.all([datedPki(), datedPki({ keyAlgorithm: "rsa", rootName: "RSA Root CA" })]);
});

const EXPIRED = "x509: certificate has expired or is not yet valid: ";
const OLD = { notBefore: new Date("2020-01-01T00:00:00Z"), notAfter: new Date("2021-01-01T00:00:00Z") };
const FUTURE = { notBefore: new Date("2027-01-01T00:00:00Z"), notAfter: new Date("2028-01-01T00:00:00Z") };
const CANNOT_SIGN = "x509: invalid signature: parent certificate cannot sign this kind of certificate";
const leafOf = (p: DatedPki, issuer: DatedPki["intermediate"]) =>
  p.issue({ commonName: HOST, dnsNames: [HOST], issuer, extKeyUsage: ["serverAuth"] });
const hint = (err: string, candidate: string) =>
  `${UNKNOWN} (possibly because of "${err}" while trying to verify candidate authority certificate "${candidate}")`;

/** A CA under the dated root built with `opts`, and a leaf under it. */
async function viaIntermediate(p: DatedPki, opts: Parameters<DatedPki["issue"]>[0]) {
  const inter = await p.issue({ issuer: p.root, isCA: true, ...opts });
  return { leaf: (await leafOf(p, inter)).cert, intermediates: [inter.cert] };
}

const validityCases: VerifyCase[] = [
  {
    name: "expired leaf",
    setup: async (p) => ({
      leaf: (await p.issue({ commonName: HOST, dnsNames: [HOST], issuer: p.intermediate, ...OLD })).cert,
    }),
    kind: "expired",
    message: `${EXPIRED}current time 2026-03-01T10:00:00Z is after 2021-01-01T00:00:00Z`,
    errorCert: HOST,
  },
  {
    name: "expired leaf with a wrong name → expiry wins (isValid runs before VerifyHostname)",
    setup: async (p) => ({
      leaf: (await p.issue({ commonName: HOST, dnsNames: [HOST], issuer: p.intermediate, ...OLD })).cert,
      dnsName: "other.example.com",
    }),
    kind: "expired",
  },
  {
    name: "leaf not yet valid",
    setup: async (p) => ({
      leaf: (await p.issue({ commonName: HOST, dnsNames: [HOST], issuer: p.intermediate, ...FUTURE })).cert,
    }),
    kind: "not-yet-valid",
    message: `${EXPIRED}current time 2026-03-01T10:00:00Z is before 2027-01-01T00:00:00Z`,
  },
  {
    name: "expired intermediate",
    setup: async (p) => viaIntermediate(p, { commonName: "Old Intermediate", ...OLD }),
    kind: "expired",
    message: `${EXPIRED}current time 2026-03-01T10:00:00Z is after 2021-01-01T00:00:00Z`,
    errorCert: "Old Intermediate",
  },
  {
    name: "expired root",
    setup: async (p) => {
      const oldRoot = await p.issue({ commonName: "Old Root", isCA: true, ...OLD });
      const inter = await p.issue({ commonName: "Inter", isCA: true, issuer: oldRoot });
      return { leaf: (await leafOf(p, inter)).cert, intermediates: [inter.cert], trust: [oldRoot.cert] };
    },
    kind: "expired",
    errorCert: "Old Root",
  },
];

const caCases: VerifyCase[] = [
  {
    name: "intermediate with CA:FALSE → unknown authority with the constraint hint",
    setup: async (p) => viaIntermediate(p, { commonName: "Not A CA", isCA: false }),
    kind: "unknown-authority",
    message: hint(CANNOT_SIGN, "Not A CA"),
    errorCert: HOST,
    hintKind: "not-authorized-to-sign",
  },
  {
    name: "v3 intermediate without basicConstraints",
    setup: async (p) => viaIntermediate(p, { commonName: "No BC", omitBasicConstraints: true, keyUsage: [] }),
    message: hint(CANNOT_SIGN, "No BC"),
    hintKind: "not-authorized-to-sign",
  },
  {
    name: "CA whose keyUsage lacks keyCertSign",
    setup: async (p) => viaIntermediate(p, { commonName: "No CertSign", keyUsage: ["digitalSignature"] }),
    message: hint(CANNOT_SIGN, "No CertSign"),
    hintKind: "not-authorized-to-sign",
  },
  {
    name: "X.509 v1 intermediate (passes CheckSignatureFrom, fails isValid)",
    setup: async (p) => viaIntermediate(p, { commonName: "V1 CA", version1: true }),
    kind: "not-authorized-to-sign",
    message: "x509: certificate is not authorized to sign other certificates",
    errorCert: "V1 CA",
  },
  {
    name: "X.509 v1 root is a fine anchor",
    setup: async (p) => {
      const v1Root = await p.issue({ commonName: "V1 Root", version1: true });
      return { leaf: (await leafOf(p, v1Root)).cert, intermediates: [], trust: [v1Root.cert] };
    },
    chains: [2],
  },
  {
    name: "path length: root → intermediate (pathLen 0) → sub-intermediate → leaf",
    setup: async (p) => {
      const sub = await p.issue({ commonName: "Sub CA", isCA: true, issuer: p.intermediate });
      return { leaf: (await leafOf(p, sub)).cert, intermediates: [sub.cert, p.certs.intermediate] };
    },
    kind: "too-many-intermediates",
    message: "x509: too many intermediates for path length constraint",
    errorCert: "Dated Intermediate CA",
  },
];

const algorithmCases: VerifyCase[] = [
  {
    name: "SHA-1 RSA leaf → unknown authority with the insecure-algorithm hint",
    setup: async () => ({
      leaf: (
        await rsa.issue({
          commonName: HOST,
          dnsNames: [HOST],
          issuer: rsa.intermediate,
          signatureHash: "SHA-1",
        })
      ).cert,
      intermediates: [rsa.certs.intermediate],
      trust: [rsa.certs.root],
      rules: GO_1_19,
    }),
    kind: "unknown-authority",
    message: hint(
      "x509: cannot verify signature: insecure algorithm SHA1-RSA (temporarily override with GODEBUG=x509sha1=1)",
      "Dated Intermediate CA",
    ),
    hintKind: "insecure-algorithm",
  },
  {
    name: "ECDSA-SHA1 leaf (Go 1.19: with the GODEBUG hint)",
    setup: async (p) => ({
      leaf: (
        await p.issue({ commonName: HOST, dnsNames: [HOST], issuer: p.intermediate, signatureHash: "SHA-1" })
      ).cert,
      rules: GO_1_19,
    }),
    message: hint(
      "x509: cannot verify signature: insecure algorithm ECDSA-SHA1 (temporarily override with GODEBUG=x509sha1=1)",
      "Dated Intermediate CA",
    ),
  },
  {
    name: "ECDSA-SHA1 leaf (Go 1.24, the default: the hint is gone)",
    setup: async (p) => ({
      leaf: (
        await p.issue({ commonName: HOST, dnsNames: [HOST], issuer: p.intermediate, signatureHash: "SHA-1" })
      ).cert,
    }),
    message: hint("x509: cannot verify signature: insecure algorithm ECDSA-SHA1", "Dated Intermediate CA"),
  },
  {
    name: "SHA-1 leaf that is itself trusted → ok (no signature is checked)",
    setup: async () => {
      const leaf = (
        await rsa.issue({
          commonName: HOST,
          dnsNames: [HOST],
          issuer: rsa.intermediate,
          signatureHash: "SHA-1",
        })
      ).cert;
      return { leaf, intermediates: [], trust: [leaf] };
    },
    chains: [1],
  },
  {
    name: "RSA chain with SHA-256 → ok",
    setup: async () => ({
      leaf: rsa.certs.leaf,
      intermediates: [rsa.certs.intermediate],
      trust: [rsa.certs.root],
    }),
    chains: [3],
  },
];

const usageCases: VerifyCase[] = [
  {
    name: "leaf for clientAuth only",
    setup: async (p) => ({
      leaf: (
        await p.issue({
          commonName: HOST,
          dnsNames: [HOST],
          issuer: p.intermediate,
          extKeyUsage: ["clientAuth"],
        })
      ).cert,
    }),
    kind: "incompatible-usage",
    message: "x509: certificate specifies an incompatible key usage",
    errorCert: HOST,
  },
  {
    name: "leaf without EKU → any usage",
    setup: async (p) => ({
      leaf: (await p.issue({ commonName: HOST, dnsNames: [HOST], issuer: p.intermediate })).cert,
    }),
    chains: [3],
  },
  {
    name: "intermediate restricted to clientAuth blocks a serverAuth leaf",
    setup: async (p) => viaIntermediate(p, { commonName: "Client CA", extKeyUsage: ["clientAuth"] }),
    kind: "incompatible-usage",
  },
  {
    name: "keyUsages [any] accepts a clientAuth leaf",
    setup: async (p) => ({
      leaf: (
        await p.issue({
          commonName: HOST,
          dnsNames: [HOST],
          issuer: p.intermediate,
          extKeyUsage: ["clientAuth"],
        })
      ).cert,
      keyUsages: ["any"],
    }),
    chains: [3],
  },
];

const NC = "x509: a root or intermediate certificate is not authorized to sign for this name: ";
const constraintCases: VerifyCase[] = [
  {
    name: "intermediate permitted only .corp.example",
    setup: async (p) =>
      viaIntermediate(p, { commonName: "Corp CA", nameConstraints: { permittedDNS: [".corp.example"] } }),
    kind: "name-constraints",
    message: `${NC}DNS name "repo.example.com" is not permitted by any constraint`,
    errorCert: "Corp CA",
  },
  {
    name: "intermediate excluding example.com",
    setup: async (p) =>
      viaIntermediate(p, { commonName: "Corp CA", nameConstraints: { excludedDNS: ["example.com"] } }),
    message: `${NC}DNS name "repo.example.com" is excluded by constraint "example.com"`,
  },
  {
    name: "intermediate permitting example.com",
    setup: async (p) =>
      viaIntermediate(p, { commonName: "Corp CA", nameConstraints: { permittedDNS: ["example.com"] } }),
    chains: [3],
  },
];

describeVerifyCases("verifyLikeGo: validity", validityCases, () => pki);
describeVerifyCases("verifyLikeGo: CA constraints", caCases, () => pki);
describeVerifyCases("verifyLikeGo: signature algorithms", algorithmCases, () => pki);
describeVerifyCases("verifyLikeGo: extended key usage", usageCases, () => pki);
describeVerifyCases("verifyLikeGo: name constraints", constraintCases, () => pki);
