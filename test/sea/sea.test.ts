/**
 * The Node 20 single executable (scripts/build-sea.mjs): built once, then run
 * with a PATH that holds no node binary, to prove it carries its own runtime.
 * Set REGTRUST_SEA_BINARY to test an already built binary.
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { createTestPki } from "../../src/pki/generate.ts";
import { buildNodeRoot, withContainerd } from "../integration/node-root.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { startRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/tmp.ts";

const run = promisify(execFile);
const dirs = new TempDirs();
let binary = "";
let env: Record<string, string> = {};

/** A bin directory with every system tool except node/npm/npx, as PATH. */
function pathWithoutNode(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const sys of ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]) {
    if (!existsSync(sys)) continue;
    for (const name of readdirSync(sys)) {
      if (/^(node|nodejs|npm|npx|corepack)$/.test(name) || existsSync(join(dir, name))) continue;
      symlinkSync(join(sys, name), join(dir, name));
    }
  }
  return dir;
}

before(async () => {
  binary = process.env.REGTRUST_SEA_BINARY ?? resolve("dist/regtrust");
  if (process.env.REGTRUST_SEA_BINARY === undefined) {
    execFileSync(process.execPath, ["scripts/build-sea.mjs"], { stdio: "pipe", timeout: 180_000 });
  }
  const tmp = await dirs.make("sea-path");
  env = { PATH: pathWithoutNode(join(tmp, "bin")), HOME: tmp, LANG: "C.UTF-8" };
  assert.throws(
    () => execFileSync("node", ["--version"], { env, stdio: "pipe" }),
    "node must not be on PATH",
  );
  await ensureTestHosts();
});
after(() => dirs.cleanup());

async function sea(
  args: string[],
  timeout = 60_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(binary, args, { env, timeout, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw error;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

test("--version prints the package version, with no experimental-SEA warning", async () => {
  const r = await sea(["--version"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), "0.1.0");
  assert.equal(r.stderr, "");
});

test("demo runs end to end (host update-ca-certificates, loopback registry)", async () => {
  const r = await sea(["demo"], 120_000);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /Registry\s+GET \/v2\//);
});

test("diagnose --json against a loopback TLS registry: untrusted, then trusted through hosts.toml", async () => {
  const pki = await createTestPki({ hostnames: ["repo.example.com"] });
  const reg = await startRegistry({
    tls: { certPem: pki.leaf.certPem + pki.intermediate.certPem, keyPem: pki.leaf.keyPem },
  });
  try {
    const target = `repo.example.com:${reg.port}`;
    const bare = await buildNodeRoot(dirs, withContainerd());
    const untrusted = await sea(["diagnose", target, "--root", bare, "--json", "--timeout", "4000"]);
    assert.equal(untrusted.code, 1, untrusted.stderr);
    assert.equal(JSON.parse(untrusted.stdout).ok, false);

    const dir = `/etc/containerd/certs.d/${target}`;
    const trusted = await buildNodeRoot(
      dirs,
      withContainerd({
        [`${dir}/hosts.toml`]: `server = "https://${target}"\n\n[host."https://${target}"]\n  capabilities = ["pull", "resolve"]\n  ca = "${dir}/ca.crt"\n`,
        [`${dir}/ca.crt`]: pki.root.certPem,
      }),
    );
    const ok = await sea(["diagnose", target, "--root", trusted, "--json", "--timeout", "4000"]);
    assert.equal(ok.code, 0, `${ok.stdout}\n${ok.stderr}`);
    assert.equal(JSON.parse(ok.stdout).ok, true);
  } finally {
    await reg.stop();
  }
});

test("a kubectl-regtrust symlink maps onto `regtrust k8s` (kubectl plugin)", async () => {
  const dir = await dirs.make("sea-plugin");
  const plugin = join(dir, "kubectl-regtrust");
  symlinkSync(binary, plugin);
  const { stdout } = await run(plugin, ["--help"], { env, timeout: 60_000 });
  assert.match(stdout, /^Usage: regtrust k8s /);
});
