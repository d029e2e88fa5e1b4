import { type ApplyResult, appliedEffect, emptyResult } from "./apply-result.ts";
import { type CommandOptions, type CommandOutcome, resolveCommand, shellLine } from "./commands.ts";
import { planEffects } from "./effects.ts";
import { locateJournal, readJournal } from "./journal-store.ts";
import type { Plan } from "./plan.ts";

/**
 * `--dry-run`: what applying would do, from the same resolution as a real
 * run (effects.ts), with commands resolved for the root but not run. Takes no
 * lock, creates no directory, writes nothing.
 */

export interface DryRunContext {
  root: string;
  journalDir: string;
  commandOptions: CommandOptions;
}

export async function dryRun(plan: Plan, ctx: DryRunContext): Promise<ApplyResult> {
  const effects = await planEffects(plan, ctx.root, { journalDir: ctx.journalDir });
  const commands: CommandOutcome[] = [];
  const skipCommands = effects.effects.length === 0 && !plan.undo;
  for (const command of skipCommands ? [] : plan.commands) {
    const resolved = await resolveCommand(command, ctx.commandOptions).catch((e: Error) => ({
      via: null,
      why: e.message,
    }));
    const detail = resolved.via === null ? resolved.why : `dry run: would run ${shellLine(resolved.argv)}`;
    commands.push({
      kind: command.kind,
      reason: command.reason,
      planned: command.argv,
      ran: null,
      via: resolved.via,
      status: "not-run",
      exitCode: null,
      detail,
      manual: shellLine(command.argv),
    });
  }
  return {
    ...emptyResult(effects, null, await pendingNotes(ctx)),
    dryRun: true,
    changed: effects.effects.length > 0,
    effects: effects.effects.map((e) => appliedEffect(e, false)),
    commands,
  };
}

/** A dry run does not recover; it says that the real run will. */
async function pendingNotes(ctx: DryRunContext): Promise<string[]> {
  const journal = await readJournal(await locateJournal(ctx.root, ctx.journalDir, { create: false }));
  const pending = journal.pending;
  if (pending === null) return [];
  return [
    `an interrupted ${pending.action} of ${pending.target} (${pending.startedAt}) will be rolled back first`,
  ];
}
