import { createTwoFilesPatch } from "diff";
import { type Redactor, redactSecrets } from "../core/redact.ts";
import { type CommandOptions, resolveCommand, shellLine } from "./commands.ts";
import { type Effect, planEffects } from "./effects.ts";
import { DEFAULT_JOURNAL_DIR } from "./journal-store.ts";
import { stateBytes } from "./path-state.ts";
import type { Plan, PlanCommand } from "./plan.ts";
import { decodeText } from "./reverse-edit.ts";

/**
 * `--dry-run` output: a unified diff per file in git's layout (`--- a/etc/…`,
 * `+++ b/etc/…`, `/dev/null` for new and deleted files, a one-line summary for
 * binary content), then the commands. Secrets are masked on both sides before
 * diffing (redact.ts); a caller may pass another redactor, never none.
 */

export interface PreviewOptions {
  root: string;
  journalDir?: string;
  redact?: Redactor;
  /** How commands would run for this root (commands.ts); default: shown as planned. */
  commandOptions?: CommandOptions;
}

export async function previewPlan(plan: Plan, opts: PreviewOptions): Promise<string> {
  const { effects, unchanged } = await planEffects(plan, opts.root, {
    journalDir: opts.journalDir ?? DEFAULT_JOURNAL_DIR,
  });
  const redact = opts.redact ?? redactSecrets;
  const sections = effects.map((effect) => renderEffect(effect, redact));
  if (effects.length === 0)
    sections.push(`No file changes for ${plan.target}: everything is already in place.\n`);
  if (unchanged.length > 0) {
    sections.push(`Unchanged (already in place):\n${unchanged.map((c) => `  ${c.path}\n`).join("")}`);
  }
  if (effects.length > 0 && plan.commands.length > 0)
    sections.push(await renderCommands(plan.commands, opts));
  if (plan.notes.length > 0) sections.push(`Notes:\n${plan.notes.map((n) => `  - ${n}\n`).join("")}`);
  return sections.join("\n");
}

function renderEffect(effect: Effect, redact: Redactor): string {
  const reason = `# ${effect.change?.reason ?? "parent directory, created on the way"}\n`;
  switch (effect.op) {
    case "mkdir":
      return `${reason}mkdir ${effect.nodePath} (mode ${octal(effect.mode)})\n`;
    case "rmdir":
      return `${reason}rmdir ${effect.nodePath} (if empty)\n`;
    case "delete":
      return (
        reason +
        renderFileDiff(effect.nodePath, stateBytes(effect.before), null, { redact, mode: effect.mode })
      );
    case "write": {
      const before = effect.before.type === "file" ? stateBytes(effect.before) : null;
      return reason + renderFileDiff(effect.nodePath, before, effect.data!, { redact, mode: effect.mode });
    }
  }
}

/**
 * One file's unified diff. `before`/`after` null = the file does not exist on
 * that side. Text is UTF-8 without NUL; anything else is shown as binary.
 */
export function renderFileDiff(
  nodePath: string,
  before: Uint8Array | null,
  after: Uint8Array | null,
  opts: { redact?: Redactor; mode?: number } = {},
): string {
  const redact = opts.redact ?? redactSecrets;
  const rel = nodePath.replace(/^\/+/, "");
  const oldName = before === null ? "/dev/null" : `a/${rel}`;
  const newName = after === null ? "/dev/null" : `b/${rel}`;
  const fileMode = `100${octal(opts.mode ?? 0o644).slice(1)}`;
  const header =
    before === null ? `new file mode ${fileMode}\n` : after === null ? `deleted file mode ${fileMode}\n` : "";
  const oldText = before === null ? "" : decodeText(before);
  const newText = after === null ? "" : decodeText(after);
  if (oldText === null || newText === null) {
    return `${header}Binary files ${oldName} and ${newName} differ (${sizeOf(before)} → ${sizeOf(after)})\n`;
  }
  const shownOld = redact(oldText, nodePath);
  const shownNew = redact(newText, nodePath);
  if (shownOld === shownNew && before !== null && after !== null) {
    return `--- ${oldName}\n+++ ${newName}\n(changes only in redacted values)\n`;
  }
  const patch = createTwoFilesPatch(oldName, newName, shownOld, shownNew, undefined, undefined, {
    headerOptions: { includeIndex: false, includeUnderline: false, includeFileHeaders: true },
  });
  return header + patch;
}

async function renderCommands(commands: readonly PlanCommand[], opts: PreviewOptions): Promise<string> {
  const lines = ["Commands (after the files):"];
  for (const command of commands) {
    let shown = shellLine(command.argv);
    if (opts.commandOptions) {
      const resolved = await resolveCommand(command, opts.commandOptions).catch(() => null);
      if (resolved?.via) shown = shellLine(resolved.argv);
    }
    const when = command.kind === "restart" ? " (restart; runs only with --restart)" : "";
    lines.push(`  ${shown}    # ${command.reason}${when}`);
  }
  return `${lines.join("\n")}\n`;
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, "0")}`;
}

function sizeOf(bytes: Uint8Array | null): string {
  return bytes === null ? "absent" : `${bytes.length} bytes`;
}
