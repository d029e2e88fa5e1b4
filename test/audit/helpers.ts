import type { AuditOptions, AuditReport } from "../../src/audit/audit.ts";
import { auditNode } from "../../src/audit/audit.ts";
import type { Finding } from "../../src/findings/finding.ts";
import { makeNodeRoot, type NodeEntry, type TestNode } from "../../src/node/testing/node-root.ts";
import { loadYamlParser } from "../../src/node/yaml-parser.ts";
import { NOW } from "./fixtures.ts";

// The k3s readers take the parser the commands load on demand (node/yaml-parser.ts).
await loadYamlParser();

/** Audits a throwaway node built from `entries`; `prepare` may chmod/utime before the audit. */
export function auditOf(
  entries: Record<string, NodeEntry>,
  opts: Partial<AuditOptions> = {},
  prepare: (node: TestNode) => Partial<AuditOptions> | undefined = () => undefined,
): AuditReport {
  const node = makeNodeRoot(entries);
  try {
    const extra = prepare(node) ?? {};
    return auditNode(node.fs, {
      now: NOW,
      expiringDays: 30,
      procRoot: `${node.root}/no-proc`,
      ...opts,
      ...extra,
    });
  } finally {
    node.cleanup();
  }
}

export function withCode(report: AuditReport, code: Finding["code"]): Finding[] {
  return report.findings.filter((f) => f.code === code);
}

export function describeFindings(report: AuditReport): string {
  return report.findings
    .map((f) => `${f.severity} ${f.code} ${f.file}:${f.line ?? ""} ${f.message}`)
    .join("\n");
}
