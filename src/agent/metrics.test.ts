import assert from "node:assert/strict";
import { test } from "node:test";
import type { DiagnoseResult } from "../diagnose/result.ts";
import type { Certificate } from "../pki/certificate.ts";
import { renderMetrics } from "./metrics.ts";

const now = new Date("2026-03-01T10:00:00Z");
const result = (ok: boolean, insecure: boolean) =>
  ({
    ok,
    presented: [{ notAfter: "2026-03-11T10:00:00.000Z" }],
    contexts: [
      {
        name: "containerd",
        insecure,
        ...(insecure ? { insecureExpiresAt: "2026-03-01T09:00:00.000Z" } : {}),
      },
    ],
  }) as unknown as DiagnoseResult;

test("metrics: per-registry gauges in the Prometheus text format, label values escaped", () => {
  const text = renderMetrics(
    {
      results: new Map([
        ["repo.example.com:5000", result(true, false)],
        ['odd"name', result(false, true)],
      ]),
      ca: [{ notAfter: new Date("2026-03-02T10:00:00Z") } as Certificate],
      lastCheck: now,
      cycles: 3,
      cycleErrors: 1,
      intervalSeconds: 300,
      startupTaint: true,
    },
    now,
  );
  const lines = text.split("\n");
  for (const expected of [
    "# TYPE regtrust_registry_trusted gauge",
    'regtrust_registry_trusted{registry="repo.example.com:5000"} 1',
    'regtrust_registry_trusted{registry="odd\\"name"} 0',
    'regtrust_registry_insecure_overrides{registry="odd\\"name"} 1',
    'regtrust_server_certificate_expiry_seconds{registry="repo.example.com:5000"} 864000',
    "regtrust_ca_expiry_seconds 86400",
    `regtrust_last_check_timestamp_seconds ${now.getTime() / 1000}`,
    `regtrust_insecure_override_expiry_timestamp_seconds{registry="odd\\"name"} ${now.getTime() / 1000 - 3600}`,
    "regtrust_check_interval_seconds 300",
    "regtrust_startup_taint_present 1",
    "regtrust_cycles_total 3",
    "regtrust_cycle_errors_total 1",
  ]) {
    assert.ok(lines.includes(expected), `missing: ${expected}\n${text}`);
  }
});
