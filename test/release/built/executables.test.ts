/**
 * The release's single executables. linux/amd64 runs the single-executable
 * matrix (test/sea, pointed at it by scripts/test-release.sh); here both are
 * checked for what they are, and linux/arm64 — which this x86-64 machine
 * cannot run natively — is installed from its .tar.gz as the README says and
 * runs under qemu-aarch64-static in user mode with the shared libraries of
 * the release's arm64 image: --version, diagnose against the loopback
 * registry (untrusted, then trusted through hosts.toml; a containerd node and
 * a k3s node) and audit, each compared with what the amd64 executable
 * (installed the same way) says on the same input.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { createPrivatePki } from "../../../src/pki/generate.ts";
import {
  type Artifact,
  type ArtifactRun,
  artifactAt,
  runArtifact,
  transcript,
} from "../../artifact/artifact.ts";
import { familyNode } from "../../artifact/families.ts";
import { buildNodeRoot, withContainerd } from "../../integration/node-root.ts";
import { ensureTestHosts } from "../../support/etc-hosts.ts";
import { type RunningRegistry, startRegistry } from "../../support/registry.ts";
import { TempDirs } from "../../support/tmp.ts";
import {
  arm64Artifact,
  arm64Sysroot,
  elfMachine,
  executable,
  installFromArchive,
  VERSION,
} from "./release-dir.ts";

const dirs = new TempDirs();
let arm64: Artifact;
let amd64: Artifact;
let registry: RunningRegistry;
let target = "";
let caPem = "";

before(
  async () => {
    await ensureTestHosts();
    arm64 = arm64Artifact(await arm64Sysroot(dirs), await installFromArchive("arm64", dirs));
    amd64 = artifactAt(await installFromArchive("amd64", dirs));
    const pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
    caPem = pki.root.certPem;
    registry = await startRegistry({
      tls: { certPem: pki.leaf.certPem + pki.intermediate.certPem, keyPem: pki.leaf.keyPem },
    });
    target = `repo.example.com:${registry.port}`;
  },
  { timeout: 180_000 },
);
after(async () => {
  await registry?.stop();
  await dirs.cleanup();
});

/** Both executables on one input: the arm64 run under emulation must say what the amd64 run says. */
async function both(argv: string[]): Promise<{ arm: ArtifactRun; amd: ArtifactRun }> {
  const arm = await runArtifact(arm64, argv, { timeoutMs: 120_000 });
  const amd = await runArtifact(amd64, argv, { timeoutMs: 60_000 });
  assert.equal(arm.code, amd.code, `${transcript(arm)}\n--- amd64:\n${transcript(amd)}`);
  return { arm, amd };
}

/** diagnose/audit JSON without what differs between two runs (timings, times). */
function comparable(stdout: string): unknown {
  return JSON.parse(stdout, (key, value) =>
    /^(durationMs|elapsedMs|checkedAt|generatedAt)$/.test(key) ? undefined : value,
  );
}

test("each executable is built for its architecture (ELF machine x86-64 / AArch64), the same in its .tar.gz", () => {
  assert.equal(elfMachine(executable("amd64")), 62);
  assert.equal(elfMachine(executable("arm64")), 183);
  assert.deepEqual(readFileSync(amd64.file), readFileSync(executable("amd64")));
  assert.deepEqual(readFileSync(arm64.file), readFileSync(executable("arm64")));
});

test("linux/arm64 --version under qemu-aarch64-static prints the package version", async () => {
  const run = await runArtifact(arm64, ["--version"], { timeoutMs: 120_000 });
  assert.equal(run.code, 0, transcript(run));
  assert.equal(run.stdout.trim(), VERSION);
  assert.equal(run.stderr, "", "no experimental-SEA warning, no qemu complaint");
});

test("linux/arm64 diagnose against the loopback registry: unknown authority, then trusted via hosts.toml", async () => {
  const bare = await buildNodeRoot(dirs, withContainerd());
  const untrusted = await both(["diagnose", target, "--root", bare, "--json", "--timeout", "8000"]);
  assert.equal(untrusted.arm.code, 1, transcript(untrusted.arm));
  const report = JSON.parse(untrusted.arm.stdout) as { ok: boolean; findings: { code: string }[] };
  assert.equal(report.ok, false);
  assert.ok(
    report.findings.some((f) => f.code === "unknown-authority"),
    JSON.stringify(report.findings),
  );
  assert.deepEqual(comparable(untrusted.arm.stdout), comparable(untrusted.amd.stdout));

  const dir = `/etc/containerd/certs.d/${target}`;
  const trusted = await buildNodeRoot(
    dirs,
    withContainerd({
      [`${dir}/hosts.toml`]: `server = "https://${target}"\n\n[host."https://${target}"]\n  capabilities = ["pull", "resolve"]\n  ca = "${dir}/ca.crt"\n`,
      [`${dir}/ca.crt`]: caPem,
    }),
  );
  const ok = await both(["diagnose", target, "--root", trusted, "--json", "--timeout", "8000"]);
  assert.equal(ok.arm.code, 0, transcript(ok.arm));
  assert.equal((JSON.parse(ok.arm.stdout) as { ok: boolean }).ok, true);
  assert.deepEqual(comparable(ok.arm.stdout), comparable(ok.amd.stdout));
});

test("linux/arm64 diagnose on a k3s node (registries.yaml, embedded containerd): the same verdict as linux/amd64", async () => {
  const untrusted = await both([
    "diagnose",
    target,
    "--root",
    await familyNode(dirs, "k3s"),
    "--json",
    "--timeout",
    "8000",
  ]);
  assert.equal(untrusted.arm.code, 1, transcript(untrusted.arm));
  const report = JSON.parse(untrusted.arm.stdout) as { contexts: { name: string; ok: boolean }[] };
  assert.deepEqual(
    report.contexts.map((c) => [c.name, c.ok]),
    [
      ["system", false],
      ["k3s", false],
    ],
  );
  assert.deepEqual(comparable(untrusted.arm.stdout), comparable(untrusted.amd.stdout));
});

test("linux/arm64 audit of a node with skip_verify: the same findings as linux/amd64", async () => {
  const dir = `/etc/containerd/certs.d/${target}`;
  const root = await buildNodeRoot(
    dirs,
    withContainerd({
      [`${dir}/hosts.toml`]: `server = "https://${target}"\n\n[host."https://${target}"]\n  skip_verify = true\n`,
    }),
  );
  const audit = await both(["audit", "--root", root, "--json"]);
  // A permanent skip_verify is a warning (exit 0); --strict would make it fail.
  assert.equal(audit.arm.code, 0, transcript(audit.arm));
  const report = JSON.parse(audit.arm.stdout) as { findings: { code: string }[] };
  assert.ok(
    report.findings.some((f) => f.code === "insecure-skip-verify"),
    JSON.stringify(report.findings),
  );
  assert.deepEqual(comparable(audit.arm.stdout), comparable(audit.amd.stdout));
});
