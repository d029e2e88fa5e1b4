/** `regtrust audit` through the whole CLI: text, JSON, SARIF and the exit codes. */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { runCli } from "../integration/cli.ts";
import { TempDirs } from "../support/tmp.ts";

const dirs = new TempDirs();
after(() => dirs.cleanup());

async function nodeWith(files: Record<string, string>): Promise<string> {
  const root = await dirs.make("audit-cli");
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const CONFIG =
  'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n';
const SKIP = 'server = "https://reg.example.com"\n[host."https://reg.example.com"]\n  skip_verify = true\n';

describe("regtrust audit (CLI)", () => {
  test("a clean node audits clean: exit 0", async () => {
    const root = await nodeWith({ "/etc/containerd/config.toml": CONFIG });
    const run = await runCli(["audit", "--root", root]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^✓ clean/);
  });

  test("skip_verify is a warning: exit 0, but 1 with --strict", async () => {
    const root = await nodeWith({
      "/etc/containerd/config.toml": CONFIG,
      "/etc/containerd/certs.d/reg.example.com/hosts.toml": SKIP,
    });
    const text = await runCli(["audit", "--root", root]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^! WARN {2}0 errors, 1 warning, 0 info/);
    assert.match(text.stdout, /insecure-skip-verify/);
    assert.match(text.stdout, /hosts\.toml:3/);
    const strict = await runCli(["audit", "--root", root, "--strict"]);
    assert.equal(strict.code, 1);
    const json = JSON.parse((await runCli(["audit", "--root", root, "--json"])).stdout) as {
      schemaVersion: number;
      findings: Array<{ code: string; file: string; line: number }>;
    };
    assert.equal(json.schemaVersion, 1);
    assert.deepEqual(
      json.findings.map((f) => [f.code, f.file, f.line]),
      [["insecure-skip-verify", "/etc/containerd/certs.d/reg.example.com/hosts.toml", 3]],
    );
    const sarif = JSON.parse((await runCli(["audit", "--root", root, "--format", "sarif"])).stdout) as {
      version: string;
      runs: Array<{ results: Array<{ ruleId: string; level: string }> }>;
    };
    assert.equal(sarif.version, "2.1.0");
    assert.deepEqual(
      sarif.runs[0]?.results.map((r) => [r.ruleId, r.level]),
      [["insecure-skip-verify", "warning"]],
    );
  });

  test("a broken CA file is an error: exit 1", async () => {
    const root = await nodeWith({
      "/etc/containerd/config.toml": CONFIG,
      "/etc/containerd/certs.d/reg.example.com/hosts.toml":
        'server = "https://reg.example.com"\n[host."https://reg.example.com"]\n  ca = "/etc/pki/missing.crt"\n',
    });
    const run = await runCli(["audit", "--root", root]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /ca-file-missing/);
  });

  test("bad flags: exit 2", async () => {
    assert.equal((await runCli(["audit", "--format", "xml"])).code, 2);
    assert.equal((await runCli(["audit", "--root", "/nonexistent/x"])).code, 2);
  });
});
