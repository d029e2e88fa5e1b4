import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Certificate } from "./certificate.ts";
import { describeChainProblems, isIssuedBy, issuerLoop } from "./chain-problems.ts";
import { type DatedPki, datedPki, HOST, issuerLoopPki, NOW } from "./testing/test-pki.ts";

let pki: DatedPki;
let other: DatedPki;
let expiredLeaf: Certificate;
before(async () => {
  [pki, other] = await Promise.all([datedPki(), datedPki({ rootName: "Other Root CA" })]);
  const old = { notBefore: new Date("2020-01-01T00:00:00Z"), notAfter: new Date("2021-01-01T00:00:00Z") };
  expiredLeaf = (await pki.issue({ commonName: HOST, dnsNames: [HOST], issuer: pki.intermediate, ...old }))
    .cert;
});

type Row = [
  name: string,
  presented: () => Certificate[],
  expected: [kind: string, index: number, related: number | null][],
];

describe("describeChainProblems", () => {
  const rows: Row[] = [
    [
      "leaf + intermediate: the root is the missing issuer (normal)",
      () => [pki.certs.leaf, pki.certs.intermediate],
      [["missing-issuer", 1, null]],
    ],
    ["leaf only: its issuer is missing", () => [pki.certs.leaf], [["missing-issuer", 0, null]]],
    ["root sent", () => [pki.certs.leaf, pki.certs.intermediate, pki.certs.root], [["root-sent", 2, null]]],
    [
      "intermediate and root swapped",
      () => [pki.certs.leaf, pki.certs.root, pki.certs.intermediate],
      [
        ["wrong-order", 0, 2],
        ["root-sent", 1, null],
      ],
    ],
    [
      "duplicate intermediate",
      () => [pki.certs.leaf, pki.certs.intermediate, pki.certs.intermediate],
      [
        ["duplicate", 2, 1],
        ["missing-issuer", 2, null],
      ],
    ],
    [
      "an unrelated certificate follows the leaf",
      () => [pki.certs.leaf, other.certs.intermediate],
      [
        ["unrelated-certificate", 0, null],
        ["missing-issuer", 1, null],
      ],
    ],
    ["self-signed leaf alone is not a missing issuer", () => [pki.certs.root], []],
    [
      "expired leaf",
      () => [expiredLeaf, pki.certs.intermediate],
      [
        ["missing-issuer", 1, null],
        ["expired", 0, null],
      ],
    ],
  ];
  for (const [name, presented, expected] of rows) {
    it(name, () => {
      const problems = describeChainProblems(presented(), NOW);
      assert.deepEqual(
        problems.map((p) => [p.kind, p.index, p.relatedIndex]),
        expected,
      );
      for (const p of problems) assert.ok(p.message.length > 0);
    });
  }

  it("names the missing issuer and points at AIA when present", async () => {
    const leaf = (
      await pki.issue({
        commonName: HOST,
        issuer: pki.intermediate,
        aiaIssuerUrl: "http://pki.example/i.crt",
      })
    ).cert;
    const [problem] = describeChainProblems([leaf], NOW);
    assert.match(
      problem?.message ?? "",
      /Dated Intermediate CA.*AIA caIssuers: http:\/\/pki\.example\/i\.crt/,
    );
  });
});

describe("issuer loops", () => {
  it("leaf, A, B with A issued by B and B by A: one issuer-loop at B pointing at A, nothing missing", async () => {
    const { a, b, leaf } = await issuerLoopPki();
    const problems = describeChainProblems([leaf.cert, a.cert, b.cert], NOW);
    assert.deepEqual(
      problems.map((p) => [p.kind, p.index, p.relatedIndex]),
      [["issuer-loop", 2, 1]],
    );
    assert.match(problems[0]?.message ?? "", /certificate 3 \(CN=Loop CA B.*issued by certificate 2 .*loop/);
  });

  it("issuerLoop: only when the top of the path was issued by a certificate already on it", async () => {
    const { a, b, leaf } = await issuerLoopPki();
    assert.equal(issuerLoop([leaf.cert, a.cert, b.cert])?.issuer, a.cert);
    assert.equal(issuerLoop([leaf.cert, a.cert]), null, "B was not sent: a missing issuer, not a loop");
    assert.equal(issuerLoop([pki.certs.leaf, pki.certs.intermediate]), null);
    assert.equal(issuerLoop([pki.certs.leaf, pki.certs.intermediate, pki.certs.root]), null);
    assert.equal(issuerLoop([]), null);
  });
});

describe("isIssuedBy", () => {
  it("needs the name and the signature to match", () => {
    assert.equal(isIssuedBy(pki.certs.leaf, pki.certs.intermediate), true);
    assert.equal(isIssuedBy(pki.certs.leaf, pki.certs.root), false);
    assert.equal(isIssuedBy(pki.certs.leaf, other.certs.intermediate), false);
  });
});
