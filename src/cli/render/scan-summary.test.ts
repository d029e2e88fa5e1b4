import assert from "node:assert/strict";
import { test } from "node:test";
import type { DiagnoseResult } from "../../diagnose/result.ts";
import type { Finding } from "../../findings/finding.ts";
import { ScanTally } from "../../scan/scan-tally.ts";
import { renderScanSummary } from "./scan-summary.ts";

function outcome(registry: string, findings: Array<Pick<Finding, "code" | "severity">>, ms: number) {
  const result = {
    target: { registry },
    findings: findings.map((f) => ({ ...f, message: "", fix: [] })),
  } as unknown as DiagnoseResult;
  return { result, ms };
}

test("summary: FAIL with the first error finding's code, WARN with the warnings' codes, then a count line", () => {
  const tally = new ScanTally(true);
  for (const o of [
    outcome("repo.example.com:5000", [{ code: "expiring-soon", severity: "warning" }], 12),
    outcome(
      "other.example.com",
      [
        { code: "expiring-soon", severity: "warning" },
        { code: "timeout", severity: "error" },
        { code: "plain-http", severity: "error" },
      ],
      1500,
    ),
  ])
    tally.add(o);
  const text = renderScanSummary(tally);
  assert.equal(
    text,
    [
      "REGISTRY               VERDICT  FINDING          MS",
      "repo.example.com:5000  WARN     expiring-soon    12",
      "other.example.com      FAIL     timeout        1500",
      "2 registries scanned: 0 ok, 1 with warnings, 1 failing",
      "",
    ].join("\n"),
  );
});
