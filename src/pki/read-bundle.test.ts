import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as cms from "@peculiar/asn1-cms";
import { AsnConvert } from "@peculiar/asn1-schema";
import * as asn1X509 from "@peculiar/asn1-x509";
import { InputError } from "../core/errors.ts";
import { goAppendCertsFromPEM, readCertificates, toPem } from "./read-bundle.ts";
import { type DatedPki, datedPki } from "./testing/test-pki.ts";

let pki: DatedPki;
let dir: string;
let leafPem: string;
let interPem: string;
before(async () => {
  pki = await datedPki();
  leafPem = pki.leaf.certPem;
  interPem = pki.intermediate.certPem;
  dir = mkdtempSync(join(tmpdir(), "regtrust-pki-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (text: string) => new TextEncoder().encode(text);
const names = (certs: { commonName: string | null }[]) => certs.map((c) => c.commonName);
const LEAF = "repo.example.com";
const INTER = "Dated Intermediate CA";

/** What `openssl s_client -showcerts` prints around the blocks. */
function sClientOutput(): string {
  return [
    "CONNECTED(00000003)",
    "depth=0 CN = repo.example.com",
    "verify error:num=20:unable to get local issuer certificate",
    "---",
    "Certificate chain",
    " 0 s:CN = repo.example.com",
    "   i:O = regtrust test, CN = Dated Intermediate CA",
    leafPem.trimEnd(),
    " 1 s:O = regtrust test, CN = Dated Intermediate CA",
    interPem.trimEnd(),
    "---",
    "Server certificate",
    "SSL handshake has read 1734 bytes and written 400 bytes",
    "DONE",
  ].join("\n");
}

/** A certs-only SignedData built with @peculiar/asn1-cms (RFC 5652 §5.1). */
function pkcs7Der(ders: Uint8Array[]): Uint8Array {
  const signedData = new cms.SignedData({
    version: cms.CMSVersion.v1,
    digestAlgorithms: new cms.DigestAlgorithmIdentifiers(),
    encapContentInfo: new cms.EncapsulatedContentInfo({ eContentType: cms.id_data }),
    certificates: new cms.CertificateSet(
      ders.map((d) => new cms.CertificateChoices({ certificate: AsnConvert.parse(d, asn1X509.Certificate) })),
    ),
    signerInfos: new cms.SignerInfos(),
  });
  const info = new cms.ContentInfo({
    contentType: cms.id_signedData,
    content: AsnConvert.serialize(signedData),
  });
  return new Uint8Array(AsnConvert.serialize(info));
}

describe("readCertificates", () => {
  const table: {
    name: string;
    input: () => Uint8Array;
    certs: string[];
    format: string;
    problems?: string[];
  }[] = [
    {
      name: "openssl s_client output",
      input: () => bytes(sClientOutput()),
      certs: [LEAF, INTER],
      format: "pem",
    },
    {
      name: "CRLF line endings",
      input: () => bytes((leafPem + interPem).replace(/\n/g, "\r\n")),
      certs: [LEAF, INTER],
      format: "pem",
    },
    { name: "UTF-8 BOM", input: () => bytes(`\ufeff${leafPem}`), certs: [LEAF], format: "pem" },
    { name: "single DER certificate", input: () => pki.certs.leaf.der, certs: [LEAF], format: "der" },
    {
      name: "DER PKCS#7 (asn1-cms)",
      input: () => pkcs7Der([pki.certs.leaf.der, pki.certs.intermediate.der]),
      certs: [LEAF, INTER],
      format: "pkcs7",
    },
    {
      name: "PEM PKCS7 block",
      input: () => bytes(toPemBlock("PKCS7", pkcs7Der([pki.certs.root.der]))),
      certs: ["Dated Root CA"],
      format: "pkcs7",
    },
    {
      name: "PEM certificate and PKCS7 together",
      input: () => bytes(leafPem + toPemBlock("PKCS7", pkcs7Der([pki.certs.root.der]))),
      certs: [LEAF, "Dated Root CA"],
      format: "mixed",
    },
    {
      name: "TRUSTED CERTIFICATE block (certificate + trust settings)",
      input: () =>
        bytes(toPemBlock("TRUSTED CERTIFICATE", new Uint8Array([...pki.certs.leaf.der, 0x30, 0x00]))),
      certs: [LEAF],
      format: "pem",
      problems: ["ignored-by-go"],
    },
    {
      name: "an undecodable block among good ones",
      input: () => bytes(`${leafPem}-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n`),
      certs: [LEAF],
      format: "pem",
      problems: ["undecodable"],
    },
    {
      name: "a CRL block next to a certificate",
      input: () => bytes(`${toPemBlock("X509 CRL", new Uint8Array([0x30, 0x00]))}${leafPem}`),
      certs: [LEAF],
      format: "pem",
      problems: ["unsupported-block"],
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const read = readCertificates(row.input(), "bundle.pem");
      assert.deepEqual(names(read.certs), row.certs);
      assert.equal(read.format, row.format);
      assert.deepEqual(
        read.problems.map((p) => p.kind),
        row.problems ?? [],
      );
    });
  }

  it("reads a .p7b made by openssl crl2pkcs7, DER and PEM", () => {
    const certFile = join(dir, "chain.pem");
    writeFileSync(certFile, leafPem + interPem);
    for (const outform of ["DER", "PEM"]) {
      const out = join(dir, `chain.${outform}.p7b`);
      const args = ["crl2pkcs7", "-nocrl", "-certfile", certFile, "-outform", outform, "-out", out];
      execFileSync("openssl", args, { timeout: 10_000 });
      const read = readCertificates(readFileSync(out), out);
      assert.deepEqual(names(read.certs), [LEAF, INTER]);
      assert.equal(read.format, "pkcs7");
      assert.equal(read.certs[0]?.sha256, pki.certs.leaf.sha256);
    }
  });

  it("counts private keys and never returns them", () => {
    const read = readCertificates(bytes(pki.leaf.keyPem + leafPem), "combined.pem");
    assert.equal(read.privateKeys, 1);
    assert.deepEqual(names(read.certs), [LEAF]);
    assert.ok(!JSON.stringify(read).includes("PRIVATE"));
  });

  const failures: [string, () => Uint8Array, RegExp][] = [
    ["garbage", () => bytes("this is not a certificate\n"), /^garbage\.crt is neither PEM nor/],
    ["an empty file", () => new Uint8Array(), /^garbage\.crt is empty$/],
    ["only a private key", () => bytes(pki.leaf.keyPem), /contains no certificate; found 1 private key/],
    ["random binary", () => new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]), /neither PEM nor a DER/],
  ];
  for (const [name, input, message] of failures) {
    it(`throws InputError naming the file for ${name}`, () => {
      assert.throws(
        () => readCertificates(input(), "garbage.crt"),
        (e: unknown) => e instanceof InputError && message.test(e.message),
      );
    });
  }
});

describe("goAppendCertsFromPEM (Go's CertPool.AppendCertsFromPEM)", () => {
  const table: [string, () => Uint8Array, string[]][] = [
    ["plain PEM bundle", () => bytes(leafPem + interPem), [LEAF, INTER]],
    ["junk between blocks", () => bytes(sClientOutput()), [LEAF, INTER]],
    ["CRLF", () => bytes((leafPem + interPem).replace(/\n/g, "\r\n")), [LEAF, INTER]],
    ["DER adds nothing (ca-file-unusable)", () => pki.certs.leaf.der, []],
    ["a UTF-8 BOM hides the first block", () => bytes(`\ufeff${leafPem}${interPem}`), [INTER]],
    [
      "blocks with headers are skipped",
      () => bytes(leafPem.replace("\n", "\nProc-Type: 4,ENCRYPTED\n\n") + interPem),
      [INTER],
    ],
    [
      "TRUSTED CERTIFICATE is skipped",
      () => bytes(leafPem.replace(/CERTIFICATE/g, "TRUSTED CERTIFICATE")),
      [],
    ],
    ["BEGIN not at a line start is skipped", () => bytes(`junk ${leafPem}`), []],
    [
      "mismatched END type is skipped",
      () => bytes(leafPem.replace("END CERTIFICATE", "END X509 CRL") + interPem),
      [INTER],
    ],
    ["invalid base64 is skipped", () => bytes(leafPem.replace(/\n(.)/, "\n!$1") + interPem), [INTER]],
    ["a PKCS7 block adds nothing", () => bytes(toPemBlock("PKCS7", pkcs7Der([pki.certs.leaf.der]))), []],
  ];
  for (const [name, input, expected] of table) {
    it(name, () => assert.deepEqual(names(goAppendCertsFromPEM(input())), expected));
  }
});

describe("toPem", () => {
  it("round-trips through both readers", () => {
    const pem = toPem([pki.certs.leaf, pki.certs.intermediate]);
    assert.match(pem, /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)+/);
    assert.deepEqual(names(goAppendCertsFromPEM(bytes(pem))), [LEAF, INTER]);
    assert.equal(readCertificates(bytes(pem), "x").certs[1]?.sha256, pki.certs.intermediate.sha256);
  });
});

function toPemBlock(label: string, der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
