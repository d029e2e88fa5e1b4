import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { type AuditPki, auditPki, CONTAINERD_V3, hostsToml } from "./fixtures.ts";
import { auditOf, describeFindings, withCode } from "./helpers.ts";

let pki: AuditPki;
before(async () => {
  pki = await auditPki();
});

const HOSTS = "/etc/containerd/certs.d/reg.example.com/hosts.toml";
const withCa = (caPath: string, files: Record<string, string | Uint8Array>) => ({
  "/etc/containerd/config.toml": CONTAINERD_V3,
  [HOSTS]: hostsToml(`  ca = "${caPath}"\n`),
  ...files,
});

describe("CA files", () => {
  test("missing: ca-file-missing at the hosts.toml line that names it", () => {
    const report = auditOf(withCa("/etc/certs/gone.crt", {}));
    const [f] = withCode(report, "ca-file-missing");
    assert.ok(f, describeFindings(report));
    assert.equal(f.file, HOSTS);
    assert.equal(f.line, 5);
  });

  test("a DER certificate named .crt loads nothing: ca-file-unusable saying DER", () => {
    const report = auditOf(withCa("/etc/certs/ca.crt", { "/etc/certs/ca.crt": pki.ca.der }));
    const [f] = withCode(report, "ca-file-unusable");
    assert.ok(f, describeFindings(report));
    assert.equal(f.severity, "error");
    assert.match(f.message, /DER/);
    assert.match(f.fix[0] ?? "", /openssl x509 -inform DER/);
  });

  test("a file with no certificate at all", () => {
    const report = auditOf(withCa("/etc/certs/ca.crt", { "/etc/certs/ca.crt": "not a certificate\n" }));
    assert.match(withCode(report, "ca-file-unusable")[0]?.message ?? "", /no PEM CERTIFICATE block/);
  });

  test("expired → error, expiring within the window → warning, outside it → nothing", () => {
    const expired = auditOf(withCa("/etc/certs/ca.crt", { "/etc/certs/ca.crt": pki.expiredCa.certPem }));
    assert.equal(withCode(expired, "expired")[0]?.severity, "error");
    const soon = auditOf(withCa("/etc/certs/ca.crt", { "/etc/certs/ca.crt": pki.expiringCa.certPem }));
    assert.equal(withCode(soon, "expiring-soon")[0]?.severity, "warning");
    assert.match(withCode(soon, "expiring-soon")[0]?.message ?? "", /in 10 days/);
    const narrow = auditOf(withCa("/etc/certs/ca.crt", { "/etc/certs/ca.crt": pki.expiringCa.certPem }), {
      expiringDays: 7,
    });
    assert.deepEqual(narrow.findings, []);
  });

  test("a leaf certificate configured as the CA → not-a-ca", () => {
    const report = auditOf(withCa("/etc/certs/ca.crt", { "/etc/certs/ca.crt": pki.server.certPem }));
    assert.equal(withCode(report, "not-a-ca").length, 1, describeFindings(report));
  });

  test("certs.d *.crt fallback files are checked too (no hosts.toml)", () => {
    const report = auditOf({
      "/etc/containerd/config.toml": CONTAINERD_V3,
      "/etc/containerd/certs.d/reg.example.com/ca.crt": pki.expiredCa.certPem,
    });
    const [f] = withCode(report, "expired");
    assert.equal(f?.file, "/etc/containerd/certs.d/reg.example.com/ca.crt");
  });

  test("k3s registries.yaml ca_file and docker certs.d *.crt", () => {
    const report = auditOf({
      "/etc/rancher/k3s/registries.yaml":
        'configs:\n  "reg.example.com":\n    tls:\n      ca_file: /etc/ssl/old.pem\n',
      "/etc/ssl/old.pem": pki.expiredCa.certPem,
      "/etc/docker/certs.d/reg2.example.com/ca.crt": pki.expiringCa.certPem,
    });
    assert.deepEqual(
      withCode(report, "expired").map((f) => `${f.file}:${f.line}`),
      ["/etc/rancher/k3s/registries.yaml:4"],
    );
    assert.deepEqual(
      withCode(report, "expiring-soon").map((f) => f.file),
      ["/etc/docker/certs.d/reg2.example.com/ca.crt"],
    );
  });
});

describe("OS trust anchors", () => {
  const DEBIAN = 'ID=debian\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';
  const RHEL = 'ID="rhel"\nID_LIKE="fedora"\nPRETTY_NAME="Red Hat Enterprise Linux 9"\n';

  test("Debian: a DER .crt anchor is reported (Go skips it in the bundle); an expired PEM anchor too", () => {
    const report = auditOf({
      "/etc/os-release": DEBIAN,
      "/usr/local/share/ca-certificates/corp/der.crt": pki.ca.der,
      "/usr/local/share/ca-certificates/old.crt": pki.expiredCa.certPem,
      "/usr/local/share/ca-certificates/ignored.pem": "junk",
    });
    assert.deepEqual(
      withCode(report, "ca-file-unusable").map((f) => f.file),
      ["/usr/local/share/ca-certificates/corp/der.crt"],
    );
    assert.deepEqual(
      withCode(report, "expired").map((f) => f.file),
      ["/usr/local/share/ca-certificates/old.crt"],
    );
  });

  test("RHEL: DER anchors are fine (update-ca-trust accepts them)", () => {
    const report = auditOf({
      "/etc/os-release": RHEL,
      "/etc/pki/ca-trust/source/anchors/corp.der": pki.ca.der,
    });
    assert.deepEqual(report.findings, [], describeFindings(report));
  });
});
