/**
 * Issue #9 (start-up): `--help` and `diagnose` load only what they use. The
 * bundle (npm run build) splits lazily imported modules into chunks; this
 * walks the *static* imports from the entry and from the diagnose command
 * chunk and checks, through the source maps, that heavy libraries are not
 * among them (they must be reached only through `await import()`).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
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

const CASES = [
  { name: "--help / --version (the entry alone)", roots: [] as string[], allowed: ["commander"] },
  { name: "diagnose", roots: ["diagnose"], allowed: ["commander", "smol-toml"] },
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
