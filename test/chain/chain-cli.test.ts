/**
 * `regtrust chain` end to end: a real HTTPS server on loopback sending only
 * its leaf, whose AIA points at a local HTTP server with the intermediate
 * (DER, then PKCS#7), whose AIA points at the root. The completed bundle is
 * checked with the real openssl, as a user would.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readCertificates } from "../../src/pki/read-bundle.ts";
import { closedPort } from "../../src/probe/testing/loopback.ts";
import { assertGolden } from "../golden/assert-golden.ts";
import { runCli } from "../integration/cli.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { TempDirs } from "../support/tmp.ts";
import { normalise } from "./normalise.ts";
import {
  type AiaServer,
  aiaPki,
  openssl,
  pkcs7Of,
  serveAiaPki,
  startAiaServer,
  startRegistry,
} from "./support.ts";

const dirs = new TempDirs();
let aia: AiaServer;

before(async () => {
  await ensureTestHosts();
  aia = await startAiaServer();
});
after(async () => {
  await aia.close();
  await dirs.cleanup();
});

function certsIn(path: string) {
  return readCertificates(readFileSync(path), path).certs;
}

interface ChainJson {
  ok: boolean;
  presented: { position: number; origin: { source: string } }[];
  completion: {
    requested: boolean;
    reachedRoot: boolean;
    fetched: { position: number; origin: { source: string; url?: string } }[];
  };
  path: number[];
  root: { position: number; sha256: string } | null;
  issues: { kind: string; severity: string; message: string; position: number | null; url?: string }[];
  output: { file: string; certificates: { sha256: string }[]; warning: string | null } | null;
}

describe("regtrust chain --complete", () => {
  test("DER intermediate: the leaf-only chain becomes a full bundle openssl verifies", async () => {
    const pki = await aiaPki(aia.base, "/der", "/intermediate.der");
    serveAiaPki(aia, pki, "/der", "/intermediate.der", pki.intermediate.der);
    const reg = await startRegistry([pki.leaf], pki.leaf);
    const dir = await dirs.make("chain-der");
    try {
      const full = join(dir, "full.pem");
      const run = await runCli([
        "chain",
        `repo.example.com:${reg.port}`,
        "--complete",
        "-o",
        full,
        "--timeout",
        "5000",
      ]);
      // The server itself still lacks the intermediate: exit 1 even though completion worked.
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.equal(run.stderr, "");
      assert.deepEqual(
        certsIn(full).map((c) => c.commonName),
        ["repo.example.com", "AIA Test Intermediate CA", "AIA Test Root CA"],
      );
      writeFileSync(join(dir, "root.pem"), pki.root.certPem);
      const verified = openssl(["verify", "-CAfile", join(dir, "root.pem"), "-untrusted", full, full]);
      assert.equal(verified.trim(), `${full}: OK`);
      // Without the fetched intermediate the same check fails: completion is what made it pass.
      writeFileSync(join(dir, "leaf.pem"), pki.leaf.certPem);
      assert.throws(
        () => openssl(["verify", "-CAfile", join(dir, "root.pem"), join(dir, "leaf.pem")]),
        /unable to get local issuer/,
      );
      assertGolden("chain-complete.txt", normalise(run.stdout, [dir]));
    } finally {
      await reg.close();
    }
  });

  test("PKCS#7 intermediate; --root-only writes exactly the root", async () => {
    const dir = await dirs.make("chain-p7");
    const pki = await aiaPki(aia.base, "/p7", "/intermediate.p7c");
    serveAiaPki(aia, pki, "/p7", "/intermediate.p7c", pkcs7Of(dir, [pki.intermediate], "DER"));
    const reg = await startRegistry([pki.leaf], pki.leaf);
    try {
      const target = `repo.example.com:${reg.port}`;
      const json = await runCli(["chain", target, "--complete", "--json", "--timeout", "5000"]);
      const report = JSON.parse(json.stdout) as ChainJson;
      assert.deepEqual(report.path, [1, 2, 3]);
      assert.equal(report.completion.reachedRoot, true);
      assert.deepEqual(
        report.completion.fetched.map((f) => f.origin.url),
        [`${aia.base}/p7/intermediate.p7c`, `${aia.base}/p7/root.der`],
      );
      assert.deepEqual(
        report.issues.map((i) => `${i.kind}:${i.severity}`),
        ["missing-issuer:error"],
      );

      const rootFile = join(dir, "root.pem");
      const run = await runCli([
        "chain",
        target,
        "--complete",
        "--root-only",
        "-o",
        rootFile,
        "--timeout",
        "5000",
      ]);
      const written = certsIn(rootFile);
      assert.equal(written.length, 1);
      assert.deepEqual(Buffer.from(written[0]!.der), Buffer.from(pki.root.der));
      assert.ok(run.stdout.includes(written[0]!.sha256), "the fingerprint of what was written is printed");
      assert.match(
        run.stdout,
        /WARNING: The root certificate was downloaded from http:\/\/127\.0\.0\.1:\d+\/p7\/root\.der/,
      );
      assertGolden(
        "chain-root-only-tail.txt",
        normalise(run.stdout.slice(run.stdout.indexOf("Wrote")), [dir]),
      );
    } finally {
      await reg.close();
    }
  });
});

describe("regtrust chain without --complete", () => {
  test("a full chain exits 0; -o writes it; --root-only refuses without a root and writes nothing", async () => {
    const pki = await aiaPki(aia.base, "/full", "/intermediate.der");
    const reg = await startRegistry([pki.leaf, pki.intermediate], pki.leaf);
    const dir = await dirs.make("chain-full");
    try {
      const target = `repo.example.com:${reg.port}`;
      const bundle = join(dir, "bundle.pem");
      const run = await runCli(["chain", target, "-o", bundle, "--timeout", "5000"]);
      assert.equal(run.code, 0, run.stdout);
      assert.match(run.stdout, /^✓ OK {2}repo\.example\.com:\d+: the chain as sent is complete and in order/);
      assert.equal(certsIn(bundle).length, 2);
      assert.equal(
        aia.hits.filter((h) => h.startsWith("/full")).length,
        0,
        "no network fetch without --complete",
      );

      const rootFile = join(dir, "root.pem");
      const refused = await runCli(["chain", target, "--root-only", "-o", rootFile, "--timeout", "5000"]);
      assert.equal(refused.code, 1);
      assert.match(
        refused.stdout,
        /no-root[\s\S]*--root-only wrote nothing: the server does not send it; add --complete/,
      );
      assert.throws(() => readFileSync(rootFile), /ENOENT/);
    } finally {
      await reg.close();
    }
  });

  test("-o - puts the PEM on stdout and the report on stderr", async () => {
    const pki = await aiaPki(aia.base, "/stdout", "/intermediate.der");
    const reg = await startRegistry([pki.leaf, pki.intermediate, pki.root], pki.leaf);
    try {
      const run = await runCli(["chain", `repo.example.com:${reg.port}`, "-o", "-", "--timeout", "5000"]);
      assert.equal(run.code, 0, run.stderr);
      const certs = readCertificates(new TextEncoder().encode(run.stdout), "stdout");
      assert.deepEqual(certs.problems, []);
      assert.equal(certs.certs.length, 3);
      assert.match(run.stderr, /root-sent/);
      assert.match(run.stderr, /Wrote standard output/);
    } finally {
      await reg.close();
    }
  });

  test("a port nothing listens on: exit 1 with a clear connection problem", async () => {
    const port = await closedPort();
    const run = await runCli(["chain", `repo.example.com:${port}`, "--json", "--timeout", "3000"]);
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout) as ChainJson;
    assert.equal(report.issues[0]?.kind, "connection-refused");
    assert.match(report.issues[0]?.message ?? "", /connection refused/);
  });

  const usage: [string[], RegExp][] = [
    [["chain", "repo.example.com", "--root-only"], /--root-only needs -o FILE/],
    [["chain", "repo.example.com", "-o", "-", "--json"], /-o - and --json both want standard output/],
    [["chain", "repo.example.com:0"], /invalid target/],
    [["chain", "repo.example.com", "--expiring-days", "soon"], /--expiring-days must be a whole number/],
  ];
  for (const [argv, message] of usage) {
    test(`exit 2: regtrust ${argv.join(" ")}`, async () => {
      const run = await runCli(argv);
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, "");
    });
  }
});
