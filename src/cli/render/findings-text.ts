import type { Finding } from "../../findings/finding.ts";
import type { Style } from "../style.ts";

/** Findings as text, errors first; shared by diagnose, trust and audit. */
export function renderFindings(findings: readonly Finding[], style: Style): string[] {
  const lines: string[] = [];
  for (const f of findings) {
    const label =
      f.severity === "error"
        ? style.red("ERROR")
        : f.severity === "warning"
          ? style.yellow("WARN ")
          : "INFO ";
    const scope = f.contexts?.length ? style.dim(`  [${f.contexts.join(", ")}]`) : "";
    lines.push(`  ${label}  ${style.bold(f.code)}${scope}`);
    lines.push(`         ${f.message}`);
    if (f.file) lines.push(`         file: ${f.file}${f.line ? `:${f.line}` : ""}`);
    for (const e of f.evidence ?? []) lines.push(style.dim(`         evidence: ${e}`));
    for (const [i, step] of f.fix.entries()) lines.push(`         ${i === 0 ? "fix:" : "    "} ${step}`);
    lines.push("");
  }
  return lines;
}
