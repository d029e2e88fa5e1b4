/**
 * `npm run bench`: runs every bench script in its own child process (so each
 * one's RSS figures are its own), one after another, collects their results
 * (`--json-out`), prints the whole report to stdout and writes BENCHMARKS.md.
 * The scripts' own output goes to stderr as progress. Exit 1 when a script
 * failed (its section then says so); unmet targets are reported, not fatal.
 *   node --import tsx bench/all.ts
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describeMachine } from "./machine.ts";
import { type Outcome, renderReport } from "./report.ts";
import type { BenchResult } from "./results.ts";

const REPO = resolve(import.meta.dirname, "..");
const SCRIPT_TIMEOUT_MS = Number(process.env.BENCH_SCRIPT_TIMEOUT_S ?? 900) * 1000;

/** In order of sensitivity to noise: the short start-up figures first. */
const STEPS: Array<{ script: string; before?: string[] }> = [
  { script: "bench/run.ts" },
  { script: "bench/bundle.ts" },
  { script: "bench/scan.ts" },
  { script: "bench/k8s-triage.ts" },
  { script: "bench/agent.ts" },
  { script: "bench/fleet.ts" },
  { script: "bench/sea.ts", before: ["scripts/build-sea.mjs"] },
  { script: "bench/release-size.ts" },
];

/** Runs a child with its output forwarded to stderr; resolves to null on success, else why not. */
function run(argv: string[]): Promise<string | null> {
  return new Promise((done) => {
    const child = spawn(process.execPath, argv, {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: SCRIPT_TIMEOUT_MS,
      killSignal: "SIGKILL",
    });
    let tail = "";
    const forward = (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString()).slice(-600);
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.once("error", (error) => done(error.message));
    child.once("close", (code, signal) => {
      if (code === 0) return done(null);
      const how =
        signal === "SIGKILL" ? `timed out after ${SCRIPT_TIMEOUT_MS / 1000} s` : `exited ${code ?? signal}`;
      const last = tail.trim().split("\n").slice(-3).join(" / ");
      done(`${how}${last ? `: ${last}` : ""}`);
    });
  });
}

async function step(script: string, before: string[], dir: string): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const prerequisite of before) {
    process.stderr.write(`\nbench: node ${prerequisite}\n`);
    const error = await run([prerequisite]);
    if (error) outcomes.push({ script: prerequisite, error });
  }
  const out = join(dir, `${script.replace(/\W+/g, "-")}.json`);
  process.stderr.write(`\nbench: ${script}\n`);
  const started = performance.now();
  const error = await run(["--import", "tsx", script, "--json-out", out]);
  process.stderr.write(
    `bench: ${script} ${error ? "FAILED" : "done"} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
  if (error) outcomes.push({ script, error });
  else outcomes.push({ script, result: JSON.parse(readFileSync(out, "utf8")) as BenchResult });
  return outcomes;
}

async function main(): Promise<void> {
  const started = performance.now();
  const machine = describeMachine();
  const dir = mkdtempSync(join(tmpdir(), "regtrust-bench-all-"));
  const outcomes: Outcome[] = [];
  try {
    for (const { script, before } of STEPS) outcomes.push(...(await step(script, before ?? [], dir)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  machine.loadAfter = loadavg()[0] ?? Number.NaN;
  const report = renderReport(machine, outcomes, (performance.now() - started) / 1000);
  writeFileSync(join(REPO, "BENCHMARKS.md"), report);
  process.stdout.write(report);
  process.stderr.write("\nbench: wrote BENCHMARKS.md\n");
  if (outcomes.some((o) => "error" in o)) process.exitCode = 1;
}

await main();
