/**
 * `chain --complete` against AIA servers that fail in every way issue 10 §1
 * lists: each ends as a clear aia-* problem within the time bound, and the
 * command still prints what it has (the leaf, exit 1, no crash).
 */
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { after, before, describe, test } from "node:test";
import { type IssuedCert, issueCertificate } from "../../src/pki/generate.ts";
import { FIXED } from "../../src/pki/testing/test-pki.ts";
import { runCli } from "../integration/cli.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import {
  type AiaPki,
  type AiaServer,
  aiaPki,
  hang,
  type Route,
  serve,
  startAiaServer,
  startRegistry,
} from "./support.ts";

let aia: AiaServer;
let pki: AiaPki;
/** Same name as the intermediate, different key: what a stale AIA file looks like. */
let impostor: IssuedCert;

before(async () => {
  await ensureTestHosts();
  aia = await startAiaServer();
  pki = await aiaPki(aia.base, "/faults", "/unused.der");
  impostor = await issueCertificate({
    ...FIXED,
    commonName: "AIA Test Intermediate CA",
    organization: "regtrust test",
    issuer: pki.root,
    isCA: true,
  });
});
after(() => aia.close());

interface ChainJson {
  presented: unknown[];
  completion: { reachedRoot: boolean; attempts: { url: string; outcome: string }[] };
  issues: { kind: string; severity: string; message: string; url?: string }[];
}

/** A leaf-only registry whose leaf's AIA URL is `path` on the AIA server; returns the parsed report and time taken. */
async function completeAgainst(path: string, timeoutMs = 5_000, leafIssuer: IssuedCert = pki.intermediate) {
  const leaf = await issueCertificate({
    ...FIXED,
    commonName: "repo.example.com",
    issuer: leafIssuer,
    dnsNames: ["repo.example.com"],
    extKeyUsage: ["serverAuth"],
    aiaIssuerUrl: `${aia.base}${path}`,
  });
  const reg = await startRegistry([leaf], leaf);
  try {
    const started = performance.now();
    const run = await runCli([
      "chain",
      `repo.example.com:${reg.port}`,
      "--complete",
      "--json",
      "--timeout",
      String(timeoutMs),
    ]);
    const ms = performance.now() - started;
    assert.equal(run.code, 1, run.stderr);
    return { report: JSON.parse(run.stdout) as ChainJson, ms };
  } finally {
    await reg.close();
  }
}

const redirect =
  (to: string): Route =>
  (_req, res: ServerResponse) => {
    res.writeHead(302, { Location: to });
    res.end();
  };

interface FaultCase {
  name: string;
  path: string;
  route?: () => Route;
  kind: string;
  message: RegExp;
  timeoutMs?: number;
  /** Only where the time is the point (a deadline honoured); the issue kind proves the rest. */
  maxMs?: number;
}

const cases: FaultCase[] = [
  { name: "404", path: "/faults/missing.der", kind: "aia-http-status", message: /HTTP 404/ },
  {
    name: "a server that never answers (timeout honoured)",
    path: "/faults/slow.der",
    route: () => hang,
    kind: "aia-timeout",
    message: /no answer in time/,
    timeoutMs: 1_500,
    // Ends at its own deadline, not the test's: the bound separates "honoured" from "hangs", with room
    // for a loaded machine (speed belongs to the bench).
    maxMs: 11_500,
  },
  {
    name: "an oversized body",
    path: "/faults/huge.der",
    route: () => serve(Buffer.alloc(300 * 1024, 0x30)),
    kind: "aia-too-large",
    message: /262144-byte limit/,
  },
  {
    name: "a garbage body",
    path: "/faults/garbage.der",
    route: () => serve("<html><body>Moved to our new portal</body></html>", "text/html"),
    kind: "aia-undecodable",
    message: /neither PEM nor a DER certificate or PKCS#7 bundle/,
  },
  {
    name: "a certificate with the right name but the wrong key (signature mismatch)",
    path: "/faults/stale.der",
    route: () => serve(impostor.der),
    kind: "aia-signature-mismatch",
    message: /whose name matches the issuer but whose key did not sign this certificate/,
  },
  {
    name: "the wrong certificate",
    path: "/faults/root-instead.der",
    route: () => serve(pki.root.der),
    kind: "aia-wrong-certificate",
    message: /serves CN=AIA Test Root CA, O=regtrust test, not the issuer CN=AIA Test Intermediate CA/,
  },
  {
    name: "a redirect loop",
    path: "/faults/r1",
    route: () => redirect("/faults/r2"),
    kind: "aia-loop",
    message: /lead back to .*\/faults\/r1.*redirect loop/,
  },
];

describe("chain --complete against failing AIA servers", () => {
  before(() => {
    aia.routes.set("/faults/r2", redirect("/faults/r1"));
  });
  for (const c of cases) {
    test(c.name, async () => {
      if (c.route) aia.routes.set(c.path, c.route());
      const { report, ms } = await completeAgainst(c.path, c.timeoutMs);
      if (c.maxMs !== undefined) assert.ok(ms < c.maxMs, `took ${Math.round(ms)} ms (bound ${c.maxMs})`);
      assert.equal(report.presented.length, 1, "the chain as sent is still reported");
      assert.equal(report.completion.reachedRoot, false);
      const found = report.issues.find((i) => i.kind === c.kind);
      assert.ok(found, `no ${c.kind} in ${JSON.stringify(report.issues, null, 1)}`);
      assert.match(found.message, c.message);
      assert.match(
        found.message,
        /^fetching the issuer of certificate 1 \(CN=repo\.example\.com\) from http:\/\/127\.0\.0\.1:\d+\//,
      );
      assert.equal(found.url, `${aia.base}${c.path}`);
      assert.ok(report.issues.some((i) => i.kind === "missing-issuer" && i.severity === "error"));
    });
  }

  test("an AIA loop A → B → A across certificates", async () => {
    // Leaf → A serves I1 (AIA → B), B serves I2 (AIA → A): I2 signed I1 and I1 signed the leaf, so only the URL repeats.
    const outer = await issueCertificate({
      ...FIXED,
      commonName: "Loop CA 2",
      issuer: pki.root,
      isCA: true,
      aiaIssuerUrl: `${aia.base}/loop/a.der`,
    });
    const inner = await issueCertificate({
      ...FIXED,
      commonName: "Loop CA 1",
      issuer: outer,
      isCA: true,
      aiaIssuerUrl: `${aia.base}/loop/b.der`,
    });
    aia.routes.set("/loop/a.der", serve(inner.der));
    aia.routes.set("/loop/b.der", serve(outer.der));
    const { report } = await completeAgainst("/loop/a.der", 5_000, inner);
    assert.deepEqual(
      report.completion.attempts.map((a) => `${a.url.replace(aia.base, "")} ${a.outcome}`),
      ["/loop/a.der ok", "/loop/b.der ok", "/loop/a.der aia-loop"],
    );
    const loop = report.issues.find((i) => i.kind === "aia-loop");
    assert.match(loop?.message ?? "", /already fetched for this chain: the AIA URLs form a loop/);
  });
});
