// Runs every *.test.ts under src/ and test/ with Node's own test runner.
// Node 20's `--test` takes no glob patterns, so the file list is collected here.
// `--unit` restricts the run to src/ (pure logic, no system services).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const unitOnly = process.argv.includes("--unit");
const only = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const roots = unitOnly ? ["src"] : ["src", "test"];
const files = roots
  .flatMap((root) =>
    readdirSync(root, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".test.ts"))
      .map((f) => join(root, f)),
  )
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  // test/release/built proves release/, which scripts/test-release.sh builds first: run only when named.
  .filter((f) => !f.includes("test/release/built/") || only.some((o) => o.includes("release/built")))
  .sort();

if (files.length === 0) {
  console.error("test.mjs: no test files matched");
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=4", "--test-timeout=300000", ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
