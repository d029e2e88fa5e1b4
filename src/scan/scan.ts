import type { Clock } from "../core/deps.ts";
import { type DiagnoseOptions, diagnose } from "../diagnose/diagnose.ts";
import type { Target } from "../target/target.ts";
import { forEachPool } from "./pool.ts";
import type { ScanOutcome } from "./scan-outcome.ts";
import { ScanTally } from "./scan-tally.ts";

export interface ScanOptions {
  /** The node view and OS store, loaded once by the caller and shared by every target. */
  node: DiagnoseOptions["node"];
  concurrency: number;
  timeoutMs: number;
  expiringDays: number;
  clock: Clock;
  /** Called as each target finishes (JSON Lines, progress); the outcome is not kept after it returns. */
  onResult?: (outcome: ScanOutcome, done: number, total: number) => void;
  /** Keep one summary row per target (the text table); --json needs none. */
  keepRows?: boolean;
  probe?: DiagnoseOptions["probe"];
}

export type { ScanOutcome } from "./scan-outcome.ts";

/**
 * Diagnoses every target through the same pipeline as `diagnose`,
 * `concurrency` at a time. Results are streamed through `onResult` and then
 * dropped; what is returned is the tally (scan-tally.ts), so memory does not
 * grow with the number of targets beyond one short row each.
 */
export async function scan(targets: readonly Target[], opts: ScanOptions): Promise<ScanTally> {
  const tally = new ScanTally(opts.keepRows ?? true);
  await forEachPool(targets, opts.concurrency, async (target) => {
    const started = performance.now();
    const result = await diagnose(target, {
      node: opts.node,
      timeoutMs: opts.timeoutMs,
      clock: opts.clock,
      expiringDays: opts.expiringDays,
      ...(opts.probe ? { probe: opts.probe } : {}),
    });
    const outcome = { result, ms: Math.round(performance.now() - started) };
    tally.add(outcome);
    opts.onResult?.(outcome, tally.total, targets.length);
  });
  return tally;
}

export { firstErrorCode } from "./scan-tally.ts";
