/**
 * Issue #9 (start-up): `--help` and `diagnose` load only what they use. The
 * bundle (npm run build) splits lazily imported modules into chunks; this
 * walks the *static* imports from the entry and from the diagnose command
 * chunk and checks, through the source maps, that heavy libraries are not
 * among them (they must be reached only through `await import()`).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { test } from "node:test";

const DIST = join(import.meta.dirname, "../../dist");
const ENTRY = join(DIST, "regtrust.mjs");
const STATIC_IMPORT = /(?:^|[;\n}])\s*import\s*(?:[^"'()]*?\sfrom\s*)?"(\.{1,2}\/[^"]+)"/g;

function staticClosure(file: string): Set<string> {
  const seen = new Set<string>();
  const stack = [file];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    if (seen.has(current)) continue;
    seen.add(current);
    for (const match of readFileSync(current, "utf8").matchAll(STATIC_IMPORT)) {
      stack.push(normalize(join(dirname(current), match[1] as string)));
    }
  }
  return seen;
}

function packagesIn(files: Iterable<string>): Set<string> {
  const packages = new Set<string>();
  for (const file of files) {
    const map = JSON.parse(readFileSync(`${file}.map`, "utf8")) as { sources: string[] };
    for (const source of map.sources) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
      if (m) packages.add(m[1] as string);
    }
  }
  return packages;
}

function commandChunk(name: string): string {
  const file = readdirSync(join(DIST, "chunks")).find((f) => f.startsWith(`${name}-`) && f.endsWith(".mjs"));
  assert.ok(file, `no ${name} chunk in dist/chunks`);
  return join(DIST, "chunks", file);
}

// The entry only turns on the compile cache and imports the CLI (src/cli/entry.ts): its main chunk is
// what every command loads.
const CASES = [
  { name: "--help / --version (the entry and the CLI)", roots: ["main"], allowed: ["commander"] },
  { name: "diagnose", roots: ["main", "diagnose"], allowed: ["commander", "smol-toml"] },
];

for (const c of CASES) {
  test(`start-up: ${c.name} statically loads only ${c.allowed.join(", ")}`, () => {
    assert.ok(existsSync(ENTRY), "dist/regtrust.mjs is missing: run `npm run build` first");
    const files = staticClosure(ENTRY);
    for (const root of c.roots) for (const f of staticClosure(commandChunk(root))) files.add(f);
    assert.deepEqual([...packagesIn(files)].sort(), c.allowed);
  });
}

test("start-up: the check sees a library that is statically imported (the walk can fail)", () => {
  const files = staticClosure(commandChunk("export"));
  assert.ok(packagesIn(files).has("yaml"), "export renders YAML, so its chunk must reach the yaml package");
});

test("start-up: --help loads neither child_process (commander gets a lazy stand-in, scripts/lazy-builtins.mjs) nor crypto", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "regtrust-modules-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const report = join(dir, "report.cjs");
  writeFileSync(
    report,
    "process.on('exit', () => process.stderr.write('MODULES ' + process.moduleLoadList.join(',') + '\\n'));\n",
  );
  const run = spawnSync(process.execPath, ["--require", report, ENTRY, "--help"], {
    encoding: "utf8",
    timeout: 20000,
  });
  assert.equal(run.status, 0, run.stderr);
  const modules = /MODULES (.*)/.exec(run.stderr)?.[1]?.split(",") ?? [];
  assert.ok(modules.includes("NativeModule path"), "the report lists loaded built-ins");
  assert.ok(!modules.includes("NativeModule child_process"), "child_process was loaded for --help");
  // The output boundary's marker secret is made on first colour (core/terminal-text.ts): none in --help.
  assert.ok(!modules.includes("NativeModule crypto"), "crypto was loaded for --help");
});
