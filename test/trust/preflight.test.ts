/**
 * `regtrust trust` pre-flight against a real docker-registry: bad CA files,
 * a CA that does not anchor the chain, bad registry names, an unreachable
 * registry, and --from-server with and without a matching pin. Every refusal
 * must leave the node tree exactly as it was.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createPrivatePki, issueCertificate } from "../../src/pki/generate.ts";
import { runCli } from "../integration/cli.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { pickFreePort } from "../support/free-port.ts";
import { type RunningRegistry, startRegistry } from "../support/registry.ts";
import { makeScenarioPki } from "../support/scenario-pki.ts";
import { TempDirs } from "../support/tmp.ts";
import { buildDebianNode, treeChecksum } from "./node.ts";

const CONFIG =
  'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n';
const dirs = new TempDirs();
let pki: Awaited<ReturnType<typeof makeScenarioPki>>;
let chainOnly: RunningRegistry;
let withRoot: RunningRegistry;
let files: Record<string, string>;

async function caFile(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(await dirs.make("ca"), name);
  await writeFile(path, content);
  return path;
}

async function trustOnFreshNode(args: string[]) {
  const node = await buildDebianNode(dirs, { "/etc/containerd/config.toml": CONFIG });
  const before = await treeChecksum(node);
  const run = await runCli([
    "trust",
    ...args,
    "--root",
    node,
    "--runtime",
    "containerd,system",
    "--timeout",
    "4000",
  ]);
  return { run, node, unchanged: JSON.stringify(await treeChecksum(node)) === JSON.stringify(before) };
}

before(async () => {
  await ensureTestHosts();
  pki = await makeScenarioPki();
  const tls = (extra: string) => ({
    certPem: pki.leaf.certPem + pki.intermediatePem + extra,
    keyPem: pki.leaf.keyPem,
  });
  chainOnly = await startRegistry({ tls: tls("") });
  withRoot = await startRegistry({ tls: tls(pki.rootPem) });
  const other = await createPrivatePki({ hostnames: ["repo.example.com"], rootName: "Other Root CA" });
  const expired = await issueCertificate({
    commonName: "Expired Root CA",
    isCA: true,
    notBefore: new Date("2020-01-01T00:00:00Z"),
    notAfter: new Date("2021-01-01T00:00:00Z"),
  });
  files = {
    root: await caFile("root.pem", pki.rootPem),
    rootDer: await caFile("root.der", ""),
    garbage: await caFile("garbage.pem", "this is not a certificate\n"),
    expired: await caFile("expired.pem", expired.certPem),
    other: await caFile("other.pem", other.root.certPem),
    leaf: await caFile("leaf.pem", pki.leaf.certPem),
  };
  const der = Buffer.from(pki.rootPem.replace(/-----[A-Z ]+-----|\s/g, ""), "base64");
  await writeFile(files.rootDer!, der);
});
after(async () => {
  await chainOnly?.stop();
  await withRoot?.stop();
  await dirs.cleanup();
});

const registryOf = (r: RunningRegistry) => `repo.example.com:${r.port}`;

describe("trust --ca pre-flight", () => {
  test("a PEM root that anchors the chain is installed (exit 0)", async () => {
    const { run, unchanged } = await trustOnFreshNode([registryOf(chainOnly), "--ca", files.root!]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(unchanged, false);
    assert.match(run.stdout, /✓ verified/);
  });

  test("a DER root is accepted and installed as PEM", async () => {
    const { run, node } = await trustOnFreshNode([registryOf(chainOnly), "--ca", files.rootDer!, "--json"]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout) as {
      contexts: { name: string; verified: boolean; changes: string[] }[];
    };
    assert.deepEqual(
      report.contexts.map((c) => [c.name, c.verified]),
      [
        ["system", true],
        ["containerd", true],
      ],
    );
    const caPath = report.contexts[1]!.changes.find((p) => p.endsWith(".crt"))!;
    const { readFile } = await import("node:fs/promises");
    assert.match(await readFile(join(node, caPath), "utf8"), /^-----BEGIN CERTIFICATE-----\n/);
  });

  const refusals: [string, () => string, number, RegExp][] = [
    ["garbage", () => files.garbage!, 2, /garbage\.pem: no certificate|garbage\.pem.*(certificate|PEM)/i],
    ["an expired CA", () => files.expired!, 2, /Expired Root CA expired at 2021-01-01T00:00:00Z/],
    ["a CA-issued leaf", () => files.leaf!, 2, /not a CA; trust the CA that issued it instead.*Intermediate/],
    ["a missing file", () => "/nonexistent/root.pem", 2, /--ca \/nonexistent\/root\.pem: no such file/],
    [
      "a different CA that does not anchor the chain",
      () => files.other!,
      1,
      /does not anchor the chain[\s\S]*x509: certificate signed by unknown authority[\s\S]*issued by "CN=regtrust Test Root CA/,
    ],
  ];
  for (const [name, file, code, message] of refusals) {
    test(`${name} is refused (exit ${code}) and nothing is written`, async () => {
      const { run, unchanged } = await trustOnFreshNode([registryOf(chainOnly), "--ca", file()]);
      assert.equal(run.code, code, run.stdout + run.stderr);
      assert.match(run.stderr, message);
      assert.ok(unchanged, "the node tree must be untouched");
    });
  }

  for (const bad of ["../etc", "..:5000", "repo.example.com/../../etc/x", "bad_name!:5000"]) {
    test(`the registry name ${JSON.stringify(bad)} is refused before it becomes a path`, async () => {
      const { run, unchanged } = await trustOnFreshNode([bad, "--ca", files.root!]);
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(run.stderr, /invalid/);
      assert.ok(unchanged);
    });
  }

  test("an unreachable registry: a clear warning, the CA installed, verified offline", async () => {
    const port = await pickFreePort("127.0.0.1");
    const { run } = await trustOnFreshNode([`repo.example.com:${port}`, "--ca", files.root!, "--json"]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(
      run.stderr,
      /warning: repo\.example\.com:\d+ is unreachable .*installing the CA without checking/,
    );
    const report = JSON.parse(run.stdout) as { contexts: { verified: boolean; detail: string }[] };
    assert.ok(report.contexts.every((c) => c.verified && /registry unreachable/.test(c.detail)));
  });
});

describe("trust --from-server", () => {
  test("without --expect-fingerprint: prints what was sent and refuses (exit 2)", async () => {
    const { run, unchanged } = await trustOnFreshNode([registryOf(withRoot), "--from-server"]);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /needs --expect-fingerprint/);
    assert.match(
      run.stderr,
      /#3 CN=regtrust Test Root CA, O=regtrust test \(self-signed\)\n {6}SHA256 [0-9A-F:]{95}/,
    );
    assert.ok(unchanged);
  });

  test("a wrong fingerprint is refused (exit 1), nothing written", async () => {
    const wrong = "ab".repeat(32);
    const { run, unchanged } = await trustOnFreshNode([
      registryOf(withRoot),
      "--from-server",
      "--expect-fingerprint",
      wrong,
    ]);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /does not match --expect-fingerprint/);
    assert.ok(unchanged);
  });

  test("the matching fingerprint (lower case, colons) installs the presented root", async () => {
    const root = (await import("../../src/pki/read-bundle.ts")).readCertificates(
      Buffer.from(pki.rootPem),
      "root",
    ).certs[0]!;
    const { run } = await trustOnFreshNode([
      registryOf(withRoot),
      "--from-server",
      "--expect-fingerprint",
      root.sha256.toLowerCase(),
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /the root repo\.example\.com:\d+ presents \(fingerprint pinned\)/);
  });

  test("a server that does not send its root cannot be trusted from the server (exit 1)", async () => {
    const { run, unchanged } = await trustOnFreshNode([
      registryOf(chainOnly),
      "--from-server",
      "--expect-fingerprint",
      "00".repeat(32),
    ]);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /does not send its root/);
    assert.ok(unchanged);
  });
});
