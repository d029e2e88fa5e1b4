/**
 * Child processes for the real-component tests: bounded one-shot commands and
 * long-running services (registry, containerd) with captured logs and a stop
 * that always ends in SIGKILL. argv only, never a shell.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { withTimeout } from "./wait.ts";

export interface CommandResult {
  /** Exit code, or -1 when the process was killed by a signal. */
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface CommandOptions {
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to stdin, then stdin is closed (keeps secrets off the argv). */
  input?: string;
}

/** Runs argv to completion or kills it with SIGKILL after `timeoutMs`. Never rejects on a non-zero exit. */
export function runCommand(argv: readonly string[], opts: CommandOptions): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error("runCommand: empty argv");
  return new Promise((resolve, reject) => {
    const stdin = opts.input === undefined ? "ignore" : "pipe";
    const child = spawn(file, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: [stdin, "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs);
    child.stdout?.on("data", (b: Buffer) => stdout.push(b));
    child.stderr?.on("data", (b: Buffer) => stderr.push(b));
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${file}: ${err.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        timedOut,
      });
    });
    // A program that exits without reading stdin must not fail the run with EPIPE.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(opts.input);
  });
}

/** Keeps the tail of a service's combined stdout+stderr (services can be chatty). */
class LogTail {
  readonly #chunks: string[] = [];
  #size = 0;
  constructor(readonly limit: number) {}

  push(text: string): void {
    this.#chunks.push(text);
    this.#size += text.length;
    while (this.#size > this.limit && this.#chunks.length > 1) {
      this.#size -= this.#chunks.shift()!.length;
    }
  }

  text(): string {
    return this.#chunks.join("");
  }
}

export interface Service {
  readonly pid: number;
  /** Combined stdout and stderr so far. */
  logs(): string;
  /** Resolves once the process is gone; `null` code means killed by a signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; bounded overall. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const liveServices = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Last-resort guard: a test process that dies without its after() hooks still kills its services. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of liveServices) child.kill("SIGKILL");
  });
}

/** Starts a long-running process. The caller owns it and must call `stop()` in a finally/after hook. */
export function startService(
  argv: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string },
): Service {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error("startService: empty argv");
  installExitHook();
  const child = spawn(file, args, {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  liveServices.add(child);
  const tail = new LogTail(2_000_000);
  child.stdout.on("data", (b: Buffer) => tail.push(b.toString("utf8")));
  child.stderr.on("data", (b: Buffer) => tail.push(b.toString("utf8")));
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("error", (err) => {
      tail.push(`\n[harness] cannot start ${file}: ${err.message}\n`);
      running = false;
      liveServices.delete(child);
      resolve({ code: -1, signal: null });
    });
    child.on("exit", (code, signal) => {
      running = false;
      liveServices.delete(child);
      resolve({ code, signal });
    });
  });
  return {
    pid: child.pid ?? -1,
    logs: () => tail.text(),
    exited,
    isRunning: () => running,
    stop: (graceMs = 5000) => stopChild(child, exited, () => running, graceMs),
  };
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<unknown>,
  isRunning: () => boolean,
  graceMs: number,
): Promise<void> {
  if (!isRunning()) return;
  child.kill("SIGTERM");
  try {
    await withTimeout(exited, graceMs, `pid ${child.pid} to exit after SIGTERM`);
    return;
  } catch {
    child.kill("SIGKILL");
  }
  await withTimeout(exited, 5000, `pid ${child.pid} to exit after SIGKILL`);
}
