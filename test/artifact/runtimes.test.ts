/**
 * Artifact tier: diagnose → trust --dry-run → trust → diagnose → untrust on a
 * node of every runtime family (containerd, Docker, containers/CRI-O, k3s,
 * RKE2, mixed), through the built artifact (test/artifact/artifact.ts).
 * k3s and RKE2 are the nodes dist/ crashed on (issue #16).
 */
import { after, before, describe, test } from "node:test";
import { TempDirs } from "../support/tmp.ts";
import { startTrustFixture, type TrustFixture } from "../trust/fixture.ts";
import { selectedArtifact } from "./artifact.ts";
import { FAMILIES } from "./families.ts";
import { trustLifecycle } from "./lifecycle.ts";

const artifact = selectedArtifact();
const dirs = new TempDirs();
let fx: TrustFixture;

before(async () => {
  fx = await startTrustFixture(dirs);
});
after(async () => {
  await fx?.registry.stop();
  await dirs.cleanup();
});

describe(`trust lifecycle per runtime family (${artifact.label})`, () => {
  for (const family of FAMILIES) {
    test(`${family} node: diagnose fails, dry run changes nothing, trust fixes, untrust restores`, () =>
      trustLifecycle(artifact, dirs, fx, family));
  }
});
