// Builds dist/regtrust, a single executable application:
// https://nodejs.org/docs/latest-v20.x/api/single-executable-applications.html
// A SEA runs exactly one CommonJS script with only built-in modules
// requirable, so this is a separate, non-split CJS bundle (scripts/build.mjs
// and its ESM output stay untouched), minified (a quarter of the size; names
// kept, so error and class names read the same), turned into a blob and
// injected with postject into a copy of a node binary. Environment:
//   REGTRUST_SEA_OUT         the executable (default dist/regtrust); work files
//                            (bundle, esbuild metafile, blob) go to `sea/` beside it
//   REGTRUST_SEA_BASE        the node binary to inject into (default: the running
//                            one). It must be the same Node version as the running
//                            one, which writes the blob; it may be another
//                            architecture (`npm run release` builds arm64 on x64).
//   REGTRUST_SEA_CODE_CACHE  "0" leaves V8's code cache out of the blob; it must
//                            be left out when the base is another architecture
//                            (the cache is machine code for the builder's CPU).
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { build } from "esbuild";
import { lazyChildProcessForCommander, optionalPackagesAbsent, userlandPunycode } from "./lazy-builtins.mjs";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const out = process.env.REGTRUST_SEA_OUT ?? "dist/regtrust";
const base = process.env.REGTRUST_SEA_BASE ?? process.execPath;
const useCodeCache = process.env.REGTRUST_SEA_CODE_CACHE !== "0";
const work = join(dirname(out), "sea");
mkdirSync(work, { recursive: true });

const bundled = await build({
  entryPoints: ["src/cli/sea-entry.ts"],
  outfile: `${work}/regtrust.cjs`,
  bundle: true,
  splitting: false,
  format: "cjs",
  platform: "node",
  target: "node20",
  // Hide argv[1] (the executable's path) from main.ts's entry-point check; see sea-entry.ts.
  banner: { js: 'process.argv[1] = "<regtrust single executable>";' },
  define: { __REGTRUST_VERSION__: JSON.stringify(version) },
  plugins: [lazyChildProcessForCommander, userlandPunycode, optionalPackagesAbsent],
  minify: true,
  keepNames: true,
  // What went into the bundle, package by package: the release's SBOM lists exactly these.
  metafile: true,
  logLevel: "warning",
});
writeFileSync(`${work}/regtrust.meta.json`, JSON.stringify(bundled.metafile));

const config = {
  main: `${work}/regtrust.cjs`,
  output: `${work}/regtrust.blob`,
  disableExperimentalSEAWarning: true,
  useSnapshot: false,
  useCodeCache,
};
writeFileSync(`${work}/sea-config.json`, JSON.stringify(config, null, 2));
execFileSync(process.execPath, ["--experimental-sea-config", `${work}/sea-config.json`], {
  stdio: "inherit",
});

copyFileSync(base, out);
chmodSync(out, 0o755);
execFileSync(
  process.execPath,
  [
    "node_modules/postject/dist/cli.js",
    out,
    "NODE_SEA_BLOB",
    `${work}/regtrust.blob`,
    "--sentinel-fuse",
    "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2",
  ],
  { stdio: "inherit" },
);
console.log(`built ${out}`);
