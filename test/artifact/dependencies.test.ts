/**
 * Artifact tier: each runtime dependency proven through the shipped artifact
 * (dependencies.ts), and the table kept complete — a dependency added to
 * package.json without a proof, or a proof for a package the bundle does
 * not contain, fails here.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { TempDirs } from "../support/tmp.ts";
import { REPO, selectedArtifact } from "./artifact.ts";
import { DEPENDENCY_PROOFS } from "./dependencies.ts";

const artifact = selectedArtifact();
const dirs = new TempDirs();
after(() => dirs.cleanup());

/** Packages whose sources the bundle holds, from dist's source maps. */
function packagesInDist(): Set<string> {
  const dist = join(REPO, "dist");
  const maps = [
    join(dist, "regtrust.mjs.map"),
    ...readdirSync(join(dist, "chunks"))
      .filter((f) => f.endsWith(".mjs.map"))
      .map((f) => join(dist, "chunks", f)),
  ];
  const packages = new Set<string>();
  for (const map of maps) {
    for (const source of (JSON.parse(readFileSync(map, "utf8")) as { sources: string[] }).sources) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
      if (m) packages.add(m[1] as string);
    }
  }
  return packages;
}

test("every runtime dependency has a proof, and every proven package ships in dist/", () => {
  const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const proven = new Set(DEPENDENCY_PROOFS.flatMap((p) => p.packages));
  const unproven = Object.keys(pkg.dependencies).filter((d) => !proven.has(d));
  assert.deepEqual(unproven, [], "add a command to test/artifact/dependencies.ts that needs it");
  const shipped = packagesInDist();
  assert.deepEqual(
    [...proven].filter((p) => !shipped.has(p)),
    [],
    "a proven package is not in dist/",
  );
});

describe(`runtime dependencies inside the artifact (${artifact.label})`, () => {
  for (const proof of DEPENDENCY_PROOFS) {
    test(`${proof.packages.join(", ")}: ${proof.what}`, () => proof.prove(artifact, dirs));
  }
});
