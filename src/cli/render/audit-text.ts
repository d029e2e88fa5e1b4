import type { AuditReport } from "../../audit/audit.ts";
import type { Style } from "../style.ts";
import { renderFindings } from "./findings-text.ts";

/** Audit as text: one-line summary first, then findings grouped by severity (errors first). */
export function renderAuditText(report: AuditReport, style: Style): string {
  const { error, warning, info } = report.summary;
  const registries = report.registries.length;
  const scope = `${registries} registr${registries === 1 ? "y" : "ies"} configured under ${report.root}`;
  const lines: string[] = [];
  if (error + warning + info === 0) {
    lines.push(
      `${style.green("✓ clean")}  no insecure setting, broken CA file or config trap found (${scope})`,
    );
    return `${lines.join("\n")}\n`;
  }
  const mark = error > 0 ? style.red("✗ FAIL") : style.yellow("! WARN");
  lines.push(
    `${mark}  ${error} error${error === 1 ? "" : "s"}, ${warning} warning${warning === 1 ? "" : "s"}, ${info} info (${scope})`,
    "",
  );
  for (const severity of ["error", "warning", "info"] as const) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push(
      style.bold(
        `${severity === "error" ? "Errors" : severity === "warning" ? "Warnings" : "Info"} (${group.length})`,
      ),
    );
    lines.push(...renderFindings(group, style));
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
