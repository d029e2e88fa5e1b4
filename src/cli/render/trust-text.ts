import { oneLine } from "../../core/terminal-text.ts";
import { GO_DAEMONS_CACHE_ROOTS_NOTE } from "../../node/system/system-store-plan.ts";
import { type CommandOutcome, shellLine } from "../../plan/commands.ts";
import type { ContextReport, TrustReport } from "../../trust/report.ts";
import type { Style } from "../style.ts";
import { renderFindings } from "./findings-text.ts";

export interface TrustTextOptions {
  /** Every effect and command in full, and the general notes; the default is a short summary. */
  verbose?: boolean;
}

/** Notes said on every run of their kind; printed with --verbose only (always in --json). */
const GENERAL_NOTES = new Set([GO_DAEMONS_CACHE_ROOTS_NOTE]);

/**
 * `regtrust trust|untrust|insecure` as text, in the order things happened:
 * what was planned per context, the diff (dry run) or what was applied, the
 * commands run and still to run, then the verification per context.
 * By default a successful run fits in about 15 lines (issue #17): one line
 * per CA, the changed files per context, one summary line for the effects
 * and commands that went well, the verification and the verdict. Failures,
 * commands left to run and specific notes are always shown in full.
 */
export function renderTrustText(report: TrustReport, style: Style, opts: TrustTextOptions = {}): string {
  const verbose = opts.verbose === true;
  const lines: string[] = [headline(report, style), ""];
  // Nothing planned for any context (untrust of a registry regtrust never touched, --remove-insecure
  // with no override): the note says so; no empty sections and no verdict about nothing.
  if (report.contexts.length === 0 && !report.changed) {
    for (const line of report.expiredRemoved) lines.push(style.yellow(line));
    return `${[...lines, ...report.notes].join("\n").trimEnd()}\n`;
  }
  if (report.ca) lines.push(...caLines(report.ca, verbose, style), "");
  if (report.rotation) lines.push(...rotationLines(report, style));
  for (const line of report.expiredRemoved) lines.push(style.yellow(line));
  if (report.expiredRemoved.length > 0) lines.push("");
  lines.push(style.bold(report.dryRun ? "Planned (dry run: nothing was changed)" : "Changes per context"));
  const width = Math.max(10, ...report.contexts.map((c) => c.name.length));
  for (const c of report.contexts) lines.push(...plannedLines(c, width, report.changed, report.commands));
  lines.push("");
  // A dry run's preview already lists the commands and notes.
  if (report.preview !== null)
    return `${[...lines, style.bold("Diff"), report.preview].join("\n").trimEnd()}\n`;
  if (verbose) lines.push(...appliedLines(report, style), ...commandLines(report.commands, style));
  else lines.push(...summaryLines(report, style));
  // untrust --ca keeps other anchors: whether the registry still verifies matters then.
  if (report.action !== "untrust" || (report.rotation && report.rotation.after.length > 0))
    lines.push(...verificationLines(report, width, style));
  const notes = verbose ? report.notes : report.notes.filter((n) => !GENERAL_NOTES.has(n));
  if (notes.length > 0) {
    lines.push(style.bold("Notes"), ...notes.map((n) => `  - ${n}`), "");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

function caLines(ca: NonNullable<TrustReport["ca"]>, verbose: boolean, style: Style): string[] {
  if (verbose) {
    const lines = [style.bold("CA"), `  from ${ca.source}`];
    for (const c of ca.certificates)
      lines.push(`  ${oneLine(c.subject)}`, style.dim(`    SHA256 ${c.sha256}`));
    return lines;
  }
  // One line per certificate: the name and enough of the fingerprint to compare with the PKI team's.
  return ca.certificates.map(
    (c, i) =>
      `${i === 0 ? style.bold("CA") : "  "}  ${oneLine(c.subject)}  ${style.dim(`SHA256 ${c.sha256.slice(0, 23)}…`)}${i === 0 ? style.dim(`  from ${ca.source}`) : ""}`,
  );
}

/**
 * The default view of what happened: one line counting the effects and naming
 * the commands that ran; commands that failed or are left to run in full.
 */
function summaryLines(report: TrustReport, style: Style): string[] {
  if (!report.changed) return [style.dim("Nothing changed: everything was already in place."), ""];
  const count = (op: string) => report.effects.filter((e) => e.done && e.op === op).length;
  const parts = [
    plural(count("write"), "file written", "files written"),
    plural(count("delete"), "file removed", "files removed"),
    plural(count("mkdir"), "directory created", "directories created"),
    plural(count("rmdir"), "directory removed", "directories removed"),
  ].filter((p) => p !== null);
  const ran = report.commands.filter((c) => c.status === "ok").map((c) => shellLine(c.planned));
  const ranText = ran.length > 0 ? `; ran ${ran.join(", ")}` : "";
  const lines = [
    `${style.bold("Applied")}  ${parts.join(", ")}${ranText}  ${style.dim("(each one: --verbose)")}`,
  ];
  const rest = report.commands.filter((c) => c.status !== "ok");
  if (rest.length > 0) lines.push(...commandLines(rest, style).slice(1, -1));
  return [...lines, ""];
}

function plural(n: number, one: string, many: string): string | null {
  return n === 0 ? null : `${n} ${n === 1 ? one : many}`;
}

/** trust --replace / untrust --ca: how the set of anchors regtrust installed for the registry changes. */
function rotationLines(report: TrustReport, style: Style): string[] {
  const r = report.rotation!;
  const when = report.dryRun ? "after applying" : "after this run";
  const lines = [style.bold(`CAs regtrust installs for ${report.target}: ${r.after.length} ${when}`)];
  for (const sha of r.added) lines.push(`  added    SHA256 ${sha}`);
  for (const sha of r.removed) lines.push(`  retired  SHA256 ${sha}`);
  const kept = r.after.filter((s) => !r.added.includes(s)).length;
  if (kept > 0) lines.push(style.dim(`  kept     ${kept} unchanged`));
  if (r.added.length === 0 && r.removed.length === 0) lines.push(style.dim("  no change to the set"));
  return [...lines, ""];
}

function headline(report: TrustReport, style: Style): string {
  const what =
    report.action === "trust"
      ? "trust"
      : report.action === "untrust"
        ? "untrust"
        : style.red(`INSECURE until ${report.expiresAt}`);
  const dry = report.dryRun ? style.dim(" (dry run)") : "";
  return `${style.bold(`regtrust ${report.action === "insecure" ? "insecure" : what}`)} ${report.target}${dry}${report.action === "insecure" ? `: ${what}` : ""}`;
}

function plannedLines(
  c: ContextReport,
  width: number,
  changed: boolean,
  commands: readonly CommandOutcome[],
): string[] {
  const restart = c.restart ? `  (needs: ${restartLine(c.restart, commands)})` : "";
  if (c.changes.length === 0) {
    return [`  ${c.name.padEnd(width)}  ${changed ? "no change" : "already in place"}${restart}`];
  }
  // The note goes on the file that needs the restart (config.toml), else on the last one.
  const at = c.restartFile && c.changes.includes(c.restartFile) ? c.restartFile : c.changes.at(-1);
  return c.changes.map(
    (p, i) => `  ${(i === 0 ? c.name : "").padEnd(width)}  ${p}${p === at ? restart : ""}`,
  );
}

/** The planned restart (or reload) command of a unit, as a line to run. */
function restartLine(unit: string, commands: readonly CommandOutcome[]): string {
  const command = commands.find((c) => c.kind === "restart" && c.planned.at(-1) === unit);
  return shellLine(command?.planned ?? ["systemctl", "restart", unit]);
}

function appliedLines(report: TrustReport, style: Style): string[] {
  if (!report.changed) return [style.dim("Nothing changed: everything was already in place."), ""];
  const verbs: Record<string, string> = {
    write: "wrote",
    delete: "removed",
    mkdir: "created",
    rmdir: "removed",
  };
  const lines = [style.bold("Applied")];
  for (const e of report.effects) {
    if (!e.done && e.op === "rmdir") lines.push(style.dim(`  kept    ${e.path} (not empty)`));
    else if (e.done) lines.push(`  ${(verbs[e.op] ?? e.op).padEnd(7)} ${e.path}`);
  }
  return [...lines, ""];
}

function commandLines(commands: readonly CommandOutcome[], style: Style): string[] {
  if (commands.length === 0) return [];
  const lines = [style.bold("Commands")];
  for (const c of commands) {
    if (c.status === "ok") lines.push(`  ${style.green("ran")}     ${(c.ran ?? c.planned).join(" ")}`);
    else if (c.status === "failed") {
      lines.push(`  ${style.red("FAILED")}  ${(c.ran ?? c.planned).join(" ")} (exit ${c.exitCode ?? "?"})`);
      if (c.detail) lines.push(style.dim(`          ${c.detail.split("\n").slice(-3).join("\n          ")}`));
    } else {
      lines.push(`  ${style.yellow("to run")}  ${c.manual}    # ${c.reason}`);
      lines.push(style.dim(`          (${c.detail})`));
    }
  }
  return [...lines, ""];
}

function verificationLines(report: TrustReport, width: number, style: Style): string[] {
  const lines = [style.bold("Verification (fresh read of the node)")];
  for (const c of report.contexts) {
    const mark = c.verified ? style.green("✓") : c.restart ? style.yellow("…") : style.red("✗");
    const restart = c.restart
      ? style.yellow(` — waiting for: ${restartLine(c.restart, report.commands)}`)
      : "";
    lines.push(`  ${mark} ${c.name.padEnd(width)}  ${c.detail}${restart}`);
  }
  // Only findings about the contexts this run changed (or about all of them).
  const names = new Set<string>(report.contexts.map((c) => c.name));
  const findings = (report.diagnosis?.findings ?? []).filter(
    (f) => f.severity !== "info" && (f.contexts === undefined || f.contexts.some((c) => names.has(c))),
  );
  if (findings.length > 0) lines.push("", ...renderFindings(findings, style).slice(0, -1));
  const pending = report.contexts.filter((c) => c.restart);
  const failing = report.contexts.filter((c) => !c.verified && !c.restart);
  const verdict =
    report.action === "insecure" && failing.length === 0
      ? style.yellow(`! verification is OFF for ${report.target} until ${report.expiresAt}`)
      : failing.length > 0
        ? style.red(`✗ not verified: ${failing.map((c) => c.name).join(", ")}`)
        : pending.length > 0
          ? style.yellow(
              `✓ done; waiting for a restart of ${[...new Set(pending.map((c) => c.restart))].join(", ")}`,
            )
          : style.green("✓ verified");
  return [...lines, "", verdict, ""];
}
