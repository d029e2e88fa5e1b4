// Builds dist/regtrust, a Node 20 single executable application:
// https://nodejs.org/docs/latest-v20.x/api/single-executable-applications.html
// Node 20's SEA runs exactly one CommonJS script with only built-in modules
// requirable, so this is a separate, non-split CJS bundle (scripts/build.mjs
// and its ESM output stay untouched), turned into a blob and injected with
// postject into a copy of the running node binary: run this script with
// another Node line's binary to get that line's executable. REGTRUST_SEA_OUT
// names the executable (default dist/regtrust); its work files go to a `sea`
// directory beside it.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { build } from "esbuild";
import { lazyChildProcessForCommander, optionalPackagesAbsent, userlandPunycode } from "./lazy-builtins.mjs";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const out = process.env.REGTRUST_SEA_OUT ?? "dist/regtrust";
const work = join(dirname(out), "sea");
mkdirSync(work, { recursive: true });

await build({
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
  logLevel: "warning",
});

const config = {
  main: `${work}/regtrust.cjs`,
  output: `${work}/regtrust.blob`,
  disableExperimentalSEAWarning: true,
  useSnapshot: false,
  useCodeCache: true,
};
writeFileSync(`${work}/sea-config.json`, JSON.stringify(config, null, 2));
execFileSync(process.execPath, ["--experimental-sea-config", `${work}/sea-config.json`], {
  stdio: "inherit",
});

copyFileSync(process.execPath, out);
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
