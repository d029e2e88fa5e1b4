import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import fc from "fast-check";
import { InputError } from "../core/errors.ts";
import { type DatedPki, datedPki, type Issued, issueDated, NOW } from "../pki/testing/test-pki.ts";
import { type InspectReport, inspectBundle } from "./inspect-bundle.ts";

/** `inspect` on bundles shaped like the ones users hand us; then fuzzed (issue 10 §5). */

let pki: DatedPki;
let otherRoot: Issued;
let expiredLeaf: Issued;
let expiredRoot: Issued;
const clock = { now: () => NOW };

before(async () => {
  pki = await datedPki();
  otherRoot = await issueDated({ commonName: "Other Root", isCA: true });
  expiredLeaf = await issueDated({
    commonName: "old",
    issuer: pki.intermediate,
    notAfter: new Date("2026-01-01T00:00:00Z"),
  });
  expiredRoot = await issueDated({
    commonName: "Old Root",
    isCA: true,
    notAfter: new Date("2026-01-01T00:00:00Z"),
  });
});

const text = (...parts: string[]) => new TextEncoder().encode(parts.join(""));
const inspect = (bytes: Uint8Array) => inspectBundle(bytes, "bundle.pem", { clock, expiringDays: 30 });
const kinds = (r: InspectReport) =>
  r.issues.map((i) => `${i.kind}:${i.severity}${i.position ? `@${i.position}` : ""}`);

interface Case {
  name: string;
  input: () => Uint8Array;
  format?: string;
  order: string;
  summary?: RegExp;
  issues: string[];
  goLoads?: number;
  ok?: boolean;
}

const cases: Case[] = [
  {
    name: "server chain file, leaf first",
    input: () => text(pki.leaf.certPem, pki.intermediate.certPem, pki.root.certPem),
    order: "leaf-first",
    summary: /^one chain of 3, in order/,
    issues: ["leaf-among-cas:info@1"],
  },
  {
    name: "reversed chain",
    input: () => text(pki.root.certPem, pki.intermediate.certPem, pki.leaf.certPem),
    order: "root-first",
    summary: /reverse order/,
    issues: ["leaf-among-cas:warning@3"],
  },
  {
    name: "shuffled chain",
    input: () => text(pki.intermediate.certPem, pki.leaf.certPem, pki.root.certPem),
    order: "unordered",
    summary: /out of order: #2 ← #1 ← #3/,
    issues: ["leaf-among-cas:warning@2"],
  },
  {
    name: "a store of roots",
    input: () => text(pki.root.certPem, otherRoot.certPem),
    order: "roots",
    summary: /^2 self-signed roots$/,
    issues: [],
  },
  {
    name: "an expired root in a store is a warning",
    input: () => text(pki.root.certPem, expiredRoot.certPem),
    order: "roots",
    issues: ["expired:warning@2"],
  },
  {
    name: "an expired leaf in a chain is an error",
    input: () => text(expiredLeaf.certPem, pki.intermediate.certPem),
    order: "leaf-first",
    issues: ["expired:error@1", "leaf-among-cas:info@1"],
    ok: false,
  },
  {
    name: "duplicates",
    input: () => text(pki.intermediate.certPem, pki.root.certPem, pki.intermediate.certPem),
    order: "leaf-first",
    issues: ["duplicate:warning@3"],
  },
  {
    name: "two unrelated chains",
    input: () => text(pki.intermediate.certPem, otherRoot.certPem),
    order: "several",
    summary: /2 certificates in 2 separate chains/,
    issues: [],
  },
  {
    name: "a lone leaf",
    input: () => text(pki.leaf.certPem),
    order: "single",
    summary: /^a server \(leaf\) certificate$/,
    issues: ["leaf-only:info@1"],
  },
  {
    name: "a BOM hides the first certificate from Go",
    input: () => text("\ufeff", pki.intermediate.certPem, pki.root.certPem),
    order: "leaf-first",
    issues: ["ignored-by-go:warning@1"],
    goLoads: 1,
  },
  {
    name: "DER gives Go nothing",
    input: () => pki.root.der,
    format: "der",
    order: "single",
    issues: ["not-pem:warning"],
    goLoads: 0,
  },
  {
    name: "a TRUSTED CERTIFICATE block",
    input: () => text(pki.root.certPem.replaceAll("CERTIFICATE", "TRUSTED CERTIFICATE")),
    order: "single",
    issues: ["ignored-by-go:warning"],
    goLoads: 0,
  },
  {
    name: "an undecodable block among good ones",
    input: () => text(pki.root.certPem, "-----BEGIN CERTIFICATE-----\nMIIBfoo=\n-----END CERTIFICATE-----\n"),
    order: "single",
    issues: ["undecodable:error"],
    ok: false,
  },
  {
    name: "a private key next to the certificate",
    input: () => text(pki.leaf.certPem, pki.leaf.keyPem, pki.intermediate.certPem),
    order: "leaf-first",
    issues: ["private-key:warning", "leaf-among-cas:info@1"],
  },
];

