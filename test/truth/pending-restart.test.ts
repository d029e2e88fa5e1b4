/**
 * Issue 17 item 2: a restart regtrust leaves to run is node state. A real
 * containerd runs with the node tree's own config.toml (`--config
 * <node>/etc/containerd/config.toml`) and the node's /proc is the host's, so
 * regtrust can compare the daemon's start time with its change. Until the
 * daemon restarts, diagnose fails for containerd (restart-required), a second
 * trust says it still waits, and audit reports it; after the restart every
 * command is clean. Without /proc regtrust says it cannot confirm the restart.
 */
import assert from "node:assert/strict";
import { mkdir, readFile, rm, symlink } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { diagnoseJson, runCli } from "../integration/cli.ts";
import { type RunningContainerd, startContainerd } from "../support/containerd.ts";
import { runDist } from "../support/dist-cli.ts";
import { TempDirs } from "../support/tmp.ts";
import { startTrustFixture, type TrustFixture } from "../trust/fixture.ts";
import { buildDebianNode } from "../trust/node.ts";

describe("a pending containerd restart is reported until containerd restarts", () => {
  const dirs = new TempDirs();
  let fx: TrustFixture;
  let node: string;
  let containerd: RunningContainerd | undefined;

  before(async () => {
    fx = await startTrustFixture(dirs);
    node = await buildDebianNode(dirs);
    await mkdir(join(node, "/etc/containerd"), { recursive: true });
    containerd = await startContainerd({ configFile: join(node, "/etc/containerd/config.toml") });
    await symlink("/proc", join(node, "proc"));
  });

  after(async () => {
    await containerd?.stop();
    await fx?.registry.stop();
    await dirs.cleanup();
  });

  const trust = () =>
    runCli([
      "trust",
      fx.host,
      "--ca",
      fx.caFile,
      "--root",
      node,
      "--runtime",
      "containerd",
      "--timeout",
      "5000",
    ]);

  it("trust adds config_path and names the restart", async () => {
    const run = await trust();
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(await readFile(join(node, "/etc/containerd/config.toml"), "utf8"), /config_path = /);
    assert.match(run.stdout, /waiting for: systemctl restart containerd/);
  });

  it("diagnose does not say OK for containerd while the running daemon predates the change", async () => {
    const { run, result } = await diagnoseJson(fx.host, node, ["--runtime", "containerd"]);
    assert.equal(run.code, 1, JSON.stringify(result.findings));
    const containerdContext = result.contexts.find((c) => c.name === "containerd") as
      | { ok: boolean; error: string | null; restart?: { status: string } }
      | undefined;
    assert.equal(containerdContext?.ok, false);
    assert.equal(containerdContext?.restart?.status, "pending");
    const restart = result.findings.find((f) => f.code === "restart-required");
    assert.equal(restart?.severity, "error");
    assert.match(restart?.message ?? "", /the running containerd \(pid \d+, started /);
    assert.deepEqual(restart?.fix, ["systemctl restart containerd"]);
    const text = await runCli(["diagnose", fx.host, "--root", node, "--runtime", "containerd"]);
    assert.match(
      text.stdout,
      /^✗ FAIL {2}repo\.example\.com:\d+: (system, )?containerd cannot pull — restart-required/,
    );
  });

  it("a second trust still says it waits for the restart, and audit reports it", async () => {
    const again = await trust();
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /waiting for: systemctl restart containerd/);
    assert.doesNotMatch(again.stdout, /^✓ verified$/m);
    const audit = await runCli(["audit", "--root", node, "--json"]);
    const findings = (JSON.parse(audit.stdout) as { findings: { code: string; severity: string }[] })
      .findings;
    assert.ok(
      findings.some((f) => f.code === "restart-required" && f.severity === "error"),
      JSON.stringify(findings),
    );
    assert.equal(audit.code, 1);
  });

  it("after the restart every command is clean (the shipped artifact too)", async () => {
    await containerd?.restart();
    const run = await runDist([
      "diagnose",
      fx.host,
      "--root",
      node,
      "--runtime",
      "containerd",
      "--timeout",
      "5000",
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^✓ OK {2}repo\.example\.com:\d+: pulls verify for containerd[;\n]/m);
    assert.doesNotMatch(run.stdout, /restart-required/);
    const audit = await runCli(["audit", "--root", node, "--json"]);
    assert.ok(!audit.stdout.includes("restart-required"), audit.stdout);
  });

  it("without /proc under the root, the restart is 'not confirmed' rather than assumed", async () => {
    await rm(join(node, "proc"));
    const { run, result } = await diagnoseJson(fx.host, node, ["--runtime", "containerd"]);
    assert.equal(run.code, 0);
    const restart = result.findings.find((f) => f.code === "restart-required");
    assert.equal(restart?.severity, "warning");
    assert.match(restart?.message ?? "", /restart since is not confirmed/);
    const text = await runCli(["diagnose", fx.host, "--root", node, "--runtime", "containerd"]);
    assert.match(text.stdout, /^\? RESTART {2}.*containerd once restarted \(systemctl restart containerd\)/);
    assert.doesNotMatch(text.stdout, /^✓ OK/m);
  });
});
