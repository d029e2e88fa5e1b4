/** SHA256SUMS: coreutils' own `sha256sum --check` verifies every file of the release, and catches a changed one. */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { TempDirs } from "../../support/tmp.ts";
import { releaseDir } from "./release-dir.ts";

const dirs = new TempDirs();
after(() => dirs.cleanup());

test("sha256sum --check SHA256SUMS passes and covers every file of release/", () => {
  const dir = releaseDir();
  const out = execFileSync("sha256sum", ["--check", "--strict", "SHA256SUMS"], {
    cwd: dir,
    encoding: "utf8",
    timeout: 240_000,
  });
  const checked = out
    .trim()
    .split("\n")
    .map((line) => line.replace(/: OK$/, ""));
  const files = readdirSync(dir).filter((name) => name !== "SHA256SUMS");
  assert.deepEqual(checked.sort(), files.sort());
});

test("a file changed after the release fails the check", async () => {
  const copy = await dirs.make("sums");
  const sums = readFileSync(join(releaseDir(), "SHA256SUMS"), "utf8");
  const line = sums.split("\n").find((l) => l.endsWith("  regtrust.yaml"));
  assert.ok(line, sums);
  writeFileSync(join(copy, "SHA256SUMS"), `${line}\n`);
  copyFileSync(join(releaseDir(), "regtrust.yaml"), join(copy, "regtrust.yaml"));
  const good = spawnSync("sha256sum", ["--check", "SHA256SUMS"], { cwd: copy, encoding: "utf8" });
  assert.equal(good.status, 0, good.stdout + good.stderr);
  writeFileSync(
    join(copy, "regtrust.yaml"),
    `${readFileSync(join(copy, "regtrust.yaml"), "utf8")}# changed\n`,
  );
  const bad = spawnSync("sha256sum", ["--check", "SHA256SUMS"], { cwd: copy, encoding: "utf8" });
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /regtrust\.yaml: FAILED/);
});
