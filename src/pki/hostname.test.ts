import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Certificate } from "./certificate.ts";
import { matchHostnames, verifyHostname } from "./hostname.ts";
import { issueDated } from "./testing/test-pki.ts";

let cert: Certificate;
before(async () => {
  const sans = ["repo.example.com", "*.apps.example.com", "under_score.example.com", "not a hostname", "*"];
  cert = (await issueDated({ commonName: "ignored.example.com", dnsNames: sans, ipAddresses: ["::1"] })).cert;
});

describe("verifyHostname (Go VerifyHostname)", () => {
  const table: [host: string, ok: boolean][] = [
    ["repo.example.com", true],
    ["Repo.Example.Com.", true],
    ["x.apps.example.com", true],
    ["apps.example.com", false],
    ["x.y.apps.example.com", false],
    ["under_score.example.com", true],
    ["not a hostname", true],
    ["NOT A HOSTNAME", true],
    ["anything", true], // a bare "*" SAN is a valid pattern and matches any single label
    ["ignored.example.com", false],
    ["::1", true],
    ["[::1]", true],
    ["0:0:0:0:0:0:0:1", true],
    ["127.0.0.1", false],
  ];
  for (const [host, ok] of table) {
    it(`${host} → ${ok ? "match" : "no match"}`, () => assert.equal(verifyHostname(cert, host) === null, ok));
  }

  it("lists the IP SANs Go-style when an IP does not match", () => {
    assert.equal(
      verifyHostname(cert, "127.0.0.1")?.message,
      "x509: certificate is valid for ::1, not 127.0.0.1",
    );
  });
});

describe("matchHostnames", () => {
  const table: [pattern: string, host: string, ok: boolean][] = [
    ["*.example.com", "a.example.com", true],
    ["*.example.com", "example.com", false],
    ["a*.example.com", "ab.example.com", false],
    ["example.com", "EXAMPLE.com.", true],
    ["", "example.com", false],
  ];
  for (const [pattern, host, ok] of table) {
    it(`${pattern} vs ${host}`, () => assert.equal(matchHostnames(pattern, host), ok));
  }
});
