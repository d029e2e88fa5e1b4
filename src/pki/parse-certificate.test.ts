import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { before, describe, it } from "node:test";
import { InputError } from "../core/errors.ts";
import type { Certificate } from "./certificate.ts";
import { internalsOf, parseCertificate, serialDecimal } from "./parse-certificate.ts";
import { type DatedPki, datedPki, HOST, type Issued, issueDated } from "./testing/test-pki.ts";

let pki: DatedPki;
let rsaSha1Root: Issued;
let rich: Issued;
before(async () => {
  pki = await datedPki();
  rsaSha1Root = await issueDated({
    commonName: "Legacy, Root",
    organization: "Old+Corp",
    isCA: true,
    signatureHash: "SHA-1",
  });
  rich = await issueDated({
    commonName: HOST,
    organization: "Example",
    issuer: pki.intermediate,
    dnsNames: [HOST, "*.repo.example.com"],
    ipAddresses: ["127.0.0.1", "::1"],
    extKeyUsage: ["serverAuth", "clientAuth"],
    aiaIssuerUrl: "http://pki.example.com/inter.crt",
    serial: "00c0ffee",
  });
});

describe("parseCertificate", () => {
  it("agrees with node:crypto on fingerprint, serial, validity and CA flag", () => {
    for (const cert of [
      pki.certs.root,
      pki.certs.intermediate,
      pki.certs.leaf,
      rich.cert,
      rsaSha1Root.cert,
    ]) {
      const x = new X509Certificate(cert.der);
      assert.equal(cert.sha256, x.fingerprint256);
      assert.equal(cert.serial, x.serialNumber.toLowerCase().replace(/^(00)+(?=.)/, ""));
      assert.equal(cert.notBefore.getTime(), new Date(x.validFrom).getTime());
      assert.equal(cert.notAfter.getTime(), new Date(x.validTo).getTime());
      assert.equal(cert.isCA, x.ca);
    }
  });

  it("reads names, SANs, key usages, key identifiers and AIA", () => {
    const c = rich.cert;
    assert.equal(c.subject, `CN=${HOST}, O=Example`);
    assert.equal(c.issuer, "CN=Dated Intermediate CA, O=regtrust test");
    assert.equal(c.commonName, HOST);
    assert.deepEqual(c.sans, {
      dns: [HOST, "*.repo.example.com"],
      ip: ["127.0.0.1", "::1"],
      email: [],
      uri: [],
    });
    assert.deepEqual(c.extKeyUsage, ["serverAuth", "clientAuth"]);
    assert.deepEqual(c.keyUsage, ["digitalSignature", "keyEncipherment"]);
    assert.equal(c.basicConstraintsValid, true);
    assert.equal(c.isCA, false);
    assert.equal(c.authorityKeyId, pki.certs.intermediate.subjectKeyId);
    assert.match(c.subjectKeyId ?? "", /^[0-9a-f]{40}$/);
    assert.deepEqual(c.aiaIssuers, ["http://pki.example.com/inter.crt"]);
    assert.equal(c.serial, "c0ffee");
    assert.equal(serialDecimal(c), String(0xc0ffee));
    assert.equal(c.version, 3);
    assert.equal(c.issuerKey, pki.certs.intermediate.subjectKey);
  });

  it("escapes RFC 4514 specials in display names", () => {
    assert.equal(rsaSha1Root.cert.subject, "CN=Legacy\\, Root, O=Old\\+Corp");
  });

  it("reads CA constraints", () => {
    const inter = pki.certs.intermediate;
    assert.equal(inter.maxPathLen, 0);
    assert.deepEqual(inter.keyUsage, ["digitalSignature", "keyCertSign", "cRLSign"]);
    assert.equal(pki.certs.root.maxPathLen, null);
  });

  it("names signature and key algorithms as Go does", () => {
    const table: [Certificate, string, Certificate["publicKey"]][] = [
      [pki.certs.leaf, "ECDSA-SHA256", { algorithm: "ECDSA", curve: "P-256", bits: 256 }],
      [rsaSha1Root.cert, "SHA1-RSA", { algorithm: "RSA", bits: 2048 }],
    ];
    for (const [cert, name, key] of table) {
      assert.equal(cert.signatureAlgorithm.name, name);
      assert.deepEqual(cert.publicKey, key);
    }
    assert.equal(rsaSha1Root.cert.signatureAlgorithm.oid, "1.2.840.113549.1.1.5");
  });

  it("computes selfSigned from names and the signature, SHA-1 included", () => {
    assert.equal(pki.certs.root.selfSigned, true);
    assert.equal(rsaSha1Root.cert.selfSigned, true);
    assert.equal(pki.certs.leaf.selfSigned, false);
    assert.equal(pki.certs.intermediate.selfSigned, false);
  });

  it("exposes lazy fields as enumerable data (spread and JSON keep them)", () => {
    const copy = { ...pki.certs.leaf };
    assert.equal(copy.subject, `CN=${HOST}`);
    assert.equal(copy.selfSigned, false);
    const json = JSON.parse(JSON.stringify(pki.certs.leaf)) as Record<string, unknown>;
    assert.equal(json.commonName, HOST);
    assert.equal(internalsOf(copy).hasSanExtension, true);
  });

  it("marks name constraints", async () => {
    const nc = await issueDated({
      commonName: "NC",
      isCA: true,
      nameConstraints: { permittedDNS: ["corp"] },
    });
    assert.equal(nc.cert.hasNameConstraints, true);
    assert.equal(pki.certs.root.hasNameConstraints, false);
  });

  const bad: [string, Uint8Array][] = [
    ["empty input", new Uint8Array()],
    ["text", new TextEncoder().encode("hello world")],
    ["truncated DER", new Uint8Array([0x30, 0x82, 0x01, 0x00, 0x30])],
    ["indefinite length", new Uint8Array([0x30, 0x80, 0x00, 0x00])],
  ];
  for (const [name, der] of bad) {
    it(`throws InputError on ${name}`, () => {
      assert.throws(() => parseCertificate(der), InputError);
    });
  }

  it("throws InputError on trailing data (Go: x509: trailing data)", () => {
    const der = new Uint8Array([...pki.certs.leaf.der, 0x00]);
    assert.throws(() => parseCertificate(der), /trailing data/);
  });
});
