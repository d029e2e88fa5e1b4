import { toTerminal } from "../core/terminal-text.ts";

/**
 * Where a command writes. Every write passes the output boundary
 * (terminal-text.ts toTerminal): control characters and bidi overrides that
 * came from outside are shown escaped, never sent to the terminal. Results go
 * to stdout, logs and progress to stderr (docs/principles.md). Tests pass an
 * in-memory Io and read back what was written.
 */
export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** stdout is a terminal: colour and progress bars are allowed. */
  isTTY: boolean;
  env: Record<string, string | undefined>;
  /** Read all of stdin (for `-` arguments). */
  readStdin(): Promise<Buffer>;
}

export function processIo(): Io {
  return {
    stdout: pipeSafe(process.stdout),
    stderr: pipeSafe(process.stderr),
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  };
}

/**
 * A reader that goes away early (`regtrust inspect … | head`) makes the next
 * write fail with EPIPE, which Node raises as an unhandled 'error' event: a
 * stack trace and exit 1 in the middle of the command, perhaps mid-apply.
 * Output nobody reads is dropped instead, and the command runs to its end
 * and exits with its own code. Other write errors still surface.
 */
function pipeSafe(stream: NodeJS.WriteStream): Io["stdout"] {
  let readerGone = false;
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    readerGone = true;
  });
  // Every byte passes the terminal boundary (core/terminal-text.ts) before it leaves.
  return { write: (text: string) => (readerGone ? false : stream.write(toTerminal(text))) };
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function wantsColor(io: Io): boolean {
  return io.isTTY && !io.env.NO_COLOR && io.env.TERM !== "dumb";
}

export interface MemoryIo extends Io {
  out(): string;
  err(): string;
}

export function memoryIo(
  opts: { stdin?: string | Buffer; isTTY?: boolean; env?: Record<string, string> } = {},
): MemoryIo {
  let out = "";
  let err = "";
  return {
    stdout: { write: (t: string) => (out += toTerminal(t)) },
    stderr: { write: (t: string) => (err += toTerminal(t)) },
    isTTY: opts.isTTY ?? false,
    env: opts.env ?? {},
    readStdin: async () => Buffer.from(opts.stdin ?? ""),
    out: () => out,
    err: () => err,
  };
}
