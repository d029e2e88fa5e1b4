import { oneLine } from "../../core/terminal-text.ts";
import type { ContextResult, DiagnoseResult, PresentedCertificate } from "../../diagnose/result.ts";
import type { Finding } from "../../findings/finding.ts";
import type { RulesApplied } from "../../node/types.ts";
import { goMinor } from "../../pki/go-rules.ts";
import type { Style } from "../style.ts";
import { renderFindings } from "./findings-text.ts";

/**
 * Human view of a diagnosis, in the order a tired operator reads it:
 * verdict, per-runtime lines, the chain as the server sent it, the fix.
 */
export function renderDiagnoseText(result: DiagnoseResult, style: Style): string {
  const lines: string[] = [];
  lines.push(verdictLine(result, style), "");
  lines.push(style.bold("Trust contexts on this node"));
  const width = Math.max(...result.contexts.map((c) => c.name.length));
  for (const context of result.contexts) lines.push(...contextLines(context, width, style));
  lines.push("");
  if (result.presented.length > 0) {
    lines.push(style.bold(chainHeading(result)));
    for (const [index, cert] of result.presented.entries())
      lines.push(...certificateLines(cert, index, style));
    lines.push("");
  }
  if (result.registry) {
    const r = result.registry;
    const realm = r.authRealm ? `, token realm ${r.authRealm}` : "";
    lines.push(
      `${style.bold("Registry")}  GET /v2/ → ${r.status ?? "no answer"}${r.apiVersion ? ` (${r.apiVersion})` : ""}${oneLine(realm)}`,
      "",
    );
  }
  if (result.findings.length > 0) {
    lines.push(style.bold("Findings"), ...renderFindings(result.findings, style));
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

function verdictLine(result: DiagnoseResult, style: Style): string {
  const where = result.target.registry;
  const errors = result.findings.filter((f) => f.severity === "error");
  const warnings = result.findings.filter((f) => f.severity === "warning");
  // A context that skips verification pulls, but verifies nothing: never listed as verifying.
  const skipping = result.contexts.filter((c) => c.ok && c.insecure).map((c) => c.name);
  if (result.ok) {
    // ok means every runtime pulls; a context outside that verdict (the host's own
    // store next to a runtime) may still fail and must not be listed as verifying.
    const names = result.contexts.filter((c) => c.ok && !c.insecure && !c.restart).map((c) => c.name);
    const waiting = result.contexts.filter((c) => c.ok && c.restart);
    const notVerifying = result.contexts.filter((c) => !c.ok).map((c) => c.name);
    const not = notVerifying.length ? `; ${notVerifying.join(", ")} does not verify` : "";
    const warn = warnings.length ? `; ${warnings.length} warning${warnings.length === 1 ? "" : "s"}` : "";
    if (waiting.length > 0) {
      const verify = names.length ? `pulls verify for ${names.join(", ")}; ` : "";
      const each = waiting.map((c) => `${c.name} once restarted (${c.restart?.command})`).join(", ");
      return `${style.yellow("? RESTART")}  ${style.bold(where)}: ${verify}${each} — regtrust cannot confirm the restart happened${warn}`;
    }
    if (skipping.length > 0) {
      const verify = names.length ? `; verify for ${names.join(", ")}` : "";
      return `${style.yellow("! INSECURE")}  ${style.bold(where)}: pulls work but ${skipping.join(", ")} skip${skipping.length === 1 ? "s" : ""} verification${verify}${not}${warn}`;
    }
    return `${style.green("✓ OK")}  ${style.bold(where)}: pulls verify for ${names.join(", ")}${not}${warn}`;
  }
  const first = errors[0] as Finding | undefined;
  const failing = result.contexts.filter((c) => !c.ok).map((c) => c.name);
  const who = failing.length
    ? `${failing.join(", ")} cannot pull`
    : skipping.length
      ? `${skipping.join(", ")} skip${skipping.length === 1 ? "s" : ""} verification`
      : "pulls fail";
  const headline = `${style.red("✗ FAIL")}  ${style.bold(where)}: ${who}${first ? ` — ${style.bold(first.code)}` : ""}`;
  return first ? `${headline}\n        ${oneLine(first.message)}` : headline;
}

function contextLines(context: ContextResult, width: number, style: Style): string[] {
  const unconfirmed = context.ok && context.restart?.status === "unconfirmed";
  const mark = context.ok
    ? context.insecure
      ? style.yellow("!")
      : unconfirmed
        ? style.yellow("?")
        : style.green("✓")
    : style.red("✗");
  const status = context.ok
    ? context.insecure
      ? style.yellow("verification skipped (insecure)")
      : unconfirmed
        ? `verifies once restarted (${oneLine(context.restart?.command ?? "")}; restart not confirmed)`
        : "verifies"
    : oneLine(context.error ?? "fails");
  const lines = [`  ${mark} ${context.name.padEnd(width)}  ${status}`];
  const pad = " ".repeat(width + 6);
  if (context.summary) lines.push(style.dim(`${pad}${context.summary}`));
  if (context.anchors.length > 0) {
    const label = context.ok && !context.insecure ? "anchored by" : "trusts";
    lines.push(style.dim(`${pad}${label}: ${context.anchors.join(", ")}`));
  }
  const rules = rulesText(context.resolved?.rules, context.go);
  if (rules) lines.push(style.dim(`${pad}${rules}`));
  return lines;
}

/** Which runtime version's rules the verdict uses, and whether that had to be assumed. */
/**
 * One line: whose rules the verdict above follows — the runtime release
 * (package database) and the Go its binary was built with (Go build info) —
 * and which of them had to be assumed because the node does not say.
 */
function rulesText(rules: RulesApplied | undefined, go: ContextResult["go"]): string | null {
  const parts: string[] = [];
  if (rules) {
    parts.push(
      rules.assumed
        ? `${rules.rules} (assumed)`
        : `${rules.rules} (${rules.runtimeVersion} from ${rules.versionSource})`,
    );
  }
  if (go) parts.push(goRulesText(go));
  if (parts.length === 0) return null;
  const assumed = Boolean(rules?.assumed) || Boolean(go?.assumed);
  return `rules: ${parts.join(", ")}${assumed ? "; assumed = not found on the node, newest known" : ""}`;
}

/** The Go part of the rules line: the version, where it was read, and what its DefaultGODEBUG keeps. */
export function goRulesText(go: NonNullable<ContextResult["go"]>): string {
  if (go.assumed) return `${go.version} (assumed)`;
  const debug = [
    go.rules.rejectsNegativeSerial ? null : "negative serials accepted",
    go.rules.rsaMinimumBits === 0 && (goMinor(go.version) ?? 0) >= 24
      ? "RSA keys under 1024 bits accepted"
      : null,
  ].filter(Boolean);
  const godebug =
    go.defaultGodebug && debug.length > 0 ? `; its DefaultGODEBUG keeps ${debug.join(", ")}` : "";
  return `${go.version} from ${go.source}${godebug}`;
}

function chainHeading(result: DiagnoseResult): string {
  const n = result.presented.length;
  const conn = result.connection;
  const via = conn ? ` (${[conn.protocol, conn.address].filter(Boolean).join(", ")})` : "";
  return `Chain as sent by ${result.target.registry}${via}: ${n} certificate${n === 1 ? "" : "s"}`;
}

function certificateLines(cert: PresentedCertificate, index: number, style: Style): string[] {
  const tags = [cert.isCA ? "CA" : null, cert.selfSigned ? "self-signed" : null].filter(Boolean);
  const tagText = tags.length ? `  [${tags.join(", ")}]` : "";
  // Numbered from 1, as chain and inspect number them.
  const lines = [`  #${index + 1}  ${style.bold(oneLine(cert.subject))}${tagText}`];
  lines.push(`       issuer  ${oneLine(cert.issuer)}`);
  lines.push(`       valid   ${cert.notBefore.slice(0, 10)} → ${cert.notAfter.slice(0, 10)}`);
  if (cert.sans.length > 0) lines.push(`       SANs    ${cert.sans.map(oneLine).join(", ")}`);
  lines.push(style.dim(`       sha256  ${cert.sha256}`));
  return lines;
}
