/**
 * Issue #17 item 4: `audit` must not flag what `trust` just wrote. regtrust
 * names its CA in hosts.toml relative to the host directory (containerd's
 * hosts.go resolves it there), so `audit --strict` on a node regtrust fixed
 * must pass.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runCli } from "../integration/cli.ts";
import { buildNodeRoot, withContainerd } from "../integration/node-root.ts";
import { TempDirs } from "../support/tmp.ts";
import { sharedTrustFixture } from "./fixture.ts";

describe("trust, then audit --strict", () => {
  const dirs = new TempDirs();
  const fx = sharedTrustFixture(dirs);

  test("audit --strict passes on a node regtrust just fixed", async () => {
    // containerd only: an OS store refreshed by this machine's tool on a test tree has links to the tree's
    // host paths, which audit rightly reports (os-store-inconsistent); the OS store is not what this is about.
    const root = await buildNodeRoot(dirs, withContainerd());
    const trust = await runCli([
      "trust",
      fx.host,
      "--ca",
      fx.caFile,
      "--root",
      root,
      "--runtime",
      "containerd",
    ]);
    assert.equal(trust.code, 0, trust.stdout + trust.stderr);
    const audit = await runCli(["audit", "--root", root, "--strict", "--json"]);
    const report = JSON.parse(audit.stdout) as { findings: Array<{ code: string; message: string }> };
    assert.deepEqual(
      report.findings.filter((f) => f.code === "config-invalid"),
      [],
    );
    assert.equal(audit.code, 0, audit.stdout);
  });
});
