import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { describe, it } from "node:test";
import { createPrivatePki, issueCertificate } from "./generate.ts";
import { parseCertificate } from "./parse-certificate.ts";

describe("createPrivatePki", () => {
  it("builds root → intermediate (pathLen 0) → leaf with SANs, AKI/SKI and serverAuth", async () => {
    const pki = await createPrivatePki({
      hostnames: ["repo.example.com", "alt.example.com"],
      ipAddresses: ["127.0.0.1"],
    });
    const root = parseCertificate(pki.root.der);
    const inter = parseCertificate(pki.intermediate.der);
    const leaf = parseCertificate(pki.leaf.der);
    assert.equal(root.selfSigned, true);
    assert.equal(root.isCA, true);
    assert.equal(inter.isCA, true);
    assert.equal(inter.maxPathLen, 0);
    assert.equal(inter.authorityKeyId, root.subjectKeyId);
    assert.equal(leaf.authorityKeyId, inter.subjectKeyId);
    assert.equal(leaf.isCA, false);
    assert.deepEqual(leaf.extKeyUsage, ["serverAuth"]);
    assert.deepEqual(leaf.sans.dns, ["repo.example.com", "alt.example.com"]);
    assert.deepEqual(leaf.sans.ip, ["127.0.0.1"]);
    assert.equal(leaf.publicKey.curve, "P-256");
    assert.equal(pki.leaf.subject, "CN=repo.example.com");
    assert.equal(pki.intermediate.subject, "CN=regtrust Test Root CA Intermediate, O=regtrust test");
  });

  it("uses the requested root name and leaf expiry", async () => {
    const notAfter = new Date("2031-05-05T05:05:05Z");
    const pki = await createPrivatePki({ hostnames: ["h.example"], rootName: "Corp Root", notAfter });
    assert.equal(parseCertificate(pki.root.der).commonName, "Corp Root");
    assert.equal(parseCertificate(pki.leaf.der).notAfter.getTime(), notAfter.getTime());
  });
});

describe("issueCertificate", () => {
  it("emits PEM node can read and a PKCS#8 key matching the certificate", async () => {
    const cert = await issueCertificate({ commonName: "pem.example", dnsNames: ["pem.example"] });
    assert.match(cert.certPem, /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    assert.match(cert.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    const x = new X509Certificate(cert.certPem);
    assert.ok(x.checkPrivateKey(createPrivateKey(cert.keyPem)));
    assert.deepEqual(new Uint8Array(x.raw), cert.der);
  });

  it("makes a CN-only certificate when no SAN is given", async () => {
    const cert = parseCertificate((await issueCertificate({ commonName: "cn-only.example" })).der);
    assert.deepEqual(cert.sans, { dns: [], ip: [], email: [], uri: [] });
    assert.equal(cert.commonName, "cn-only.example");
  });

  it("makes RSA on request and forces RSA for SHA-1", async () => {
    const rsa = parseCertificate((await issueCertificate({ commonName: "rsa", keyAlgorithm: "rsa" })).der);
    assert.deepEqual(
      [rsa.publicKey, rsa.signatureAlgorithm.name],
      [{ algorithm: "RSA", bits: 2048 }, "SHA256-RSA"],
    );
    const sha1 = parseCertificate(
      (await issueCertificate({ commonName: "sha1", signatureHash: "SHA-1" })).der,
    );
    assert.deepEqual([sha1.publicKey.algorithm, sha1.signatureAlgorithm.name], ["RSA", "SHA1-RSA"]);
  });

  it("honours serial, dates, key usage, AIA, and the basicConstraints switches", async () => {
    const cert = parseCertificate(
      (
        await issueCertificate({
          commonName: "opts",
          serial: "0123abcd",
          notBefore: new Date("2024-01-01T00:00:00Z"),
          notAfter: new Date("2024-02-01T00:00:00Z"),
          keyUsage: ["digitalSignature"],
          aiaIssuerUrl: "http://aia.example/ca.crt",
          omitBasicConstraints: true,
        })
      ).der,
    );
    assert.equal(cert.serial, "0123abcd");
    assert.equal(cert.notBefore.toISOString(), "2024-01-01T00:00:00.000Z");
    assert.deepEqual(cert.keyUsage, ["digitalSignature"]);
    assert.deepEqual(cert.aiaIssuers, ["http://aia.example/ca.crt"]);
    assert.equal(cert.basicConstraintsValid, false);
  });

  it("re-encodes as X.509 v1 and reuses keys when asked", async () => {
    const ca = await issueCertificate({ commonName: "ca", isCA: true });
    const v1 = await issueCertificate({ commonName: "v1", issuer: ca, version1: true, keys: ca.keys });
    const parsed = parseCertificate(v1.der);
    assert.equal(parsed.version, 1);
    assert.equal(parsed.subjectKeyId, null);
    assert.ok(new X509Certificate(v1.der).verify(new X509Certificate(ca.der).publicKey));
    assert.ok(new X509Certificate(v1.der).publicKey.equals(new X509Certificate(ca.der).publicKey));
  });

  it("adds extra extensions as given (an oversized certificate stays parsable and signed)", async () => {
    const ca = await issueCertificate({ commonName: "ca", isCA: true });
    const padding = Buffer.concat([Buffer.from([0x04, 0x83, 0x01, 0x00, 0x00]), Buffer.alloc(65536)]);
    const big = await issueCertificate({
      commonName: "big",
      issuer: ca,
      extraExtensions: [{ oid: "1.3.6.1.4.1.55555.1", value: padding }],
    });
    assert.ok(big.der.length > 65536);
    assert.ok(Buffer.from(big.der).includes(padding));
    assert.ok(new X509Certificate(big.der).verify(new X509Certificate(ca.der).publicKey));
    assert.equal(parseCertificate(big.der).commonName, "big");
  });
});
