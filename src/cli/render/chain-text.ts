import type { CertificateView } from "../../chain/certificate-view.ts";
import type { ChainIssue } from "../../chain/chain-issue.ts";
import type { ChainOutput, ChainReport } from "../../chain/chain-report.ts";
import { oneLine } from "../../core/terminal-text.ts";
import type { Style } from "../style.ts";
import { severityLabel } from "./findings-text.ts";

/**
 * `regtrust chain` for a person: verdict, the chain as sent, what AIA
 * completion fetched, the verified path, the problems, what was written.
 */
export function renderChainText(report: ChainReport, style: Style): string {
  const lines: string[] = [verdictLine(report, style), ""];
  if (report.presented.length > 0) {
    lines.push(style.bold(presentedHeading(report)));
    for (const view of report.presented) lines.push(...certificateLines(view, style));
    lines.push("");
  }
  if (report.completion.requested && report.presented.length > 0)
    lines.push(...completionLines(report, style), "");
  if (report.path.length > 0) lines.push(pathLine(report, style), "");
  if (report.issues.length > 0) lines.push(style.bold("Problems"), ...renderIssues(report.issues, style));
  if (report.output) lines.push(...outputLines(report.output, style));
  return `${lines.join("\n").trimEnd()}\n`;
}

function verdictLine(report: ChainReport, style: Style): string {
  const where = style.bold(report.target.registry);
  const errors = report.issues.filter((i) => i.severity === "error");
  const warnings = report.issues.filter((i) => i.severity === "warning").length;
  const warn = warnings > 0 ? `; ${warnings} warning${warnings === 1 ? "" : "s"}` : "";
  if (report.ok) return `${style.green("✓ OK")}  ${where}: the chain as sent is complete and in order${warn}`;
  const kinds = [...new Set(errors.map((e) => e.kind))].join(", ");
  const count = `${errors.length} error${errors.length === 1 ? "" : "s"}`;
  return `${style.red("✗ FAIL")}  ${where}: ${count} (${kinds})${warn}`;
}

function presentedHeading(report: ChainReport): string {
  const n = report.presented.length;
  const conn = report.connection;
  const via = conn ? ` (${[conn.protocol, conn.address].filter(Boolean).join(", ")})` : "";
  return `Chain as sent by ${report.target.registry}${via}: ${n} certificate${n === 1 ? "" : "s"}`;
}

function tags(view: CertificateView): string {
  const list = [view.isCA ? "CA" : "leaf", view.selfSigned ? "self-signed" : null].filter(Boolean);
  return `[${list.join(", ")}]`;
}

function validity(view: CertificateView, style: Style): string {
  const range = `${view.notBefore.slice(0, 10)} → ${view.notAfter.slice(0, 10)}`;
  if (view.daysLeft < 0) return `${range} ${style.red(`(expired ${-view.daysLeft} days ago)`)}`;
  const left = `(${view.daysLeft} day${view.daysLeft === 1 ? "" : "s"} left)`;
  return `${range} ${view.daysLeft < 30 ? style.yellow(left) : left}`;
}

/** One certificate, every field the issue asks for; shared with `inspect`. */
export function certificateLines(
  view: CertificateView,
  style: Style,
  extra: [string, string][] = [],
): string[] {
  const field = (name: string, value: string) => `      ${name.padEnd(10)} ${oneLine(value)}`;
  const lines = [`  #${view.position}  ${style.bold(oneLine(view.subject))}  ${tags(view)}`];
  if (view.origin.source === "aia") lines.push(field("fetched", `from ${view.origin.url}`));
  for (const [name, value] of extra) lines.push(field(name, value));
  lines.push(field("issuer", view.issuer));
  lines.push(`      ${"valid".padEnd(10)} ${validity(view, style)}`);
  if (view.sans.length > 0) lines.push(field("SANs", view.sans.join(", ")));
  lines.push(field("key", `${view.key}, signed with ${view.signatureAlgorithm}`));
  lines.push(field("serial", view.serial));
  lines.push(style.dim(field("sha256", view.sha256)));
  for (const url of view.aiaIssuers) lines.push(field("AIA", url));
  return lines;
}

function completionLines(report: ChainReport, style: Style): string[] {
  const { fetched, reachedRoot } = report.completion;
  const n = fetched.length;
  const outcome = reachedRoot ? "reached a self-signed root" : style.yellow("did not reach a root");
  const heading = `Completed through AIA (--complete): ${n} certificate${n === 1 ? "" : "s"} fetched, ${outcome}`;
  const lines = [style.bold(heading)];
  for (const view of fetched) lines.push(...certificateLines(view, style));
  return lines;
}

function pathLine(report: ChainReport, style: Style): string {
  const all = [...report.presented, ...report.completion.fetched];
  const name = (p: number) => {
    const view = all.find((v) => v.position === p);
    const cn = view?.subject.match(/CN=([^,]+)/)?.[1] ?? view?.subject ?? "?";
    return `#${p} ${oneLine(cn)}`;
  };
  const chain = report.path.map(name).join(" → ");
  const end = report.root ? " (self-signed root)" : style.yellow(" → ? (issuer not available)");
  const verified = report.path.length > 1 ? "; every signature verified" : "";
  return `${style.bold("Chain")}  ${chain}${end}${verified}`;
}

/** Issues as text, errors first (the report is already sorted). */
export function renderIssues(issues: readonly ChainIssue[], style: Style): string[] {
  const lines: string[] = [];
  for (const i of issues) {
    const label = severityLabel(i.severity, style);
    const where = i.position !== null ? style.dim(`  (#${i.position})`) : "";
    lines.push(`  ${label}  ${style.bold(i.kind)}${where}`, `         ${oneLine(i.message)}`, "");
  }
  return lines;
}

function outputLines(output: ChainOutput, style: Style): string[] {
  const n = output.certificates.length;
  const what = output.rootOnly ? "the root only" : `${n} certificate${n === 1 ? "" : "s"}, leaf first`;
  const where = output.file === "-" ? "standard output" : output.file;
  const lines = [style.bold(`Wrote ${where} (${what}); SHA-256 fingerprints for out-of-band comparison:`)];
  for (const c of output.certificates) lines.push(`  #${c.position}  ${c.sha256}  ${oneLine(c.subject)}`);
  if (output.warning) lines.push("", style.red(style.bold(`WARNING: ${output.warning}`)));
  return lines;
}
