// Bundles the CLI into one ESM file so start-up reads a single module graph.
// Heavy modules stay behind `await import()` in the commands that need them;
// esbuild splits them into chunks next to the entry point.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";
import { builtinsThroughRequire, lazyChildProcessForCommander, userlandPunycode } from "./lazy-builtins.mjs";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

// Chunk names carry content hashes: start clean so stale chunks never pile up.
rmSync("dist", { recursive: true, force: true });

const bundled = await build({
  entryPoints: { regtrust: "src/cli/entry.ts" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  chunkNames: "chunks/[name]-[hash]",
  banner: {
    // Node >= 22.1 keeps V8's compiled code of the lazily loaded chunks on disk between runs
    // (module.enableCompileCache; NODE_DISABLE_COMPILE_CACHE=1 turns it off). Node 20 has no such
    // function and the call is skipped.
    js: "#!/usr/bin/env node\nimport __regtrustModule, { createRequire as __regtrustCreateRequire } from 'node:module'; const require = __regtrustCreateRequire(import.meta.url); __regtrustModule.enableCompileCache?.();",
  },
  define: { __REGTRUST_VERSION__: JSON.stringify(version) },
  plugins: [lazyChildProcessForCommander, userlandPunycode, builtinsThroughRequire],
  // Which package files went in: the release's SBOM lists exactly those packages (scripts/release/sbom.ts).
  metafile: true,
  logLevel: "warning",
});
mkdirSync("build", { recursive: true });
writeFileSync("build/regtrust.mjs.meta.json", JSON.stringify(bundled.metafile));
