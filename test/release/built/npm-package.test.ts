/**
 * The npm tarball: what it holds, and an install of it from the file alone
 * (offline: the bundle carries every runtime dependency, so the packed
 * package.json declares none), run as `regtrust` and as the kubectl plugin.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { after, test } from "node:test";
import { TempDirs } from "../../support/tmp.ts";
import { releaseFile, VERSION } from "./release-dir.ts";

const dirs = new TempDirs();
after(() => dirs.cleanup());

const tarball = () => releaseFile(".tgz");

test("the tarball holds the bundle, LICENSE and README; no source maps, no executable, no dependencies", () => {
  const members = execFileSync("tar", ["-tzf", tarball()], { encoding: "utf8" }).trim().split("\n");
  for (const need of [
    "package/package.json",
    "package/LICENSE",
    "package/README.md",
    "package/dist/regtrust.mjs",
  ]) {
    assert.ok(members.includes(need), `${need} in ${members.join(" ")}`);
  }
  assert.ok(members.some((m) => /^package\/dist\/chunks\/.+\.mjs$/.test(m)));
  assert.deepEqual(
    members.filter((m) => m.endsWith(".map") || m === "package/dist/regtrust" || m.includes("/sea/")),
    [],
  );
  const pkg = JSON.parse(
    execFileSync("tar", ["-xzOf", tarball(), "package/package.json"], { encoding: "utf8" }),
  );
  assert.equal(pkg.version, VERSION);
  assert.equal(pkg.dependencies, undefined);
  assert.equal(pkg.scripts, undefined);
  assert.deepEqual(Object.keys(pkg.bin).sort(), ["kubectl-regtrust", "regtrust"]);
});

test("npm install -g of the tarball, offline: regtrust and kubectl-regtrust run", async () => {
  const prefix = await dirs.make("npm-prefix");
  const cache = await dirs.make("npm-cache");
  execFileSync(
    "npm",
    ["install", "-g", "--offline", "--no-audit", "--no-fund", "--prefix", prefix, tarball()],
    {
      env: { ...process.env, npm_config_cache: cache },
      stdio: "pipe",
      timeout: 120_000,
    },
  );
  const version = execFileSync(join(prefix, "bin", "regtrust"), ["--version"], { encoding: "utf8" });
  assert.equal(version.trim(), VERSION);
  const plugin = execFileSync(join(prefix, "bin", "kubectl-regtrust"), ["--help"], { encoding: "utf8" });
  assert.match(plugin, /^Usage: regtrust k8s /);
});
