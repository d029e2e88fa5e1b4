import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Certificate } from "../pki/certificate.ts";
import { type DatedPki, datedPki, issueDated, issuerLoopPki, NOW } from "../pki/testing/test-pki.ts";
import { chainIssues } from "./chain-issues.ts";
import type { ChainLink } from "./chain-path.ts";
import { type ChainCompletion, uncompleted } from "./complete-chain.ts";

/** What `chain` says about a presented list, table-driven over the fixed-date PKI (NOW is 2026-03-01). */

let pki: DatedPki;
let extra: Record<string, Certificate>;

before(async () => {
  pki = await datedPki();
  const day = 86_400_000;
  const notCa = await issueDated({ commonName: "Not A CA", issuer: pki.root });
  const [selfLeaf, soon, expired, underNotCa] = await Promise.all([
    issueDated({ commonName: "self.example.com", dnsNames: ["self.example.com"] }),
    issueDated({
      commonName: "soon",
      issuer: pki.intermediate,
      notAfter: new Date(NOW.getTime() + 10 * day),
    }),
    issueDated({ commonName: "old", issuer: pki.intermediate, notAfter: new Date(NOW.getTime() - day) }),
    issueDated({ commonName: "under-not-ca", issuer: notCa }),
  ]);
  const loop = await issuerLoopPki();
  extra = {
    loopLeaf: loop.leaf.cert,
    loopA: loop.a.cert,
    loopB: loop.b.cert,
    notCa: notCa.cert,
    selfLeaf: selfLeaf.cert,
    soon: soon.cert,
    expired: expired.cert,
    underNotCa: underNotCa.cert,
  };
});

/** The server sent `sent`; `fetched` were appended by completion (positions continue). */
function completed(sent: Certificate[], fetched: Certificate[]): ChainCompletion {
  const base = uncompleted(sent);
  const links: ChainLink[] = fetched.map((cert, i) => ({
    cert,
    position: sent.length + i + 1,
    origin: { source: "aia", url: `http://pki.test/${i}.der` },
  }));
  const path = [...base.path, ...links];
  return {
    path,
    fetched: links,
    reachedRoot: path[path.length - 1]!.cert.selfSigned,
    issues: [],
    attempts: [],
  };
}

interface Case {
  name: string;
  sent: () => Certificate[];
  fetched?: () => Certificate[];
  /** "kind:severity@position" */
  expect: string[];
  message?: RegExp;
}

const cases: Case[] = [
  {
    name: "leaf only: the missing intermediate is an error",
    sent: () => [pki.certs.leaf],
    expect: ["missing-issuer:error@1"],
    message:
      /does not send the issuer of certificate 1 \(CN=repo\.example\.com\), CN=Dated Intermediate CA.*Go runtimes never do/,
  },
  {
    name: "leaf and intermediate: the omitted root is normal",
    sent: () => [pki.certs.leaf, pki.certs.intermediate],
    expect: ["missing-issuer:info@2"],
    message: /normal when it is the root/,
  },
  {
    name: "leaf and intermediate, root fetched: still normal",
    sent: () => [pki.certs.leaf, pki.certs.intermediate],
    fetched: () => [pki.certs.root],
    expect: ["missing-issuer:info@2"],
    message: /does not send the root CN=Dated Root CA.*which is normal/,
  },
  {
    name: "leaf only, intermediate fetched: says where it was found",
    sent: () => [pki.certs.leaf],
    fetched: () => [pki.certs.intermediate, pki.certs.root],
    expect: ["missing-issuer:error@1"],
    message: /--complete fetched it from http:\/\/pki\.test\/0\.der/,
  },
  {
    name: "full chain with the root: sending the root is only a warning",
    sent: () => [pki.certs.leaf, pki.certs.intermediate, pki.certs.root],
    expect: ["root-sent:warning@3"],
  },
  {
    name: "root before intermediate: wrong order",
    sent: () => [pki.certs.leaf, pki.certs.root, pki.certs.intermediate],
    expect: ["wrong-order:error@1", "root-sent:warning@2"],
  },
  {
    name: "duplicate intermediate",
    sent: () => [pki.certs.leaf, pki.certs.intermediate, pki.certs.intermediate],
    expect: ["duplicate:warning@3", "missing-issuer:info@2"],
  },
  {
    name: "a self-signed server certificate",
    sent: () => [extra.selfLeaf!],
    expect: ["self-signed-leaf:warning@1"],
  },
  {
    name: "expiring within 30 days",
    sent: () => [extra.soon!, pki.certs.intermediate],
    expect: ["missing-issuer:info@2", "expiring-soon:warning@1"],
    message: /expires in 10 days/,
  },
  {
    name: "expired leaf",
    sent: () => [extra.expired!, pki.certs.intermediate],
    expect: ["expired:error@1", "missing-issuer:info@2"],
  },
  {
    name: "CAs that issued each other (leaf, A, B): an issuer loop, and no 'root not sent' note",
    sent: () => [extra.loopLeaf!, extra.loopA!, extra.loopB!],
    expect: ["issuer-loop:error@3"],
    message: /certificate 3 \(CN=Loop CA B.*issued by certificate 2 .*loop that never reaches a root/,
  },
  {
    name: "an intermediate that is not a CA",
    sent: () => [extra.underNotCa!, extra.notCa!],
    expect: ["missing-issuer:info@2", "not-a-ca:error@2"],
    message: /signed certificate 1 but is not a CA/,
  },
];

describe("chainIssues", () => {
  for (const c of cases) {
    it(c.name, () => {
      const sent = c.sent();
      const issues = chainIssues(sent, c.fetched ? completed(sent, c.fetched()) : uncompleted(sent), {
        now: NOW,
        expiringDays: 30,
      });
      assert.deepEqual(
        issues.map((i) => `${i.kind}:${i.severity}@${i.position}`),
        c.expect,
      );
      if (c.message)
        assert.ok(
          issues.some((i) => c.message!.test(i.message)),
          JSON.stringify(issues, null, 1),
        );
    });
  }
});
