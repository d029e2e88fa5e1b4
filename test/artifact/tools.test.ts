/**
 * Artifact tier: the read-only and planning commands through the built
 * artifact as a process — audit (text, --json, SARIF) on every runtime
 * family, insecure → audit → untrust on every family, chain (text, --json,
 * -o), inspect (a file and stdin), scan (a target list and a manifest on
 * stdin, JSON Lines) and export for every format × runtime.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse as parseYaml } from "yaml";
import { TempDirs } from "../support/tmp.ts";
import { sharedTrustFixture } from "../trust/fixture.ts";
import { treeChecksum } from "../trust/node.ts";
import {
  type ArtifactRun,
  assertNoInternalError,
  runArtifact,
  selectedArtifact,
  transcript,
} from "./artifact.ts";
import { FAMILIES, type Family, familyNode } from "./families.ts";

const artifact = selectedArtifact();
const dirs = new TempDirs();
const fx = sharedTrustFixture(dirs);

async function regtrust(argv: string[], opts: { stdin?: string } = {}): Promise<ArtifactRun> {
  const run = await runArtifact(artifact, argv, opts);
  assertNoInternalError(run);
  return run;
}

interface AuditJson {
  findings: Array<{ code: string; severity: string; contexts?: string[]; context?: string }>;
  summary: { error: number; warning: number };
}

/** The insecure override each family writes: k3s/rke2 registries.yaml, containerd hosts.toml, … */
const INSECURE_FAMILIES: Family[] = ["containerd", "docker", "crio", "k3s", "rke2"];

describe(`audit and insecure (${artifact.label})`, () => {
  for (const family of FAMILIES) {
    // The rke2 node keeps a registry password in a world-readable registries.yaml: an error, never printed.
    const expected = family === "rke2" ? ["plaintext-credentials", "plaintext-credentials"] : [];
    test(`audit on a ${family} node: ${expected.length ? "plaintext credentials flagged" : "clean"}, in text, JSON and SARIF`, async () => {
      const node = await familyNode(dirs, family);
      const exit = expected.length ? 1 : 0;
      const text = await regtrust(["audit", "--root", node]);
      assert.equal(text.code, exit, transcript(text));
      const json = await regtrust(["audit", "--root", node, "--json"]);
      assert.equal(json.code, exit, transcript(json));
      const findings = (JSON.parse(json.stdout) as AuditJson).findings.filter((f) => f.severity === "error");
      assert.deepEqual(
        findings.map((f) => f.code),
        expected,
      );
      const sarif = await regtrust(["audit", "--root", node, "--format", "sarif"]);
      assert.equal(sarif.code, exit, transcript(sarif));
      assert.equal(JSON.parse(sarif.stdout).version, "2.1.0");
      for (const run of [text, json, sarif]) assert.doesNotMatch(run.stdout + run.stderr, /hunter2/);
    });
  }

  for (const family of INSECURE_FAMILIES) {
    test(`${family}: insecure --dry-run changes nothing; insecure is loud, audited, and untrust removes it`, async () => {
      const node = await familyNode(dirs, family);
      const original = await treeChecksum(node);
      const dry = await regtrust(["insecure", fx.host, "--ttl", "1h", "--root", node, "--dry-run"]);
      assert.equal(dry.code, 0, transcript(dry));
      assert.deepEqual(await treeChecksum(node), original, "--dry-run changed the node");

      const insecure = await regtrust(["insecure", fx.host, "--ttl", "1h", "--root", node]);
      assert.equal(insecure.code, 0, transcript(insecure));
      assert.match(insecure.stderr, /WARNING: TLS VERIFICATION FOR .* IS TURNED OFF/);
      assert.match(insecure.stdout, /verification is OFF for/);

      const audit = await regtrust(["audit", "--root", node, "--json"]);
      const found = (JSON.parse(audit.stdout) as AuditJson).findings.map((f) => f.code);
      assert.ok(found.includes("insecure-skip-verify"), transcript(audit));
      const strict = await regtrust(["audit", "--root", node, "--strict"]);
      assert.equal(strict.code, 1, `--strict fails on the warning\n${transcript(strict)}`);

      const untrust = await regtrust(["untrust", fx.host, "--root", node]);
      assert.equal(untrust.code, 0, transcript(untrust));
      assert.deepEqual(await treeChecksum(node), original, "untrust left the node as it was");
    });
  }
});

