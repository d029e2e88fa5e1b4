import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { CertPool } from "./cert-pool.ts";
import { createPrivatePki } from "./generate.ts";
import { parseCertificate } from "./parse-certificate.ts";
import {
  type DatedPki,
  datedPki,
  describeVerifyCases,
  HOST,
  UNKNOWN,
  type VerifyCase,
} from "./testing/test-pki.ts";
import { verifyLikeGo } from "./verify-go.ts";

/**
 * Trust paths and host names. Expected texts are Go's (crypto/x509/verify.go,
 * Go 1.19–1.22): UnknownAuthorityError.Error and HostnameError.Error.
 */

let pki: DatedPki;
before(async () => {
  pki = await datedPki();
});

const selfSigned = (p: DatedPki) =>
  p.issue({ commonName: HOST, dnsNames: [HOST], extKeyUsage: ["serverAuth"] });

const trustCases: VerifyCase[] = [
  {
    name: "server sends only its leaf, root trusted → unknown authority (Go never fetches AIA)",
    setup: async () => ({ intermediates: [] }),
    kind: "unknown-authority",
    message: UNKNOWN,
    errorCert: HOST,
    hintKind: null,
  },
  { name: "leaf + intermediate, root trusted → ok", setup: async () => ({}), chains: [3] },
  {
    name: "leaf + intermediate + root sent, root trusted → ok",
    setup: async (p) => ({ intermediates: [p.certs.intermediate, p.certs.root] }),
    chains: [3],
  },
  {
    name: "only the intermediate trusted → ok (every pool certificate is an anchor)",
    setup: async (p) => ({ intermediates: [], trust: [p.certs.intermediate] }),
    chains: [2],
  },
  {
    name: "only the leaf trusted → ok (Roots.contains(leaf) short-cut)",
    setup: async (p) => ({ intermediates: [], trust: [p.certs.leaf] }),
    chains: [1],
  },
  {
    name: "intermediate both sent and trusted → the pool copy is tried first",
    setup: async (p) => ({ trust: [p.certs.intermediate] }),
    chains: [2],
  },
  {
    name: "the same intermediate sent twice → deduplicated",
    setup: async (p) => ({ intermediates: [p.certs.intermediate, p.certs.intermediate] }),
    chains: [3],
  },
  {
    name: "unrelated root trusted → the error is about the intermediate (buildChains keeps the child's error)",
    setup: async () => ({ trust: [(await datedPki({ rootName: "Other Root CA" })).certs.root] }),
    kind: "unknown-authority",
    message: UNKNOWN,
    errorCert: "Dated Intermediate CA",
  },
  {
    name: "self-signed leaf, not trusted",
    setup: async (p) => ({ leaf: (await selfSigned(p)).cert, intermediates: [] }),
    kind: "unknown-authority",
    message: UNKNOWN,
    errorCert: HOST,
  },
  {
    name: "self-signed leaf, trusted",
    setup: async (p) => {
      const self = (await selfSigned(p)).cert;
      return { leaf: self, intermediates: [], trust: [self] };
    },
    chains: [1],
  },
  {
    name: "issuer name matches but another key signed → hint with the signature error",
    setup: async (p) => {
      const impostor = await p.issue({
        commonName: "Dated Intermediate CA",
        organization: "regtrust test",
        issuer: p.root,
        isCA: true,
      });
      return { leaf: (await p.issue({ commonName: HOST, dnsNames: [HOST], issuer: impostor })).cert };
    },
    kind: "unknown-authority",
    message: `${UNKNOWN} (possibly because of "x509: ECDSA verification failure" while trying to verify candidate authority certificate "Dated Intermediate CA")`,
    errorCert: HOST,
    hintKind: "bad-signature",
  },
  {
    name: "mutually cross-signed CAs, none trusted → terminates (alreadyInChain loop check)",
    setup: async (p) => {
      const x = await p.issue({ commonName: "Loop X", isCA: true });
      const y = await p.issue({ commonName: "Loop Y", isCA: true });
      const xByY = await p.issue({ commonName: "Loop X", isCA: true, issuer: y, keys: x.keys });
      const yByX = await p.issue({ commonName: "Loop Y", isCA: true, issuer: x, keys: y.keys });
      const leaf = await p.issue({ commonName: HOST, dnsNames: [HOST], issuer: xByY });
      return { leaf: leaf.cert, intermediates: [xByY.cert, yByX.cert] };
    },
    kind: "unknown-authority",
    message: UNKNOWN,
    errorCert: "Loop Y",
  },
];

