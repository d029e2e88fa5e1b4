import type { CommandOutcome } from "./commands.ts";
import type { Effect, Effects } from "./effects.ts";
import type { FileChange } from "./plan.ts";
import type { RecoveryReport } from "./recovery.ts";

/** What applying (or dry-running) a plan did, for the CLI to render as text or JSON. */

export interface AppliedEffect {
  op: Effect["op"];
  path: string;
  /** The plan's reason; for parent directories created on the way, says so. */
  reason: string;
  /** False for an `rmdir` left alone because the directory was not empty. */
  done: boolean;
}

export interface ApplyResult {
  dryRun: boolean;
  /** Whether any file changed (or, for a dry run, would change). */
  changed: boolean;
  /** The journal record id, null when nothing was recorded. */
  runId: string | null;
  effects: AppliedEffect[];
  unchanged: FileChange[];
  commands: CommandOutcome[];
  /** An interrupted earlier run that was rolled back first. */
  recovered: RecoveryReport | null;
  notes: string[];
}

export function emptyResult(
  effects: Effects,
  recovered: RecoveryReport | null,
  notes: string[],
): ApplyResult {
  return {
    dryRun: false,
    changed: false,
    runId: null,
    effects: [],
    unchanged: effects.unchanged,
    commands: [],
    recovered,
    notes,
  };
}

export function appliedEffect(effect: Effect, done: boolean): AppliedEffect {
  const reason = effect.change?.reason ?? `parent directory of a file in this plan`;
  return { op: effect.op, path: effect.nodePath, reason, done };
}
