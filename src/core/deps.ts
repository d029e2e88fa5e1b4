/**
 * Side effects are injected, never imported directly by domain code, so tests
 * need no module mocks (style.md §10): the clock, the node filesystem root,
 * the process runner and the network timeout.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv (never a shell). */
export type Exec = (
  argv: readonly string[],
  opts?: { timeoutMs?: number; input?: string },
) => Promise<ExecResult>;
