/**
 * `regtrust inspect` end to end over files shaped like the ones users have:
 * real `openssl s_client -showcerts` output, CRLF, a BOM, DER, PKCS#7 made
 * with `openssl crl2pkcs7`, the host's CA bundle, a bundle carrying a
 * private key, garbage. Certificates use the fixed dates of src/pki/testing/test-pki.ts.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { type DatedPki, datedPki } from "../../src/pki/testing/test-pki.ts";
import { tlsServer } from "../../src/probe/testing/loopback.ts";
import { assertGolden } from "../golden/assert-golden.ts";
import { runCli } from "../integration/cli.ts";
import { TempDirs } from "../support/tmp.ts";
import { normalise } from "./normalise.ts";
import { pkcs7Of } from "./support.ts";

const execFileAsync = promisify(execFile);
const dirs = new TempDirs();
let dir: string;
let pki: DatedPki;
const HOST_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/** What a user saves from `openssl s_client -showcerts` against a server sending leaf + intermediate. */
async function sClientOutput(): Promise<string> {
  const chain = `${pki.leaf.certPem.trim()}\n${pki.intermediate.certPem.trim()}\n`;
  const server = await tlsServer({ cert: chain, key: pki.leaf.keyPem }, (socket) => socket.end());
  try {
    const args = [
      "s_client",
      "-showcerts",
      "-connect",
      `127.0.0.1:${server.port}`,
      "-servername",
      "repo.example.com",
    ];
    // Async: the server runs in this process, so a blocking spawn would deadlock it.
    const { stdout } = await execFileAsync("openssl", args, { timeout: 15_000, encoding: "utf8" });
    return stdout;
  } finally {
    await server.close();
  }
}

const files: Record<string, string> = {};

before(async () => {
  dir = await dirs.make("inspect");
  pki = await datedPki();
  const write = (name: string, content: string | Uint8Array) => {
    files[name] = join(dir, name);
    writeFileSync(files[name]!, content);
  };
  const { leaf, intermediate, root } = pki;
  write("s-client.txt", await sClientOutput());
  write("crlf.pem", `${leaf.certPem}${intermediate.certPem}`.replace(/\n/g, "\r\n"));
  write("bom.pem", `\ufeff${intermediate.certPem}${root.certPem}`);
  write("root.der", root.der);
  write("chain.p7b", pkcs7Of(dir, [leaf, intermediate, root], "PEM"));
  write("chain.p7c", pkcs7Of(dir, [leaf, intermediate, root], "DER"));
  write("with-key.pem", `${leaf.certPem}${leaf.keyPem}${intermediate.certPem}`);
  write("garbage.bin", "this is not a certificate\x00\x01\x02");
  write("empty.pem", "");
});
after(() => dirs.cleanup());

interface InspectJson {
  format: string;
  count: number;
  goLoads: number;
  privateKeys: number;
  order: string;
  summary: string;
  issues: { kind: string; severity: string; message: string }[];
  ok: boolean;
}

async function inspectJson(name: string): Promise<{ code: number; report: InspectJson }> {
  const run = await runCli(["inspect", files[name]!, "--json"]);
  return { code: run.code, report: JSON.parse(run.stdout) as InspectJson };
}

interface Row {
  file: string;
  format: string;
  count: number;
  goLoads: number;
  order: string;
  kinds: string[];
  golden?: string;
}

const table: Row[] = [
  {
    file: "s-client.txt",
    format: "pem",
    count: 2,
    goLoads: 2,
    order: "leaf-first",
    kinds: ["leaf-among-cas"],
    golden: "inspect-s-client.txt",
  },
  { file: "crlf.pem", format: "pem", count: 2, goLoads: 2, order: "leaf-first", kinds: ["leaf-among-cas"] },
  {
    file: "bom.pem",
    format: "pem",
    count: 2,
    goLoads: 1,
    order: "leaf-first",
    kinds: ["ignored-by-go"],
    golden: "inspect-bom.txt",
  },
  {
    file: "root.der",
    format: "der",
    count: 1,
    goLoads: 0,
    order: "single",
    kinds: ["not-pem"],
    golden: "inspect-der.txt",
  },
  {
    file: "chain.p7b",
    format: "pkcs7",
    count: 3,
    goLoads: 0,
    order: "leaf-first",
    kinds: ["not-pem", "leaf-among-cas"],
  },
  {
    file: "chain.p7c",
    format: "pkcs7",
    count: 3,
    goLoads: 0,
    order: "leaf-first",
    kinds: ["not-pem", "leaf-among-cas"],
  },
  {
    file: "with-key.pem",
    format: "pem",
    count: 2,
    goLoads: 2,
    order: "leaf-first",
    kinds: ["private-key", "leaf-among-cas"],
    golden: "inspect-private-key.txt",
  },
];

