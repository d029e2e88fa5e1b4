/** Wall-clock timing of whole commands, run side by side (a small hyperfine), and summaries. */
import { spawn } from "node:child_process";

export interface Timing {
  name: string;
  /** Runs attempted. */
  runs: number;
  /** Runs that failed (bad exit status, timeout, or output showing an error); not in the figures. */
  failures: number;
  /** Distinct statuses of the failed runs, e.g. "exit 246", "timeout". */
  failedAs: string[];
  /** Over the successful runs only; NaN when none succeeded. */
  medianMs: number;
  minMs: number;
  maxMs: number;
}

export interface TimedCommand {
  name: string;
  argv: string[];
  cwd?: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** Runs of this command; fewer than the round count are spread evenly over the rounds. */
  runs?: number;
  /** Whether to run once unmeasured first (page cache); default true. */
  warmUp?: boolean;
  timeoutMs?: number;
  /** Whether a finished run succeeded; default: exit status 0. */
  succeeded?: (code: number | null, output: string) => boolean;
}

interface Sample {
  ms: number;
  status: string | null;
}

/**
 * Runs the commands round robin (`rounds` rounds, one run of each per round)
 * so machine noise hits all alike. Asynchronous: the loopback servers under
 * test live in this process.
 */
export async function timeCommands(commands: TimedCommand[], rounds: number): Promise<Timing[]> {
  const samples = new Map<string, Sample[]>(commands.map((c) => [c.name, []]));
  for (const c of commands) if (c.warmUp !== false) await runOnce(c);
  for (let round = 0; round < rounds; round++) {
    for (const c of commands) {
      if (!runsInRound(c.runs ?? rounds, rounds, round)) continue;
      samples.get(c.name)?.push(await runOnce(c));
    }
  }
  return commands.map((c) => summariseSamples(c.name, samples.get(c.name) ?? []));
}

/** Spreads `runs` runs over `rounds` rounds: rounds floor(j·rounds/runs) for j < runs. */
function runsInRound(runs: number, rounds: number, round: number): boolean {
  if (runs >= rounds) return true;
  for (let j = 0; j < runs; j++) if (Math.floor((j * rounds) / runs) === round) return true;
  return false;
}

/** One run; `status` is null on success, else why it failed. */
function runOnce(c: TimedCommand): Promise<Sample> {
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(c.argv[0] ?? "", c.argv.slice(1), {
      cwd: c.cwd,
      env: c.env ? { ...process.env, ...c.env } : process.env,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: c.timeoutMs ?? 60_000,
      killSignal: "SIGKILL",
    });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => chunks.push(d));
    child.stderr.on("data", (d: Buffer) => chunks.push(d));
    child.once("error", (error) => resolve({ ms: Number.NaN, status: `spawn error: ${error.message}` }));
    child.once("close", (code, signal) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const output = Buffer.concat(chunks).toString("utf8");
      if (signal === "SIGKILL") return resolve({ ms, status: "timeout" });
      if (signal) return resolve({ ms, status: `signal ${signal}` });
      const ok = c.succeeded ? c.succeeded(code, output) : code === 0;
      resolve({ ms, status: ok ? null : `exit ${code}${code === 0 ? " (error in output)" : ""}` });
    });
  });
}

function summariseSamples(name: string, samples: Sample[]): Timing {
  const ok = samples.filter((s) => s.status === null).map((s) => s.ms);
  const failedAs = [...new Set(samples.flatMap((s) => (s.status === null ? [] : [s.status])))];
  return { ...summarise(name, ok), runs: samples.length, failures: samples.length - ok.length, failedAs };
}

/** Median and range of successful runs' values. */
export function summarise(name: string, values: number[]): Timing {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    name,
    runs: values.length,
    failures: 0,
    failedAs: [],
    medianMs: median(sorted),
    minMs: sorted[0] ?? Number.NaN,
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * Preloaded into a measured child: it reports its own peak RSS (KiB on Linux)
 * on stderr as it exits, so no sampling can miss the peak.
 */
export const REPORT_PEAK_RSS = `data:text/javascript,process.on("exit",()=>process.stderr.write("\\nmaxRSS_KiB="+process.resourceUsage().maxRSS+"\\n"))`;

export function peakRssMiBFrom(stderr: string): number {
  const kib = /maxRSS_KiB=(\d+)/.exec(stderr)?.[1];
  return kib === undefined ? Number.NaN : Number(kib) / 1024;
}
