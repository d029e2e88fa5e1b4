/**
 * Benchmark (not a test): size and start-up of the single executable next to
 * the ESM bundle. Build both first (`npm run build && node scripts/build-sea.mjs`
 * — build.mjs empties dist/, so in that order). Median wall time of
 * BENCH_SEA_RUNS runs (default 15) each of --version and --help, alternating.
 *   node --import tsx bench/sea.ts [--json-out FILE]
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { type TimedCommand, type Timing, timeCommands } from "./measure.ts";
import { emitResult, type SeaRow } from "./results.ts";

const RUNS = Number(process.env.BENCH_SEA_RUNS ?? 15);
const dist = (file: string) => resolve(import.meta.dirname, "../dist", file);

const builds: { name: string; file: string; cmd: string[] }[] = [
  {
    name: "SEA dist/regtrust (node binary + CJS bundle + V8 code cache)",
    file: dist("regtrust"),
    cmd: [dist("regtrust")],
  },
  {
    name: "node dist/regtrust.mjs (ESM bundle)",
    file: dist("regtrust.mjs"),
    cmd: [process.execPath, dist("regtrust.mjs")],
  },
];

/** Bytes of every .mjs file under `dir`, whatever shape the build gives dist/. */
function mjsBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".mjs"))
    .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

async function main(): Promise<void> {
  const present = builds.filter((b) => existsSync(b.file));
  const commands: TimedCommand[] = present.flatMap((b) => [
    { name: `${b.name} --version`, argv: [...b.cmd, "--version"] },
    { name: `${b.name} --help`, argv: [...b.cmd, "--help"] },
  ]);
  const timings = await timeCommands(commands, RUNS);
  const find = (name: string): Timing | null => timings.find((t) => t.name === name) ?? null;
  const rows: SeaRow[] = builds.map((b) => {
    const built = present.includes(b);
    return {
      name: b.name,
      built,
      sizeBytes: built ? statSync(b.file).size : Number.NaN,
      moduleBytes: built && b.file.endsWith(".mjs") ? mjsBytes(dist(".")) : null,
      version: find(`${b.name} --version`),
      help: find(`${b.name} --help`),
    };
  });
  await emitResult({ kind: "sea", rows });
}

await main();