describe(`chain and inspect (${artifact.label})`, () => {
  test("chain: text names both certificates; --json; -o writes a PEM bundle inspect reads back", async () => {
    const text = await regtrust(["chain", fx.host, "--timeout", "5000"]);
    assert.match(text.stdout, /repo\.example\.com/);
    const json = await regtrust(["chain", fx.host, "--json", "--timeout", "5000"]);
    assert.equal(JSON.parse(json.stdout).schemaVersion, 1, transcript(json));
    const out = join(await dirs.make("chain-out"), "chain.pem");
    const saved = await regtrust(["chain", fx.host, "-o", out, "--timeout", "5000"]);
    assert.ok([0, 1].includes(saved.code), transcript(saved));
    const pem = await readFile(out, "utf8");
    assert.equal(pem.match(/BEGIN CERTIFICATE/g)?.length, 2, pem);
    const inspect = await regtrust(["inspect", out, "--json"]);
    assert.equal(inspect.code, 0, transcript(inspect));
    assert.equal(JSON.parse(inspect.stdout).count, 2);
  });

  test("inspect reads a bundle from stdin (-)", async () => {
    const run = await regtrust(["inspect", "-", "--json"], { stdin: fx.rootPem });
    assert.equal(run.code, 0, transcript(run));
    const result = JSON.parse(run.stdout) as { count: number; certificates: Array<{ isCA: boolean }> };
    assert.equal(result.count, 1);
    assert.equal(result.certificates[0]?.isCA, true);
    const text = await regtrust(["inspect", "-"], { stdin: fx.rootPem });
    assert.equal(text.code, 0, transcript(text));
  });

  test("inspect of a file that is not a certificate: exit 2 naming the file", async () => {
    const bad = join(await dirs.make("inspect-bad"), "notes.txt");
    await import("node:fs/promises").then((fs) => fs.writeFile(bad, "hello\n"));
    const run = await regtrust(["inspect", bad]);
    assert.equal(run.code, 2, transcript(run));
    assert.match(run.stderr, /notes\.txt/);
  });
});

describe(`scan (${artifact.label})`, () => {
  test("a target list on stdin: one JSON line per target, exit 1 while one fails", async () => {
    const node = await familyNode(dirs, "k3s");
    const input = `${fx.host}\nregistry.regtrust-test.invalid:5000\n`;
    const run = await regtrust(["scan", "-", "--root", node, "--json", "--timeout", "4000"], {
      stdin: input,
    });
    assert.equal(run.code, 1, transcript(run));
    const lines = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { target: { input: string } });
    assert.deepEqual(lines.map((l) => l.target.input).sort(), [
      "registry.regtrust-test.invalid:5000",
      fx.host,
    ]);
  });

  test("a Kubernetes manifest on stdin: the images' registries are scanned", async () => {
    const node = await familyNode(dirs, "rke2");
    const manifest = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n    - name: app\n      image: ${fx.image}\n`;
    const run = await regtrust(["scan", "-", "--root", node, "--json", "--timeout", "4000"], {
      stdin: manifest,
    });
    assert.equal(run.code, 1, transcript(run));
    const [line] = run.stdout.trim().split("\n");
    assert.equal(JSON.parse(line ?? "{}").target.registry, fx.host, transcript(run));
  });
});

describe(`export per format × runtime (${artifact.label})`, () => {
  const runtimes = ["system", "containerd", "docker", "crio", "k3s", "rke2"];
  for (const format of ["cloud-init", "ansible"]) {
    for (const runtime of runtimes) {
      test(`${format} for ${runtime}: YAML that carries the CA`, async () => {
        const run = await regtrust([
          "export",
          fx.host,
          "--format",
          format,
          "--ca",
          fx.caFile,
          "--runtime",
          runtime,
        ]);
        assert.equal(run.code, 0, transcript(run));
        if (format === "cloud-init") assert.match(run.stdout, /^#cloud-config\n/);
        const doc = parseYaml(run.stdout) as unknown;
        assert.ok(doc !== null && typeof doc === "object", run.stdout);
        const body = fx.rootPem.split("\n")[1] ?? "";
        assert.ok(run.stdout.includes(body), "the CA certificate is in the output");
      });
    }
  }

  test("export -o writes the file; an unreadable --ca is exit 2 naming it", async () => {
    const out = join(await dirs.make("export-out"), "user-data.yaml");
    const ok = await regtrust(["export", fx.host, "--format", "cloud-init", "--ca", fx.caFile, "-o", out]);
    assert.equal(ok.code, 0, transcript(ok));
    assert.match(await readFile(out, "utf8"), /^#cloud-config\n/);
    const bad = await regtrust(["export", fx.host, "--format", "ansible", "--ca", "/nonexistent/ca.pem"]);
    assert.equal(bad.code, 2, transcript(bad));
    assert.match(bad.stderr, /\/nonexistent\/ca\.pem/);
  });
});
