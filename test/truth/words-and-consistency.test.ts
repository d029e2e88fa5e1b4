/**
 * Issue 17 items 5, 6 and 9: every sentence regtrust prints is true, and the
 * commands agree with each other. A real docker-registry (leaf +
 * intermediate of a private root), node trees built per test, the whole CLI.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { runInsecure } from "../../src/cli/commands/insecure.ts";
import { runScan } from "../../src/cli/commands/scan.ts";
import { memoryIo } from "../../src/cli/io.ts";
import { diagnoseJson, runCli } from "../integration/cli.ts";
import { runDist } from "../support/dist-cli.ts";
import { pickFreePort } from "../support/free-port.ts";
import { TempDirs } from "../support/tmp.ts";
import { sharedTrustFixture } from "../trust/fixture.ts";
import { buildDebianNode, treeChecksum } from "../trust/node.ts";

const dirs = new TempDirs();
const fx = sharedTrustFixture(dirs);

const CONFIG_PATH =
  'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n';
const NO_CONFIG_PATH =
  'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\n  snapshotter = "overlayfs"\n';

function hostsToml(host: string, setting: string): string {
  return `server = "https://${host}"\n\n[host."https://${host}"]\n  capabilities = ["pull", "resolve"]\n  ${setting}\n`;
}

/** containerd trusts the root through hosts.toml; the OS store does not. */
async function nodeTrustingViaContainerd(): Promise<string> {
  const dir = `/etc/containerd/certs.d/${fx.host}`;
  return buildDebianNode(dirs, {
    "/etc/containerd/config.toml": CONFIG_PATH,
    [`${dir}/hosts.toml`]: hostsToml(fx.host, 'ca = "root.crt"'),
    [`${dir}/root.crt`]: fx.rootPem,
  });
}

async function nodeSkippingVerification(): Promise<string> {
  return buildDebianNode(dirs, {
    "/etc/containerd/config.toml": CONFIG_PATH,
    [`/etc/containerd/certs.d/${fx.host}/hosts.toml`]: hostsToml(fx.host, "skip_verify = true"),
  });
}

describe("item 5: wrong words", () => {
  test("an OS-store-only failure next to a skipping containerd does not claim the runtimes verify it", async () => {
    const node = await nodeSkippingVerification();
    const { result } = await diagnoseJson(fx.host, node);
    const system = result.findings.find((f) => f.contexts?.length === 1 && f.contexts[0] === "system");
    assert.ok(system, JSON.stringify(result.findings));
    assert.doesNotMatch(system.message, /the container runtimes verify it/);
    assert.match(system.message, /OS store only; containerd skips verification entirely/);
    const text = await runCli(["diagnose", fx.host, "--root", node]);
    assert.doesNotMatch(text.stdout, /pulls verify for .*containerd/);
    assert.match(
      text.stdout,
      /^! INSECURE {2}repo\.example\.com:\d+: pulls work but containerd skips verification/,
    );
  });

  test("an address without an IP SAN: the fix asks for subjectAltName IP:, not DNS:", async () => {
    const node = await buildDebianNode(dirs);
    // The shipped artifact, as a real process.
    const run = await runDist([
      "diagnose",
      `127.0.0.1:${fx.registry.port}`,
      "--root",
      node,
      "--json",
      "--timeout",
      "5000",
    ]);
    assert.equal(run.code, 1, run.stderr);
    const result = JSON.parse(run.stdout) as { findings: { code: string; fix: string[] }[] };
    const mismatch = result.findings.find((f) => f.code === "hostname-mismatch");
    assert.ok(mismatch, JSON.stringify(result.findings));
    assert.match(mismatch.fix.join("\n"), /subjectAltName IP:127\.0\.0\.1\./);
    assert.doesNotMatch(mismatch.fix.join("\n"), /DNS:127\.0\.0\.1/);
  });

  test("[::1]:PORT refused: no 'pulls work', no file to edit for a built-in rule, nc without brackets", async () => {
    const port = await pickFreePort("::1");
    const node = await buildDebianNode(dirs, { "/etc/containerd/config.toml": CONFIG_PATH });
    const { run, result } = await diagnoseJson(`[::1]:${port}`, node);
    assert.equal(run.code, 1);
    const refused = result.findings.find((f) => f.code === "connection-refused");
    assert.ok(refused, JSON.stringify(result.findings));
    assert.ok(refused.fix.includes(`nc -vz ::1 ${port}`), refused.fix.join("\n"));
    const insecure = result.findings.find((f) => f.code === "insecure-skip-verify");
    assert.ok(insecure, JSON.stringify(result.findings));
    assert.doesNotMatch(insecure.message, /pulls work/);
    assert.doesNotMatch(insecure.fix.join("\n"), /remove .* from \/etc\/containerd\/certs\.d/);
    assert.match(insecure.message, /built-in rule/);
  });
});

