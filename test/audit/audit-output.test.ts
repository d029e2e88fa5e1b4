import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { auditExitCode } from "../../src/audit/audit.ts";
import { toSarif } from "../../src/audit/sarif.ts";
import { type AuditPki, auditPki, CONTAINERD_V3, fakeProc, hostsToml, NOW, setMtime } from "./fixtures.ts";
import { auditOf, describeFindings, withCode } from "./helpers.ts";

let pki: AuditPki;
before(async () => {
  pki = await auditPki();
});

const HOUR = 60 * 60 * 1000;
const BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

describe("stale trust", () => {
  const node = () => ({ "/etc/containerd/config.toml": CONTAINERD_V3, [BUNDLE]: pki.ca.certPem });
  const boot = new Date(NOW.getTime() - 48 * HOUR);

  test("an OS bundle changed after containerd started → stale-trust", () => {
    const report = auditOf(node(), {}, (n) => {
      setMtime(n.root, BUNDLE, new Date(NOW.getTime() - HOUR));
      return { procRoot: fakeProc(n.root, "containerd", boot, 60) };
    });
    const [f] = withCode(report, "stale-trust");
    assert.ok(f, describeFindings(report));
    assert.equal(f.file, BUNDLE);
    assert.match(f.message, /containerd \(pid 4242\)/);
    assert.match(f.fix[0] ?? "", /systemctl restart containerd/);
  });

  test("a bundle older than the process, another runtime, or no /proc → nothing", () => {
    const older = auditOf(node(), {}, (n) => {
      setMtime(n.root, BUNDLE, new Date(boot.getTime() - HOUR));
      return { procRoot: fakeProc(n.root, "containerd", boot, 60) };
    });
    assert.equal(withCode(older, "stale-trust").length, 0);
    // Changed after boot but before the process started: the process loaded it.
    const beforeStart = auditOf(node(), {}, (n) => {
      setMtime(n.root, BUNDLE, new Date(boot.getTime() + 5 * HOUR));
      return { procRoot: fakeProc(n.root, "containerd", boot, 10 * 3600) };
    });
    assert.equal(withCode(beforeStart, "stale-trust").length, 0, describeFindings(beforeStart));
    const notAudited = auditOf(node(), { runtimes: ["docker"] }, (n) => {
      setMtime(n.root, BUNDLE, new Date(NOW.getTime() - HOUR));
      return { procRoot: fakeProc(n.root, "containerd", boot, 60) };
    });
    assert.equal(withCode(notAudited, "stale-trust").length, 0);
    const noProc = auditOf(node());
    assert.equal(withCode(noProc, "stale-trust").length, 0);
  });
});

describe("report and SARIF", () => {
  const messy = () => ({
    "/etc/containerd/config.toml": CONTAINERD_V3,
    "/etc/containerd/certs.d/reg.example.com/hosts.toml": hostsToml(
      '  ca = "/etc/certs/ca.crt"\n  skip_verify = true\n',
    ),
    "/etc/certs/ca.crt": pki.expiredCa.certPem,
    "/etc/docker/certs.d/reg.example.com/ca.pem": pki.ca.certPem,
  });

  test("summary counts severities, errors sort first, exit code honours --strict", () => {
    const report = auditOf(messy());
    assert.deepEqual(report.summary, { error: 1, warning: 2, info: 0 }, describeFindings(report));
    assert.equal(report.findings[0]?.severity, "error");
    assert.equal(auditExitCode(report, false), 1);
    const warningsOnly = auditOf({ "/etc/docker/certs.d/reg.example.com/ca.pem": pki.ca.certPem });
    assert.equal(auditExitCode(warningsOnly, false), 0);
    assert.equal(auditExitCode(warningsOnly, true), 1);
  });

  test("SARIF 2.1.0: required fields, one rule per code, results with file and line", () => {
    const report = auditOf(messy());
    const sarif = toSarif(report, "0.1.0");
    assert.equal(sarif.version, "2.1.0");
    assert.match(sarif.$schema, /sarif-2\.1\.0/);
    assert.equal(sarif.runs.length, 1);
    const run = sarif.runs[0];
    assert.ok(run);
    assert.equal(run.tool.driver.name, "regtrust");
    const ruleIds = run.tool.driver.rules.map((r) => r.id);
    assert.deepEqual(ruleIds, [...new Set(report.findings.map((f) => f.code))].sort());
    assert.equal(run.results.length, report.findings.length);
    for (const result of run.results) {
      assert.ok(["error", "warning", "note"].includes(result.level));
      assert.equal(typeof result.message.text, "string");
      assert.equal(ruleIds[result.ruleIndex], result.ruleId);
      const loc = result.locations[0]?.physicalLocation;
      assert.ok(loc && !loc.artifactLocation.uri.startsWith("/"));
      assert.equal(loc.artifactLocation.uriBaseId, "NODEROOT");
      if (loc.region) assert.ok(Number.isInteger(loc.region.startLine) && loc.region.startLine >= 1);
    }
    const skip = run.results.find((r) => r.ruleId === "insecure-skip-verify");
    assert.deepEqual(skip?.locations[0]?.physicalLocation, {
      artifactLocation: { uri: "etc/containerd/certs.d/reg.example.com/hosts.toml", uriBaseId: "NODEROOT" },
      region: { startLine: 6 },
    });
    JSON.parse(JSON.stringify(sarif));
  });
});
