/**
 * `k8s manifests --monitoring`: the PrometheusRule's rules checked by Debian's
 * promtool (`check rules`) and unit-tested with `promtool test rules`
 * (fixtures/regtrust-alerts.test.yaml: every alert fired by one series and not
 * by another); the PrometheusRule and PodMonitor validated against
 * prometheus-operator's own CRDs (fixtures/prometheus-operator, v0.93.0); the
 * alerts use only metrics the agent really exports (src/agent/metrics.ts).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { renderMetrics } from "../../src/agent/metrics.ts";
import type { DiagnoseResult } from "../../src/diagnose/result.ts";
import { grafanaDashboard } from "../../src/k8s/manifests/grafana-dashboard.ts";
import { ALERTS, podMonitor, prometheusRule } from "../../src/k8s/manifests/monitoring.ts";
import type { Certificate } from "../../src/pki/certificate.ts";
import { checkAgainstCrd, loadCrdSchema } from "../support/crd-schema.ts";

const FIXTURES = new URL("fixtures/", import.meta.url).pathname;
const TESTS = join(FIXTURES, "regtrust-alerts.test.yaml");
const dir = mkdtempSync(join(tmpdir(), "regtrust-promtool-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const rule = prometheusRule("regtrust-agent", "regtrust", { "app.kubernetes.io/name": "regtrust-agent" });

function promtool(args: string[]): { code: number; out: string } {
  try {
    return { code: 0, out: execFileSync("promtool", args, { cwd: dir, encoding: "utf8", timeout: 60_000 }) };
  } catch (error) {
    const e = error as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 3, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

function writeRules(spec: unknown): void {
  writeFileSync(join(dir, "rules.yaml"), stringify(spec, { lineWidth: 0 }));
  copyFileSync(TESTS, join(dir, "regtrust-alerts.test.yaml"));
}

describe("k8s manifests --monitoring: alerts", () => {
  it("promtool check rules accepts the PrometheusRule's groups", () => {
    writeRules(rule.spec);
    const run = promtool(["check", "rules", "rules.yaml"]);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, new RegExp(`SUCCESS: ${ALERTS.length} rules found`));
  });

  it("promtool test rules: every alert fires in one case and stays silent in another", () => {
    writeRules(rule.spec);
    const run = promtool(["test", "rules", "regtrust-alerts.test.yaml"]);
    assert.equal(run.code, 0, run.out);
    // Each alert has a test expecting it and one expecting nothing.
    const tests = parse(readFileSync(TESTS, "utf8")) as {
      tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
    };
    const cases = tests.tests.flatMap((t) => t.alert_rule_test);
    for (const { alert } of ALERTS) {
      const mine = cases.filter((c) => c.alertname === alert);
      assert.ok(
        mine.some((c) => c.exp_alerts.length > 0),
        `${alert}: no firing test`,
      );
      assert.ok(
        mine.some((c) => c.exp_alerts.length === 0),
        `${alert}: no silent test`,
      );
    }
  });

  it("the unit tests can fail: a broken threshold is caught", () => {
    const broken = structuredClone(rule.spec) as { groups: Array<{ rules: Array<{ expr: string }> }> };
    for (const r of broken.groups[0]?.rules ?? []) r.expr = r.expr.replace("< 2592000", "< 100");
    writeRules(broken);
    const run = promtool(["test", "rules", "regtrust-alerts.test.yaml"]);
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /RegtrustCACertificateExpiringSoon/);
  });

  it("every metric an alert or dashboard panel reads is one the agent exports", () => {
    const exported = renderMetrics(
      {
        results: new Map([
          [
            "r.example.com",
            {
              ok: false,
              presented: [{ notAfter: "2030-01-01T00:00:00Z" }],
              contexts: [{ name: "containerd", insecure: true, insecureExpiresAt: "2030-01-01T00:00:00Z" }],
            } as unknown as DiagnoseResult,
          ],
        ]),
        ca: [{ notAfter: new Date("2030-01-01T00:00:00Z") } as Certificate],
        lastCheck: new Date(),
        cycles: 1,
        cycleErrors: 0,
        intervalSeconds: 300,
        startupTaint: true,
      },
      new Date(),
    );
    const names = new Set(
      exported
        .split("\n")
        .filter((l) => l && !l.startsWith("#"))
        .map((l) => l.split(/[{ ]/)[0]),
    );
    const panels = (grafanaDashboard().panels as Array<{ targets: Array<{ expr: string }> }>).flatMap((p) =>
      p.targets.map((t) => t.expr),
    );
    for (const expr of [...ALERTS.map((a) => a.expr), ...panels]) {
      for (const metric of expr.match(/\bregtrust_[a-z_]+/g) ?? []) {
        assert.ok(names.has(metric), `${expr}: ${metric} is not exported by src/agent/metrics.ts`);
      }
    }
  });
});

describe("k8s manifests --monitoring: prometheus-operator CRDs (v0.93.0)", () => {
  const labels = { "app.kubernetes.io/name": "regtrust-agent" };
  for (const [file, doc] of [
    ["monitoring.coreos.com_prometheusrules.yaml", rule],
    ["monitoring.coreos.com_podmonitors.yaml", podMonitor("regtrust-agent", "regtrust", labels)],
  ] as const) {
    it(`${doc.kind} validates against ${file}`, () => {
      const schema = loadCrdSchema(join(FIXTURES, "prometheus-operator", file), "v1");
      const result = checkAgainstCrd(schema, doc);
      assert.deepEqual(result.errors, []);
      // The validator is not vacuous: a misspelt field fails.
      const bad = structuredClone(doc) as { spec: Record<string, unknown> };
      bad.spec.grups = [];
      assert.notDeepEqual(checkAgainstCrd(schema, bad).errors, []);
    });
  }
});