describe("regtrust inspect", () => {
  for (const row of table) {
    test(`${row.file}: ${row.format}, ${row.count} certificates, ${row.order}`, async () => {
      const { code, report } = await inspectJson(row.file);
      assert.equal(code, 0);
      assert.equal(report.format, row.format);
      assert.equal(report.count, row.count);
      assert.equal(report.goLoads, row.goLoads);
      assert.equal(report.order, row.order);
      assert.deepEqual(
        report.issues.map((i) => i.kind),
        row.kinds,
      );
      if (row.golden) {
        const text = await runCli(["inspect", files[row.file]!]);
        assert.equal(text.code, 0);
        assertGolden(row.golden, normalise(text.stdout, [dir]));
      }
    });
  }

  test("a private key is counted and never printed", async () => {
    const keyLines = pki.leaf.keyPem.split("\n").filter((l) => l !== "" && !l.startsWith("-----"));
    for (const argv of [
      ["inspect", files["with-key.pem"]!],
      ["inspect", files["with-key.pem"]!, "--json"],
    ]) {
      const run = await runCli(argv);
      for (const line of keyLines)
        assert.ok(!run.stdout.includes(line) && !run.stderr.includes(line), "key material printed");
    }
    const { report } = await inspectJson("with-key.pem");
    assert.equal(report.privateKeys, 1);
  });

  test("the host's CA bundle: every root listed compactly, counted, no chain", async () => {
    const blocks = (readFileSync(HOST_BUNDLE, "utf8").match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
    const run = await runCli(["inspect", HOST_BUNDLE]);
    assert.equal(run.code, 0, run.stdout.slice(-2000));
    const json = JSON.parse((await runCli(["inspect", HOST_BUNDLE, "--json"])).stdout) as InspectJson;
    assert.equal(json.count, blocks);
    assert.equal(json.order, "roots");
    assert.equal(json.summary, `${blocks} self-signed roots`);
    assert.match(
      run.stdout,
      new RegExp(`^✓ ${HOST_BUNDLE}: PEM, ${blocks} certificates — ${blocks} self-signed roots\\n`),
    );
    // One line per root, not a block of fields each.
    assert.equal(
      run.stdout.split("\n").filter((l) => /^ {2}#\d+ +(valid to|EXPIRED)/.test(l)).length,
      blocks,
    );
  });

  test("standard input with -", async () => {
    const run = await runCli(["inspect", "-", "--json"], { stdin: pki.intermediate.certPem });
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as InspectJson & { file: string };
    assert.equal(report.file, "standard input");
    assert.equal(report.count, 1);
  });

  const bad: [string, RegExp][] = [
    ["garbage.bin", /garbage\.bin is neither PEM nor a DER certificate or PKCS#7 bundle/],
    ["empty.pem", /empty\.pem is empty/],
  ];
  for (const [name, message] of bad) {
    test(`exit 2 naming the file: ${name}`, async () => {
      const run = await runCli(["inspect", files[name]!]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, "");
    });
  }

  test("exit 2 for a missing file or a directory", async () => {
    const missing = await runCli(["inspect", join(dir, "nope.pem")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.pem: no such file/);
    const directory = await runCli(["inspect", dir]);
    assert.equal(directory.code, 2);
    assert.match(directory.stderr, /is a directory/);
  });

  test("exit 1 when something is broken: an undecodable block", async () => {
    const path = join(dir, "broken.pem");
    writeFileSync(
      path,
      `${pki.root.certPem}-----BEGIN CERTIFICATE-----\nMIIBroken=\n-----END CERTIFICATE-----\n`,
    );
    const run = await runCli(["inspect", path]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /ERROR {2}undecodable\n {9}block 2 \(CERTIFICATE\) does not decode/);
  });
});
