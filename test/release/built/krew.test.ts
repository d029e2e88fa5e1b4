/**
 * release/regtrust.yaml as krew takes it: it parses, krew's checks pass
 * (scripts/release/krew.ts mirrors krew's validation), each platform's
 * sha256 is its archive's, and the plugin installs the way krew's installer
 * does it (internal/installation: verify the archive's sha256, extract,
 * move the `files`, symlink `bin` as bin/kubectl-<name>) and runs as
 * `kubectl regtrust` — the arm64 one under qemu-aarch64-static.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, statSync, symlinkSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { after, test } from "node:test";
import YAML from "yaml";
import { type KrewPlatform, type KrewPlugin, krewManifestProblems } from "../../../scripts/release/krew.ts";
import { TempDirs } from "../../support/tmp.ts";
import { arm64Sysroot, releaseDir, VERSION } from "./release-dir.ts";

const dirs = new TempDirs();
after(() => dirs.cleanup());

const manifest = (): KrewPlugin =>
  YAML.parse(readFileSync(join(releaseDir(), "regtrust.yaml"), "utf8")) as KrewPlugin;
const archiveOf = (p: KrewPlatform) => join(releaseDir(), basename(new URL(p.uri).pathname));
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

test("regtrust.yaml parses and passes krew's manifest checks, one platform per release architecture", () => {
  const plugin = manifest();
  assert.deepEqual(krewManifestProblems("regtrust.yaml", plugin), []);
  assert.equal(plugin.spec.version, `v${VERSION}`);
  const arches = plugin.spec.platforms.map(
    (p) => `${p.selector.matchLabels?.os}/${p.selector.matchLabels?.arch}`,
  );
  assert.deepEqual(arches.sort(), ["linux/amd64", "linux/arm64"]);
});

test("each platform's sha256 is the sha256 of the archive its uri names", () => {
  for (const platform of manifest().spec.platforms) {
    assert.ok(existsSync(archiveOf(platform)), platform.uri);
    assert.equal(platform.sha256, sha256(archiveOf(platform)), platform.uri);
  }
});

/** krew's install steps for one platform; returns the bin directory's kubectl-<name> link. */
async function krewInstall(platform: KrewPlatform, name: string): Promise<string> {
  const archive = archiveOf(platform);
  assert.equal(sha256(archive), platform.sha256, "krew refuses an archive whose sha256 differs");
  const root = await dirs.make("krew-root");
  const extract = join(root, "extract");
  const install = join(root, "store", name, `v${VERSION}`);
  const bin = join(root, "bin");
  for (const dir of [extract, install, bin]) await mkdir(dir, { recursive: true });
  execFileSync("tar", ["-xzf", archive, "-C", extract], { timeout: 120_000 });
  for (const op of platform.files ?? [{ from: "*", to: "." }]) {
    assert.ok(existsSync(join(extract, op.from)), `files: ${op.from} is in the archive`);
    renameSync(join(extract, op.from), join(install, op.to, basename(op.from)));
  }
  const target = join(install, platform.bin);
  assert.ok(statSync(target).mode & 0o111, `${platform.bin} is executable`);
  assert.ok(existsSync(join(install, "LICENSE")), "validate-krew-manifest wants a licence file installed");
  const link = join(bin, `kubectl-${name}`);
  symlinkSync(target, link);
  return link;
}

test("installed as krew does it, linux/amd64 runs as `kubectl regtrust`", async () => {
  const platform = manifest().spec.platforms.find((p) => p.selector.matchLabels?.arch === "amd64");
  assert.ok(platform);
  const link = await krewInstall(platform, manifest().metadata.name);
  const help = execFileSync(link, ["--help"], { encoding: "utf8", timeout: 60_000 });
  assert.match(help, /^Usage: regtrust k8s /);
});

test("installed as krew does it, linux/arm64 runs as `kubectl regtrust` under qemu-aarch64-static", async () => {
  const platform = manifest().spec.platforms.find((p) => p.selector.matchLabels?.arch === "arm64");
  assert.ok(platform);
  const link = await krewInstall(platform, manifest().metadata.name);
  const sysroot = await arm64Sysroot(dirs);
  const help = execFileSync("qemu-aarch64-static", ["-L", sysroot, link, "--help"], {
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.match(help, /^Usage: regtrust k8s /);
});
