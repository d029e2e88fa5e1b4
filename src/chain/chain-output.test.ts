import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import fc from "fast-check";
import { readCertificates } from "../pki/read-bundle.ts";
import { type DatedPki, datedPki } from "../pki/testing/test-pki.ts";
import { decodeIssuerBody } from "./aia-decode.ts";
import { selectOutput } from "./chain-output.ts";
import type { ChainCompletion } from "./complete-chain.ts";
import { uncompleted } from "./complete-chain.ts";

/** What -o and --root-only write, and what they refuse to write. */

let pki: DatedPki;
before(async () => {
  pki = await datedPki();
});

const subjects = (pem: string) =>
  readCertificates(new TextEncoder().encode(pem), "out").certs.map((c) => c.commonName);

describe("selectOutput", () => {
  it("writes the verified path leaf first, without duplicates or strays", () => {
    const { leaf, intermediate, root } = pki.certs;
    const selection = selectOutput(
      uncompleted([leaf, root, intermediate, intermediate]),
      "full.pem",
      false,
      false,
    );
    assert.ok("pem" in selection);
    assert.deepEqual(subjects(selection.pem), ["repo.example.com", "Dated Intermediate CA", "Dated Root CA"]);
    assert.deepEqual(
      selection.output.certificates.map((c) => c.position),
      [1, 3, 2],
    );
    assert.match(selection.output.warning ?? "", /was sent by the server.*Compare its SHA-256 fingerprint/);
  });

  it("--root-only writes exactly the self-signed root, with the network warning naming the URL", () => {
    const { leaf, intermediate, root } = pki.certs;
    const base = uncompleted([leaf, intermediate]);
    const fetched = {
      cert: root,
      position: 3,
      origin: { source: "aia" as const, url: "http://pki.test/root.der" },
    };
    const completion: ChainCompletion = {
      ...base,
      path: [...base.path, fetched],
      fetched: [fetched],
      reachedRoot: true,
    };
    const selection = selectOutput(completion, "root.pem", true, true);
    assert.ok("pem" in selection);
    assert.equal(selection.pem, pki.root.certPem.trim().concat("\n"));
    assert.match(selection.output.warning ?? "", /downloaded from http:\/\/pki\.test\/root\.der/);
    assert.ok(selection.output.warning?.includes(root.sha256));
  });

  it("--root-only refuses when no root was reached, and never writes a non-root", () => {
    const { leaf, intermediate } = pki.certs;
    const plain = selectOutput(uncompleted([leaf, intermediate]), "root.pem", true, false);
    assert.ok("refusal" in plain);
    assert.equal(plain.refusal.severity, "error");
    assert.match(plain.refusal.message, /wrote nothing: the server does not send it; add --complete/);
    const afterAia = selectOutput(uncompleted([leaf, intermediate]), "root.pem", true, true);
    assert.ok("refusal" in afterAia);
    assert.match(afterAia.refusal.message, /AIA completion did not reach it/);
  });

  it("a bundle without a root carries no root warning", () => {
    const selection = selectOutput(
      uncompleted([pki.certs.leaf, pki.certs.intermediate]),
      "f.pem",
      false,
      false,
    );
    assert.ok("pem" in selection);
    assert.equal(selection.output.warning, null);
  });
});

describe("decodeIssuerBody", () => {
  it("reads DER, PEM and rejects junk with a message", () => {
    assert.equal("certs" in decodeIssuerBody(pki.intermediate.der), true);
    assert.equal("certs" in decodeIssuerBody(new TextEncoder().encode(pki.intermediate.certPem)), true);
    const junk = decodeIssuerBody(new TextEncoder().encode("<html>404</html>"));
    assert.ok("error" in junk);
    assert.match(junk.error, /the answer is neither PEM nor a DER certificate or PKCS#7 bundle/);
  });

  it("never throws, whatever a server sends", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (body) => {
        const result = decodeIssuerBody(body);
        return "certs" in result ? result.certs.length > 0 : result.error.length > 0;
      }),
      { numRuns: 300 },
    );
  });
});