describe("inspectBundle", () => {
  for (const c of cases) {
    it(c.name, () => {
      const report = inspect(c.input());
      assert.equal(report.format, c.format ?? "pem");
      assert.equal(report.order, c.order);
      if (c.summary) assert.match(report.summary, c.summary);
      assert.deepEqual(kinds(report), c.issues);
      if (c.goLoads !== undefined) assert.equal(report.goLoads, c.goLoads);
      assert.equal(report.ok, c.ok ?? true);
    });
  }

  it("links every certificate to its issuer in the file", () => {
    const report = inspect(text(pki.intermediate.certPem, pki.leaf.certPem, pki.root.certPem));
    assert.deepEqual(
      report.certificates.map((c) => c.issuedBy),
      [3, 1, null],
    );
    assert.deepEqual(report.chains, [[2, 1, 3]]);
  });

  it("counts private keys and never returns their contents", () => {
    const report = inspect(text(pki.leaf.certPem, pki.leaf.keyPem));
    assert.equal(report.privateKeys, 1);
    const json = JSON.stringify(report);
    const keyBody = pki.leaf.keyPem.split("\n").filter((l) => l && !l.startsWith("-----"));
    for (const line of keyBody)
      assert.ok(!json.includes(line), "private key material leaked into the report");
  });

  it("names the input when there is no certificate at all", () => {
    assert.throws(
      () => inspect(text("hello\n")),
      (e: unknown) => e instanceof InputError && /bundle\.pem/.test(e.message),
    );
    assert.throws(
      () => inspect(text(pki.leaf.keyPem)),
      /bundle\.pem contains no certificate; found 1 private key/,
    );
  });
});

describe("inspectBundle under fuzzing", () => {
  /** Either a report or an InputError; anything else (or a hang) fails the property. */
  function survives(bytes: Uint8Array): boolean {
    try {
      const report = inspect(bytes);
      return report.count === report.certificates.length;
    } catch (error) {
      if (error instanceof InputError) return true;
      throw error;
    }
  }

  it("arbitrary bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), survives), { numRuns: 300 });
  });

  it("mutated real bundles: PEM, DER and PEM with keys", () => {
    const seeds = [
      text(pki.leaf.certPem, pki.intermediate.certPem, "junk\r\n", pki.root.certPem),
      new Uint8Array(pki.intermediate.der),
      text(pki.leaf.keyPem, pki.leaf.certPem),
    ];
    const mutation = fc.record({
      seed: fc.nat({ max: seeds.length - 1 }),
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: -1, max: 255 })), { maxLength: 8 }),
    });
    fc.assert(
      fc.property(mutation, ({ seed, edits }) => {
        const bytes = Array.from(seeds[seed]!);
        for (const [at, value] of edits) {
          const i = at % Math.max(1, bytes.length);
          if (value < 0) bytes.splice(i, 1);
          else bytes[i] = value;
        }
        return survives(new Uint8Array(bytes));
      }),
      { numRuns: 300 },
    );
  });
});
