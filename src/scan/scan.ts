import type { Clock } from "../core/deps.ts";
import { type DiagnoseOptions, diagnose } from "../diagnose/diagnose.ts";
import type { DiagnoseResult } from "../diagnose/result.ts";
import type { Target } from "../target/target.ts";
import { mapPool } from "./pool.ts";

export interface ScanOptions {
  /** The node view and OS store, loaded once by the caller and shared by every target. */
  node: DiagnoseOptions["node"];
  concurrency: number;
  timeoutMs: number;
  expiringDays: number;
  clock: Clock;
  /** Called as each target finishes (JSON Lines, progress). */
  onResult?: (outcome: ScanOutcome, done: number, total: number) => void;
  probe?: DiagnoseOptions["probe"];
}

export interface ScanOutcome {
  result: DiagnoseResult;
  /** Wall time of this target's diagnosis. */
  ms: number;
}

/** Diagnoses every target through the same pipeline as `diagnose`, `concurrency` at a time. */
export async function scan(targets: readonly Target[], opts: ScanOptions): Promise<ScanOutcome[]> {
  let done = 0;
  return mapPool(targets, opts.concurrency, async (target) => {
    const started = performance.now();
    const result = await diagnose(target, {
      node: opts.node,
      timeoutMs: opts.timeoutMs,
      clock: opts.clock,
      expiringDays: opts.expiringDays,
      ...(opts.probe ? { probe: opts.probe } : {}),
    });
    const outcome = { result, ms: Math.round(performance.now() - started) };
    done++;
    opts.onResult?.(outcome, done, targets.length);
    return outcome;
  });
}

/** The first error-severity finding's code: what the summary shows and what makes a target fail. */
export function firstErrorCode(result: DiagnoseResult): string | null {
  return result.findings.find((f) => f.severity === "error")?.code ?? null;
}
