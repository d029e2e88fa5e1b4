/**
 * Issue #16: the bundle must work as shipped, not only the TypeScript source.
 * Every module dist/ loads lazily (`import("./chunks/…")`) is imported here in
 * a plain Node process, as the CLI would, and must expose named exports: a
 * lazily imported CommonJS package becomes a chunk whose only export is
 * `default` (esbuild code splitting), which is how `yaml.parseDocument is not
 * a function` shipped to every k3s/RKE2 node. Importing them also loads every
 * chunk they import statically, so a broken interop there fails here too.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";

const DIST = join(import.meta.dirname, "../../dist");
const DYNAMIC_IMPORT = /\bimport\(\s*"(\.{1,2}\/[^"]+\.mjs)"\s*\)/g;

function distModules(): string[] {
  assert.ok(
    existsSync(join(DIST, "regtrust.mjs")),
    "dist/regtrust.mjs is missing: run `npm run build` first",
  );
  const chunks = readdirSync(join(DIST, "chunks"))
    .filter((f) => f.endsWith(".mjs"))
    .map((f) => join(DIST, "chunks", f));
  return [join(DIST, "regtrust.mjs"), ...chunks];
}

function lazyTargets(): string[] {
  const targets = new Set<string>();
  for (const file of distModules()) {
    for (const m of readFileSync(file, "utf8").matchAll(DYNAMIC_IMPORT)) {
      targets.add(normalize(join(dirname(file), m[1] as string)));
    }
  }
  return [...targets].sort();
}

/** Imports each module in a fresh Node process and returns its export names (or the error). */
function exportsOf(files: string[]): Record<string, string[] | { error: string }> {
  const script = `
    const out = {};
    for (const f of JSON.parse(process.argv[1])) {
      try { out[f] = Object.keys(await import(f)); }
      catch (e) { out[f] = { error: String(e && e.message || e) }; }
    }
    process.stdout.write(JSON.stringify(out));`;
  const urls = files.map((f) => pathToFileURL(f).href);
  // REGTRUST_NODE: the Node line under test (scripts/test-release.sh loads every chunk with Node 24 too).
  const node = process.env.REGTRUST_NODE ?? process.execPath;
  const run = spawnSync(node, ["--input-type=module", "-e", script, JSON.stringify(urls)], {
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(run.status, 0, run.stderr);
  const byUrl = JSON.parse(run.stdout) as Record<string, string[] | { error: string }>;
  return Object.fromEntries(
    files.map((f, i) => [f, byUrl[urls[i] as string] as string[] | { error: string }]),
  );
}

test("bundle: the walk finds the lazily imported modules (the check can fail)", () => {
  const targets = lazyTargets().map((t) => t.slice(DIST.length + 1));
  for (const command of ["diagnose", "trust", "audit", "export", "agent"]) {
    assert.ok(
      targets.some((t) => t.startsWith(`chunks/${command}-`)),
      `no lazy chunk for ${command} in ${targets}`,
    );
  }
});

test("bundle: every lazily imported chunk loads and has named exports (no default-only CommonJS chunk)", () => {
  const targets = lazyTargets().filter((t) => !t.endsWith("regtrust.mjs"));
  const loaded = exportsOf(targets);
  for (const [file, names] of Object.entries(loaded)) {
    const name = file.slice(DIST.length + 1);
    assert.ok(Array.isArray(names), `${name} failed to load: ${JSON.stringify(names)}`);
    assert.ok(
      names.some((n) => n !== "default"),
      `${name} is imported lazily but exports only default: a CommonJS package imported with import() ` +
        "(import a local ESM module that imports it statically instead, as src/node/yaml-module.ts does)",
    );
  }
});
