/** `regtrust demo`, the README's first command: the incident diagnosed, fixed and verified on loopback. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "./integration/cli.ts";

test("demo --json: the node fails with unknown-authority, trust fixes it, the diagnosis turns green", async () => {
  const run = await runCli(["demo", "--json"]);
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout) as {
    before: { ok: boolean; findings: Array<{ code: string }> };
    trustExit: number;
    after: { ok: boolean; contexts: Array<{ name: string; ok: boolean }> };
  };
  assert.equal(out.before.ok, false);
  assert.deepEqual(
    out.before.findings.map((f) => f.code),
    ["unknown-authority"],
  );
  assert.equal(out.trustExit, 0);
  assert.equal(out.after.ok, true);
  assert.deepEqual(
    out.after.contexts.map((c) => [c.name, c.ok]),
    [
      ["system", true],
      ["containerd", true],
    ],
  );
});

test("demo (text): verdict first, then the fix and the green re-check", async () => {
  const run = await runCli(["demo"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /✗ FAIL {2}repo\.example\.com:\d+: system, containerd cannot pull — unknown-authority/,
  );
  assert.match(
    run.stdout,
    /\$ regtrust trust repo\.example\.com:\d+ --ca \S+example-corp-root\.pem --root \S+/,
  );
  assert.match(run.stdout, /✓ OK {2}repo\.example\.com:\d+: pulls verify for system, containerd/);
});
