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
    stdout: { write: (t: string) => process.stdout.write(toTerminal(t)) },
    stderr: { write: (t: string) => process.stderr.write(toTerminal(t)) },
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  };
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
