/**
 * The CycloneDX SBOMs of release/: valid against CycloneDX's own 1.5 JSON
 * Schema; the bundle's lists every package esbuild put into the bundle (its
 * metafile, written by the release's build) with the version installed; each
 * image's lists its Node and every package in the image's dpkg database
 * (var/lib/dpkg/status read out of the image's own base layer).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadRecipe } from "../../../scripts/image/recipe.ts";
import type { CdxBom } from "../../../scripts/release/sbom.ts";
import { cyclonedxViolations } from "../../../scripts/release/sbom-schema.ts";
import { TempDirs } from "../../support/tmp.ts";
import { type ImageManifest, imageArchive, REPO, releaseFile, unpackLayout } from "./release-dir.ts";

const dirs = new TempDirs();
after(() => dirs.cleanup());

const bom = (suffix: string) => JSON.parse(readFileSync(releaseFile(suffix), "utf8")) as CdxBom;
const refs = (b: CdxBom) => new Set(b.components.map((c) => `${c.name}@${c.version}`));

test("every SBOM is valid CycloneDX 1.5", () => {
  for (const suffix of [".cdx.json", "-linux-amd64.oci.cdx.json", "-linux-arm64.oci.cdx.json"]) {
    assert.deepEqual(cyclonedxViolations(bom(suffix)), [], suffix);
  }
});

test("the bundle's SBOM lists every bundled package with its installed version, and nothing else", () => {
  const meta = JSON.parse(readFileSync(join(REPO, "build/regtrust.mjs.meta.json"), "utf8")) as {
    inputs: Record<string, unknown>;
  };
  const bundled = new Set<string>();
  for (const input of Object.keys(meta.inputs)) {
    const dir = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
    if (!dir) continue;
    const pkg = JSON.parse(readFileSync(join(REPO, dir, "package.json"), "utf8")) as {
      name: string;
      version: string;
    };
    bundled.add(`${pkg.name}@${pkg.version}`);
  }
  assert.ok(bundled.size > 20, `${bundled.size} packages bundled`);
  assert.deepEqual([...refs(bom(".cdx.json"))].sort(), [...bundled].sort());
  const lock = JSON.parse(readFileSync(join(REPO, "package-lock.json"), "utf8")) as {
    packages: Record<string, { version: string }>;
  };
  const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  for (const name of Object.keys(pkg.dependencies)) {
    const locked = lock.packages[`node_modules/${name}`]?.version;
    assert.ok(refs(bom(".cdx.json")).has(`${name}@${locked}`), `${name}@${locked}`);
  }
});

/** Package name → "version arch" from the dpkg status file inside the image's base layer. */
async function dpkgStatus(arch: string): Promise<Map<string, string>> {
  const layout = await unpackLayout(imageArchive(arch), dirs);
  const manifest = layout.json<ImageManifest>(layout.index.manifests[0]!.digest);
  const base = join(layout.dir, "blobs", ...manifest.layers[0]!.digest.split(":"));
  const status = execFileSync("tar", ["-xzOf", base, "./var/lib/dpkg/status"], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const out = new Map<string, string>();
  for (const stanza of status.split("\n\n")) {
    const field = (name: string) => new RegExp(`^${name}: (.+)$`, "m").exec(stanza)?.[1];
    if (field("Package") && /installed$/.test(field("Status") ?? "")) {
      out.set(field("Package")!, `${field("Version")} ${field("Architecture")}`);
    }
  }
  return out;
}

for (const arch of ["amd64", "arm64"]) {
  test(`the linux/${arch} image's SBOM lists its Node, the bundle and every installed Debian package`, async () => {
    const image = bom(`-linux-${arch}.oci.cdx.json`);
    assert.equal(image.metadata.component?.type, "container");
    const node = image.components.find((c) => c.name === "node");
    assert.equal(node?.version, loadRecipe(join(REPO, "scripts/image/recipe.json")).node.version);
    for (const ref of refs(bom(".cdx.json"))) assert.ok(refs(image).has(ref), ref);
    const debs = new Map(
      image.components
        .filter((c) => c.purl?.startsWith("pkg:deb/"))
        .map((c) => [c.name, `${c.version} ${/[?&]arch=([^&]+)/.exec(c.purl!)?.[1]}`]),
    );
    const installed = await dpkgStatus(arch);
    assert.ok(installed.size > 50, `${installed.size} packages in dpkg's database`);
    assert.deepEqual(new Map([...debs].sort()), new Map([...installed].sort()));
  });
}
