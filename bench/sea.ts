/**
 * Benchmark (not a test): size and start-up of the single executable next to
 * the ESM bundle. Build both first (`npm run build && node scripts/build-sea.mjs`
 * — build.mjs empties dist/, so in that order). Prints a Markdown table of the
 * median wall time of 15 runs each of --version and --help.
 *   node --import tsx bench/sea.ts
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const RUNS = 15;
const MiB = 1024 * 1024;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function wallMs(argv: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(argv[0] ?? "", argv.slice(1), { stdio: "ignore" });
    if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

const rows: { name: string; file: string; cmd: string[] }[] = [
  { name: "SEA dist/regtrust", file: "dist/regtrust", cmd: ["dist/regtrust"] },
  { name: "node dist/regtrust.mjs", file: "dist/regtrust.mjs", cmd: [process.execPath, "dist/regtrust.mjs"] },
];
console.log("| build | size | --version (median ms) | --help (median ms) |");
console.log("|---|---|---|---|");
for (const row of rows) {
  if (!existsSync(row.file)) {
    console.log(`| ${row.name} | not built | | |`);
    continue;
  }
  const size = `${(statSync(row.file).size / MiB).toFixed(1)} MiB`;
  const version = wallMs([...row.cmd, "--version"]).toFixed(0);
  const help = wallMs([...row.cmd, "--help"]).toFixed(0);
  console.log(`| ${row.name} | ${size} | ${version} | ${help} |`);
}
