import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { CertPool } from "../pki/cert-pool.ts";
import { type DatedPki, datedPki, HOST, issuerLoopPki, NOW, UNKNOWN } from "../pki/testing/test-pki.ts";
import { verifyLikeGo } from "../pki/verify-go.ts";
import { parseTarget } from "../target/parse-target.ts";
import { explainFailure } from "./explain-failure.ts";

let loop: Awaited<ReturnType<typeof issuerLoopPki>>;
let pki: DatedPki;
before(async () => {
  [loop, pki] = await Promise.all([issuerLoopPki(), datedPki()]);
});

describe("a chain whose issuers loop (leaf, A, B; A issued by B, B by A)", () => {
  test("Go-style verification ends with unknown authority (alreadyInChain stops the loop)", () => {
    const result = verifyLikeGo({
      leaf: loop.leaf.cert,
      intermediates: [loop.a.cert, loop.b.cert],
      roots: CertPool.of([pki.certs.root]),
      dnsName: HOST,
      now: NOW,
    });
    assert.ok(!result.ok);
    assert.equal(result.error.kind, "unknown-authority");
    assert.equal(result.error.message, UNKNOWN);
  });

  test("explained as the loop, naming both positions and the server-side fix", () => {
    const presented = [loop.leaf.cert, loop.a.cert, loop.b.cert];
    const result = verifyLikeGo({
      leaf: loop.leaf.cert,
      intermediates: presented.slice(1),
      roots: CertPool.of([]),
      dnsName: HOST,
      now: NOW,
    });
    assert.ok(!result.ok);
    const f = explainFailure(result.error, presented, parseTarget(`${HOST}:5000`));
    assert.equal(f.code, "unknown-authority");
    assert.match(
      f.message,
      /form a loop: #3 "CN=Loop CA B, O=regtrust test" was issued by #2 "CN=Loop CA A, O=regtrust test"/,
    );
    assert.match(f.message, new RegExp(`containerd .* ${UNKNOWN}`));
    assert.match(
      f.evidence?.join("\n") ?? "",
      /#1 .* → #2 .* → #3 .* → #2 "CN=Loop CA A, O=regtrust test" again/,
    );
    assert.match(f.fix[0] ?? "", /Fix the server's certificate file/);
  });

  test("a chain without a loop keeps the usual private-CA explanation", () => {
    const presented = [pki.certs.leaf, pki.certs.intermediate];
    const result = verifyLikeGo({
      leaf: pki.certs.leaf,
      intermediates: [pki.certs.intermediate],
      roots: CertPool.of([]),
      dnsName: HOST,
      now: NOW,
    });
    assert.ok(!result.ok);
    const f = explainFailure(result.error, presented, parseTarget(`${HOST}:5000`));
    assert.doesNotMatch(f.message, /loop/);
    assert.match(f.message, /does not trust "CN=Dated Root CA/);
  });
});
