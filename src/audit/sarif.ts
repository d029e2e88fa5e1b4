import { oneLine } from "../core/terminal-text.ts";
import type { Severity } from "../findings/codes.ts";
import type { Finding } from "../findings/finding.ts";
import type { AuditReport } from "./audit.ts";

/** The subset of SARIF 2.1.0 (OASIS) that code-scanning pipelines read. */
export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: SarifRun[];
}

interface SarifRun {
  tool: { driver: { name: string; version: string; informationUri: string; rules: SarifRule[] } };
  originalUriBaseIds: Record<string, { uri: string }>;
  results: SarifResult[];
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  defaultConfiguration: { level: SarifLevel };
}

type SarifLevel = "error" | "warning" | "note";

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId: string };
      region?: { startLine: number };
    };
  }[];
  properties?: { evidence?: string[]; fix?: string[]; contexts?: string[] };
}

const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
const LEVEL: Record<Severity, SarifLevel> = { error: "error", warning: "warning", info: "note" };

/**
 * An audit as SARIF 2.1.0: one rule per finding code, one result per finding,
 * file paths relative to the node root (uriBaseId NODEROOT) so results from
 * different nodes line up.
 */
export function toSarif(report: AuditReport, toolVersion: string): SarifLog {
  const codes = [...new Set(report.findings.map((f) => f.code))].sort();
  const rules = codes.map((code) => ruleFor(code, report.findings));
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "regtrust",
            version: toolVersion,
            informationUri: "https://github.com/regtrust/regtrust",
            rules,
          },
        },
        originalUriBaseIds: { NODEROOT: { uri: "file:///" } },
        results: report.findings.map((f) => resultFor(f, codes.indexOf(f.code))),
      },
    ],
  };
}

function ruleFor(code: string, findings: readonly Finding[]): SarifRule {
  const worst = findings.filter((f) => f.code === code).some((f) => f.severity === "error")
    ? "error"
    : "warning";
  return {
    id: code,
    name: code.replace(/(^|-)([a-z])/g, (_, _dash: string, c: string) => c.toUpperCase()),
    shortDescription: { text: `regtrust finding: ${code}` },
    defaultConfiguration: { level: worst },
  };
}

function resultFor(f: Finding, ruleIndex: number): SarifResult {
  const uri = (f.file ?? "/").replace(/^\/+/, "");
  return {
    ruleId: f.code,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: oneLine(f.message) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(uri), uriBaseId: "NODEROOT" },
          ...(f.line ? { region: { startLine: f.line } } : {}),
        },
      },
    ],
    properties: {
      ...(f.evidence ? { evidence: f.evidence.map(oneLine) } : {}),
      fix: f.fix.map(oneLine),
      ...(f.contexts ? { contexts: f.contexts } : {}),
    },
  };
}