const nameCases: VerifyCase[] = [
  {
    name: "wrong name",
    setup: async () => ({ dnsName: "other.example.com" }),
    kind: "hostname-mismatch",
    message: "x509: certificate is valid for repo.example.com, not other.example.com",
    errorCert: HOST,
  },
  {
    name: "name matching is case-insensitive",
    setup: async () => ({ dnsName: "REPO.Example.COM" }),
    chains: [3],
  },
  { name: "a trailing dot is ignored", setup: async () => ({ dnsName: `${HOST}.` }), chains: [3] },
  { name: "IP target with a matching IP SAN", setup: async () => ({ dnsName: "127.0.0.1" }), chains: [3] },
  {
    name: "IP in brackets, given as `ip` when there is no dnsName",
    setup: async () => ({ dnsName: null, ip: "[127.0.0.1]" }),
    chains: [3],
  },
  {
    name: "IP target, other IP SAN",
    setup: async () => ({ dnsName: "10.0.0.9" }),
    kind: "hostname-mismatch",
    message: "x509: certificate is valid for 127.0.0.1, not 10.0.0.9",
  },
  {
    name: "IP target without any IP SAN",
    setup: async (p) => ({
      leaf: (await p.issue({ commonName: HOST, dnsNames: [HOST], issuer: p.intermediate })).cert,
      dnsName: "127.0.0.1",
    }),
    kind: "hostname-mismatch",
    message: "x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs",
  },
  {
    name: "CN-only certificate whose CN is the host → legacy Common Name message",
    setup: async (p) => ({ leaf: (await p.issue({ commonName: HOST, issuer: p.intermediate })).cert }),
    kind: "cn-only",
    message: "x509: certificate relies on legacy Common Name field, use SANs instead",
  },
  {
    name: "CN-only certificate for another host → not valid for any names",
    setup: async (p) => ({
      leaf: (await p.issue({ commonName: HOST, issuer: p.intermediate })).cert,
      dnsName: "other.example.com",
    }),
    kind: "hostname-mismatch",
    message: "x509: certificate is not valid for any names, but wanted to match other.example.com",
  },
  {
    name: "wildcard covers one label",
    setup: async (p) => ({
      leaf: (await p.issue({ commonName: "wild", dnsNames: ["*.example.com"], issuer: p.intermediate })).cert,
    }),
    chains: [3],
  },
  {
    name: "wildcard does not cover two labels",
    setup: async (p) => ({
      leaf: (await p.issue({ commonName: "wild", dnsNames: ["*.example.com"], issuer: p.intermediate })).cert,
      dnsName: "a.repo.example.com",
    }),
    kind: "hostname-mismatch",
    message: "x509: certificate is valid for *.example.com, not a.repo.example.com",
  },
  {
    name: "the name is checked before the chain (wrong name and untrusted → name error)",
    setup: async () => ({ intermediates: [], dnsName: "other.example.com" }),
    kind: "hostname-mismatch",
  },
];

describeVerifyCases("verifyLikeGo: trust paths", trustCases, () => pki);
describeVerifyCases("verifyLikeGo: host names", nameCases, () => pki);

describe("verifyLikeGo with createPrivatePki at the real time", () => {
  it("verifies the generated chain by name and by IP, and rejects the leaf alone", async () => {
    const t = await createPrivatePki({ hostnames: ["registry.local"], ipAddresses: ["127.0.0.1"] });
    const [root, intermediate, leaf] = [t.root, t.intermediate, t.leaf].map((c) => parseCertificate(c.der));
    const base = { leaf: leaf!, roots: CertPool.of([root!]), now: new Date() };
    assert.ok(verifyLikeGo({ ...base, intermediates: [intermediate!], dnsName: "registry.local" }).ok);
    assert.ok(verifyLikeGo({ ...base, intermediates: [intermediate!], dnsName: null, ip: "127.0.0.1" }).ok);
    assert.ok(!verifyLikeGo({ ...base, intermediates: [], dnsName: "registry.local" }).ok);
  });
});
