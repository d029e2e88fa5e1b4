import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { CertPool } from "./cert-pool.ts";
import { parseCertificate } from "./parse-certificate.ts";
import { type DatedPki, datedPki, HOST, type Issued } from "./testing/test-pki.ts";

let pki: DatedPki;
/** Same subject as the intermediate: one without SKI-matching key, one re-keyed. */
let rekeyed: Issued;
let noSki: Issued;
before(async () => {
  pki = await datedPki();
  const sameName = {
    commonName: "Dated Intermediate CA",
    organization: "regtrust test",
    isCA: true,
    issuer: pki.root,
  };
  rekeyed = await pki.issue(sameName);
  noSki = await pki.issue(sameName);
});

describe("CertPool", () => {
  it("drops duplicates by DER, even from a separate parse", () => {
    const pool = new CertPool();
    assert.equal(pool.add(pki.certs.root), true);
    assert.equal(pool.add(parseCertificate(pki.root.der)), false);
    assert.equal(pool.size, 1);
    assert.equal(pool.contains(parseCertificate(pki.root.der)), true);
    assert.equal(pool.contains(pki.certs.leaf), false);
  });

  it("keeps insertion order and indexes by raw subject", () => {
    const pool = CertPool.of([pki.certs.leaf, pki.certs.root]);
    assert.deepEqual(pool.all(), [pki.certs.leaf, pki.certs.root]);
    assert.deepEqual(pool.bySubjectKey(pki.certs.root.subjectKey), [pki.certs.root]);
    assert.deepEqual(pool.bySubjectKey("00"), []);
  });

  it("finds parents by issuer name only", () => {
    const pool = CertPool.of([pki.certs.root, pki.certs.intermediate]);
    assert.deepEqual(pool.findPotentialParents(pki.certs.leaf), [pki.certs.intermediate]);
    assert.deepEqual(pool.findPotentialParents(pki.certs.intermediate), [pki.certs.root]);
    assert.deepEqual(CertPool.of([pki.certs.leaf]).findPotentialParents(pki.certs.leaf), []);
  });

  it("orders candidates: AKID==SKID, then one side missing, then mismatching (findPotentialParents)", () => {
    // A leaf whose AKID matches `rekeyed`; the dated intermediate then mismatches.
    const withoutSki = { ...noSki.cert, subjectKeyId: null };
    const pool = CertPool.of([pki.certs.intermediate, withoutSki, rekeyed.cert]);
    const leaf = { ...pki.certs.leaf, authorityKeyId: rekeyed.cert.subjectKeyId, subject: HOST };
    assert.deepEqual(pool.findPotentialParents(leaf), [rekeyed.cert, withoutSki, pki.certs.intermediate]);
  });

  it("treats a missing AKID on the child as one side missing", () => {
    const pool = CertPool.of([pki.certs.intermediate]);
    const leaf = { ...pki.certs.leaf, authorityKeyId: null };
    assert.deepEqual(pool.findPotentialParents(leaf), [pki.certs.intermediate]);
  });
});

describe("CertPool: deferred (OS bundle) certificates", () => {
  /** The root's DER with one digit of its notBefore replaced: the structure parses, the time does not. */
  function withBrokenValidity(der: Uint8Array): Uint8Array {
    const bytes = Uint8Array.from(der);
    const notBefore = /\x17\x0d(\d{12})Z|\x18\x0f(\d{14})Z/.exec(Buffer.from(bytes).toString("latin1"));
    assert.ok(notBefore, "the root has a UTCTime or GeneralizedTime");
    bytes[notBefore.index + 3] = "X".charCodeAt(0);
    return bytes;
  }

  it("a deferred root that decodes is offered as a parent, decoded on first use", () => {
    const pool = CertPool.of([parseCertificate(pki.root.der, { deferred: true })]);
    const parents = pool.findPotentialParents(pki.certs.intermediate);
    assert.equal(parents.length, 1);
    assert.equal(parents[0]?.isCA, true);
  });

  it("a deferred root whose details do not decode is skipped, as Go skips it when loading", () => {
    const broken = withBrokenValidity(pki.root.der);
    assert.throws(
      () => parseCertificate(broken),
      /not a valid X\.509 certificate/,
      "eager parsing rejects it",
    );
    const deferred = parseCertificate(broken, { deferred: true });
    const pool = CertPool.of([deferred]);
    assert.equal(pool.contains(deferred), true, "indexed without decoding");
    assert.deepEqual(pool.findPotentialParents(pki.certs.intermediate), []);
  });
});
