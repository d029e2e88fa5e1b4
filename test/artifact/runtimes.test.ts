/**
 * Artifact tier: diagnose → trust --dry-run → trust → diagnose → untrust on a
 * node of every runtime family (containerd, Docker, containers/CRI-O, k3s,
 * RKE2, mixed), through the built artifact (test/artifact/artifact.ts).
 * k3s and RKE2 are the nodes dist/ crashed on (issue #16). Then the proof
 * that what the artifact wrote is what containerd needs: a real containerd,
 * whose CRI config_path is the node's certs.d, pulls through its CRI
 * ImageService (as kubelet does) only after the artifact's trust.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { startContainerd } from "../support/containerd.ts";
import { pullImage } from "../support/cri-client.ts";
import { TempDirs } from "../support/tmp.ts";
import { sharedTrustFixture } from "../trust/fixture.ts";
import { assertNoInternalError, runArtifact, selectedArtifact, transcript } from "./artifact.ts";
import { FAMILIES, familyNode } from "./families.ts";
import { trustLifecycle } from "./lifecycle.ts";

const artifact = selectedArtifact();
const dirs = new TempDirs();
const fx = sharedTrustFixture(dirs);

describe(`trust lifecycle per runtime family (${artifact.label})`, () => {
  for (const family of FAMILIES) {
    test(`${family} node: diagnose fails, dry run changes nothing, trust fixes, untrust restores`, () =>
      trustLifecycle(artifact, dirs, fx, family));
  }
});

describe(`a real containerd pulls after the artifact's trust (${artifact.label})`, () => {
  test("CRI PullImage fails with unknown authority, trust (containerd only), then the pull succeeds", async () => {
    const node = await familyNode(dirs, "containerd");
    const certsD = join(node, "/etc/containerd/certs.d");
    // containerd reads hosts.toml on every pull; config_path itself is the node's, prefixed (incident-e2e.test.ts).
    const containerd = await startContainerd({ configPath: certsD });
    try {
      const before = await pullImage(containerd.address, fx.image, { timeoutMs: 30_000 });
      assert.ok(!before.ok && /x509: certificate signed by unknown authority/.test(before.message));
      const trust = await runArtifact(artifact, [
        "trust",
        fx.host,
        "--ca",
        fx.caFile,
        "--root",
        node,
        "--runtime",
        "containerd",
      ]);
      assertNoInternalError(trust);
      assert.equal(trust.code, 0, transcript(trust));
      const after = await pullImage(containerd.address, fx.image, { timeoutMs: 30_000 });
      assert.ok(after.ok, after.ok ? "" : `${after.message}\n${containerd.logs().slice(-2000)}`);
    } finally {
      await containerd.stop();
    }
  });
});
