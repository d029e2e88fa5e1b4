/**
 * One node's whole trust story, run through an artifact as an operator runs
 * it (no --runtime: detection decides): diagnose fails, trust --dry-run
 * changes nothing, trust fixes it, diagnose is green, untrust puts the node
 * back byte for byte. Shared by the artifact tier (every family) and the
 * single executable's smaller matrix (test/sea).
 */
import assert from "node:assert/strict";
import type { TempDirs } from "../support/tmp.ts";
import type { TrustFixture } from "../trust/fixture.ts";
import { treeChecksum } from "../trust/node.ts";
import { type Artifact, assertNoInternalError, runArtifact, transcript } from "./artifact.ts";
import { CONTEXTS, type Family, familyNode } from "./families.ts";

interface DiagnoseJson {
  ok: boolean;
  contexts: Array<{ name: string; ok: boolean; insecure: boolean }>;
  findings: Array<{ code: string; severity: string }>;
}

function diagnoseJson(stdout: string): DiagnoseJson {
  return JSON.parse(stdout) as DiagnoseJson;
}

export async function trustLifecycle(
  artifact: Artifact,
  dirs: TempDirs,
  fx: TrustFixture,
  family: Family,
): Promise<void> {
  const node = await familyNode(dirs, family);
  const original = await treeChecksum(node);
  const run = async (argv: string[]) => {
    const r = await runArtifact(artifact, argv);
    assertNoInternalError(r);
    return r;
  };
  const diagnose = ["diagnose", fx.host, "--root", node, "--json", "--timeout", "5000"];

  const before = await run(diagnose);
  const untrusted = diagnoseJson(before.stdout);
  assert.deepEqual(untrusted.contexts.map((c) => c.name).sort(), [...CONTEXTS[family]].sort());
  assert.ok(
    untrusted.findings.some((f) => f.code === "unknown-authority"),
    JSON.stringify(untrusted.findings),
  );
  if (family === "docker") {
    // The test registry's name resolves to 127.0.0.1, inside dockerd's built-in insecure range
    // (127.0.0.0/8; moby registry/config.go, proven by test/oracle against dockerd 20.10): dockerd
    // pulls without verifying, so only the OS store fails and the node's runtime pulls.
    const docker = untrusted.contexts.find((c) => c.name === "docker");
    assert.ok(docker?.ok && docker.insecure, transcript(before));
    assert.ok(
      untrusted.findings.some((f) => f.code === "insecure-skip-verify"),
      transcript(before),
    );
  } else {
    assert.equal(before.code, 1, transcript(before));
  }

  const dry = await run(["trust", fx.host, "--ca", fx.caFile, "--root", node, "--dry-run"]);
  assert.equal(dry.code, 0, transcript(dry));
  assert.match(dry.stdout, /^\+\+\+ /m, "the dry run shows the change as a diff");
  assert.doesNotMatch(dry.stdout + dry.stderr, /hunter2/, "credentials in registries.yaml are never printed");
  assert.deepEqual(await treeChecksum(node), original, "--dry-run changed the node");

  const trust = await run(["trust", fx.host, "--ca", fx.caFile, "--root", node, "--timeout", "5000"]);
  assert.equal(trust.code, 0, transcript(trust));
  assert.doesNotMatch(trust.stdout + trust.stderr, /hunter2/);

  const after = await run(diagnose);
  const trusted = diagnoseJson(after.stdout);
  assert.equal(trusted.ok, true, transcript(after));
  assert.equal(after.code, 0, transcript(after));
  for (const name of CONTEXTS[family]) {
    assert.ok(trusted.contexts.find((c) => c.name === name)?.ok, `${name} trusts the registry after trust`);
  }

  const untrust = await run(["untrust", fx.host, "--root", node]);
  assert.equal(untrust.code, 0, transcript(untrust));
  assert.deepEqual(await treeChecksum(node), original, "untrust left the node as it was");
}
