import { oneLine } from "../../core/terminal-text.ts";
import type { Severity } from "../../findings/codes.ts";
import type { Finding } from "../../findings/finding.ts";
import type { Style } from "../style.ts";

/** A fixed-width, coloured severity tag shared by every report. */
export function severityLabel(severity: Severity, style: Style): string {
  if (severity === "error") return style.red("ERROR");
  if (severity === "warning") return style.yellow("WARN ");
  return "INFO ";
}

/** Findings as text, errors first; shared by diagnose, trust and audit. */
export function renderFindings(findings: readonly Finding[], style: Style): string[] {
  const lines: string[] = [];
  for (const f of findings) {
    const label = severityLabel(f.severity, style);
    const scope = f.contexts?.length ? style.dim(`  [${f.contexts.join(", ")}]`) : "";
    lines.push(`  ${label}  ${style.bold(f.code)}${scope}`);
    lines.push(`         ${oneLine(f.message)}`);
    if (f.file) lines.push(`         file: ${oneLine(f.file)}${f.line ? `:${f.line}` : ""}`);
    for (const e of f.evidence ?? []) lines.push(style.dim(`         evidence: ${oneLine(e)}`));
    for (const [i, step] of f.fix.entries()) lines.push(`         ${i === 0 ? "fix:" : "    "} ${step}`);
    lines.push("");
  }
  return lines;
}
