/** Wall-clock timing of whole commands, run side by side (a small hyperfine). */
import { spawn } from "node:child_process";

export interface Timing {
  name: string;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

/**
 * Runs each command `runs` times, interleaved so machine noise hits all
 * alike. Asynchronous: the loopback servers under test live in this process.
 */
export async function timeCommands(
  commands: Array<{ name: string; argv: string[] }>,
  runs: number,
): Promise<Timing[]> {
  const samples = new Map<string, number[]>(commands.map((c) => [c.name, []]));
  for (const c of commands) await runOnce(c.argv); // warm the page cache
  for (let i = 0; i < runs; i++) {
    for (const c of commands) samples.get(c.name)?.push(await runOnce(c.argv));
  }
  return commands.map((c) => summarise(c.name, samples.get(c.name) ?? []));
}

function runOnce(argv: string[]): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] ?? "", argv.slice(1), {
      stdio: ["ignore", "ignore", "ignore"],
      timeout: 120_000,
    });
    child.once("error", (error) => reject(new Error(`${argv.join(" ")}: ${error.message}`)));
    child.once("exit", () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
  });
}

export function summarise(name: string, values: number[]): Timing {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return {
    name,
    runs: values.length,
    medianMs: median,
    minMs: sorted[0] ?? 0,
    maxMs: sorted[sorted.length - 1] ?? 0,
  };
}

export function formatTable(rows: Timing[], baseline: string): string {
  const base = rows.find((r) => r.name === baseline)?.medianMs ?? 1;
  const lines = ["| command | median ms | min–max ms | × bare node |", "|---|---:|---:|---:|"];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${r.medianMs.toFixed(1)} | ${r.minMs.toFixed(1)}–${r.maxMs.toFixed(1)} | ${(r.medianMs / base).toFixed(2)} |`,
    );
  }
  return lines.join("\n");
}