describe("item 6: scan shows warnings", () => {
  test("WARN with the warning codes (OS store fails; containerd skips verification), colour only on a terminal", async () => {
    const trusting = await nodeTrustingViaContainerd();
    const input = join(await dirs.make("scan"), "targets.txt");
    await writeFile(input, `${fx.host}\n`);
    const plain = await runDist(["scan", input, "--root", trusting, "--timeout", "5000"]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, new RegExp(`^${fx.host}\\s+WARN\\s+unknown-authority\\s+\\d+$`, "m"));
    assert.match(plain.stdout, /1 registry scanned: 0 ok, 1 with warnings, 0 failing/);
    assert.doesNotMatch(plain.stdout, /\u001b\[/);

    const skipping = await nodeSkippingVerification();
    const tty = memoryIo({ stdin: `${fx.host}\n`, isTTY: true });
    assert.equal(await runScan("-", { root: skipping, timeout: "5000", concurrency: "2" }, tty), 0);
    assert.match(tty.out(), /\u001b\[33mWARN\u001b\[0m\s+unknown-authority,insecure-skip-verify/);
    const noColor = memoryIo({ stdin: `${fx.host}\n`, isTTY: true, env: { NO_COLOR: "1" } });
    await runScan("-", { root: skipping, timeout: "5000", concurrency: "2" }, noColor);
    assert.doesNotMatch(noColor.out(), /\u001b\[/);
    assert.match(noColor.out(), /WARN\s+unknown-authority,insecure-skip-verify/);
  });
});

describe("item 9: the commands agree", () => {
  test("certificates are numbered from #1 in diagnose as in chain", async () => {
    const node = await buildDebianNode(dirs);
    const diag = await runCli(["diagnose", fx.host, "--root", node]);
    const chain = await runCli(["chain", fx.host]);
    assert.match(diag.stdout, /^ {2}#1 {2}CN=repo\.example\.com$/m);
    assert.match(chain.stdout, /^ {2}#1 {2}CN=repo\.example\.com/m);
    assert.doesNotMatch(diag.stdout, /#0/);
  });

  test("chain names a DNS failure dns-failure, as diagnose does", async () => {
    const target = "registry.does-not-exist.invalid:5000";
    const chain = await runCli(["chain", target, "--json", "--timeout", "4000"]);
    const report = JSON.parse(chain.stdout) as { issues: { kind: string }[] };
    const node = await buildDebianNode(dirs);
    const { result } = await diagnoseJson(target, node);
    assert.equal(report.issues[0]?.kind, "dns-failure");
    assert.equal(result.findings[0]?.code, "dns-failure");
  });

  test("untrust of a registry regtrust never trusted says nothing was installed (exit 0, nothing changes)", async () => {
    const node = await buildDebianNode(dirs, { "/etc/containerd/config.toml": CONFIG_PATH });
    const sums = await treeChecksum(node);
    const run = await runDist(["untrust", fx.host, "--root", node]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /regtrust installed nothing for repo\.example\.com:\d+ on this node/);
    assert.doesNotMatch(run.stdout, /already applied|already in place/);
    assert.deepEqual(await treeChecksum(node), sums);
  });

  test("the restart note hangs on config.toml, not on hosts.toml", async () => {
    const node = await buildDebianNode(dirs, { "/etc/containerd/config.toml": NO_CONFIG_PATH });
    const run = await runCli([
      "trust",
      fx.host,
      "--ca",
      fx.caFile,
      "--root",
      node,
      "--runtime",
      "containerd",
      "--dry-run",
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\/etc\/containerd\/config\.toml {2}\(needs: systemctl restart containerd\)/);
    assert.doesNotMatch(run.stdout, /hosts\.toml {2}\(needs:/);
  });

  test("an insecure override past its expiry: diagnose and audit both say ERROR", async () => {
    const node = await buildDebianNode(dirs, { "/etc/containerd/config.toml": CONFIG_PATH });
    const io = memoryIo();
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    const code = await runInsecure(fx.host, { ttl: "1h", root: node, runtime: "containerd" }, io, {
      clock: { now: () => twoHoursAgo },
    });
    assert.equal(code, 0, io.out() + io.err());
    const { run, result } = await diagnoseJson(fx.host, node, ["--runtime", "containerd"]);
    const audit = await runCli(["audit", "--root", node, "--json"]);
    const diagFinding = result.findings.find((f) => f.code === "insecure-skip-verify");
    const auditFinding = (
      JSON.parse(audit.stdout) as { findings: { code: string; severity: string }[] }
    ).findings.find((f) => f.code === "insecure-skip-verify");
    assert.equal(diagFinding?.severity, "error", JSON.stringify(result.findings));
    assert.equal(auditFinding?.severity, "error");
    assert.equal(run.code, 1);
    assert.equal(audit.code, 1);
    assert.match(diagFinding?.message ?? "", /which has passed/);
    assert.doesNotMatch(diagFinding?.fix.join("\n") ?? "", /untrust/);
  });
});
