/**
 * Bounded polling. Every wait in the harness goes through here so no test can
 * hang: the probe is retried until it yields a value or the deadline passes,
 * and the error names what was awaited and the last failure seen.
 */
import { setTimeout as sleep } from "node:timers/promises";

export interface WaitOptions {
  /** What is awaited, for the error message ("registry on 127.0.0.1:5000"). */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
}

/**
 * Calls `probe` until it returns something other than `undefined`.
 * A probe that throws counts as "not yet"; its message is kept for the timeout error.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined>, opts: WaitOptions): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 100;
  let lastError = "no result yet";
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() + interval > deadline) {
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what} (last: ${lastError})`);
    }
    await sleep(interval);
  }
}

/** Rejects with a clear message when `promise` does not settle within `timeoutMs`. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
