import type { InspectedCertificate, InspectReport } from "../../chain/inspect-bundle.ts";
import { oneLine } from "../../core/terminal-text.ts";
import type { Style } from "../style.ts";
import { certificateLines, renderIssues } from "./chain-text.ts";

/** Above this many self-signed roots the listing is one line per certificate. */
const COMPACT_ROOTS = 5;

const FORMAT_NAMES: Record<InspectReport["format"], string> = {
  pem: "PEM",
  der: "DER (one binary certificate)",
  pkcs7: "PKCS#7 (certs-only SignedData)",
  mixed: "mixed PEM and PKCS#7",
};

/** `regtrust inspect` for a person: what the file is, every certificate, how they relate, what is odd. */
export function renderInspectText(report: InspectReport, style: Style): string {
  const lines: string[] = [headline(report, style), goLine(report, style), ""];
  const compact = report.order === "roots" && report.count > COMPACT_ROOTS;
  if (compact) lines.push(...report.certificates.map((c) => compactLine(c, report.count, style)));
  else
    for (const cert of report.certificates)
      lines.push(...certificateLines(cert, style, relationFields(cert)));
  lines.push("");
  if (report.issues.length > 0) lines.push(style.bold("Problems"), ...renderIssues(report.issues, style));
  else lines.push(style.green("Nothing odd found."));
  return `${lines.join("\n").trimEnd()}\n`;
}

function headline(report: InspectReport, style: Style): string {
  const mark = report.ok ? style.green("✓") : style.red("✗");
  const keys =
    report.privateKeys > 0
      ? `, ${style.yellow(`${report.privateKeys} private key${report.privateKeys === 1 ? "" : "s"} (not shown)`)}`
      : "";
  const n = report.count;
  return `${mark} ${style.bold(report.file)}: ${FORMAT_NAMES[report.format]}, ${n} certificate${n === 1 ? "" : "s"}${keys} — ${report.summary}`;
}

function goLine(report: InspectReport, style: Style): string {
  const text = `  Go runtimes (containerd, Docker, CRI-O, k3s) would load ${report.goLoads} of ${report.count} as CA certificates`;
  return report.goLoads < report.count ? style.yellow(text) : style.dim(text);
}

function relationFields(cert: InspectedCertificate): [string, string][] {
  if (cert.duplicateOf !== null) return [["same as", `#${cert.duplicateOf}`]];
  if (cert.selfSigned) return [["issued by", "itself (self-signed)"]];
  return [["issued by", cert.issuedBy !== null ? `#${cert.issuedBy}` : "not in this file"]];
}

function compactLine(cert: InspectedCertificate, count: number, style: Style): string {
  const width = String(count).length;
  const date = cert.notAfter.slice(0, 10);
  const expiry = cert.daysLeft < 0 ? style.red(`EXPIRED  ${date}`) : `valid to ${date}`;
  return `  #${String(cert.position).padEnd(width)}  ${expiry}  ${cert.key.padEnd(14)}  ${oneLine(cert.subject)}`;
}
