import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type { Journal } from "../../src/plan/journal.ts";
import { emptyJournal } from "../../src/plan/journal.ts";
import { type AuditPki, auditPki, CONTAINERD_V2, CONTAINERD_V3, chmodNode, hostsToml } from "./fixtures.ts";
import { auditOf, describeFindings, withCode } from "./helpers.ts";

let pki: AuditPki;
before(async () => {
  pki = await auditPki();
});

describe("a clean node", () => {
  test("audits clean across containerd, docker, containers and k3s, and lists every registry", () => {
    const report = auditOf({
      "/etc/containerd/config.toml": CONTAINERD_V3,
      "/etc/containerd/certs.d/reg.example.com/hosts.toml": hostsToml(
        '  ca = "/etc/containerd/certs.d/reg.example.com/ca.crt"\n',
      ),
      "/etc/containerd/certs.d/reg.example.com/ca.crt": pki.ca.certPem,
      "/etc/docker/daemon.json": '{\n  "log-driver": "journald"\n}\n',
      "/etc/docker/certs.d/docker-reg.example.com:5000/ca.crt": pki.ca.certPem,
      "/etc/containers/registries.conf": '[[registry]]\nlocation = "quay.example.com"\n',
      "/etc/rancher/k3s/registries.yaml": `mirrors:\n  docker.io:\n    endpoint:\n      - "https://mirror.example.com"\nconfigs:\n  "mirror.example.com":\n    tls:\n      ca_file: /etc/ssl/corp/ca.pem\n`,
      "/etc/ssl/corp/ca.pem": pki.ca.certPem,
    });
    assert.deepEqual(report.findings, [], describeFindings(report));
    assert.deepEqual(report.summary, { error: 0, warning: 0, info: 0 });
    assert.equal(report.schemaVersion, 1);
    for (const r of [
      "reg.example.com",
      "docker-reg.example.com:5000",
      "quay.example.com",
      "docker.io",
      "mirror.example.com",
    ]) {
      assert.ok(report.registries.includes(r), `${r} in ${report.registries.join(",")}`);
    }
  });
});

describe("insecure settings", () => {
  test("containerd skip_verify in _default is reported with file and line", () => {
    const report = auditOf({
      "/etc/containerd/config.toml": CONTAINERD_V2,
      "/etc/containerd/certs.d/_default/hosts.toml":
        '[host."https://mirror.internal"]\n  skip_verify = true\n',
    });
    const [f] = withCode(report, "insecure-skip-verify");
    assert.ok(f, describeFindings(report));
    assert.equal(f.file, "/etc/containerd/certs.d/_default/hosts.toml");
    assert.equal(f.line, 2);
    assert.equal(f.severity, "warning");
    assert.match(f.message, /No expiry is recorded/);
  });

  test("regtrust's expiry marker: future → warning with the date, passed → error", () => {
    const marked = (iso: string) => ({
      "/etc/containerd/config.toml": CONTAINERD_V2,
      "/etc/containerd/certs.d/reg.example.com/hosts.toml": hostsToml(
        `  # regtrust-insecure-expires=${iso}\n  skip_verify = true\n`,
      ),
    });
    const future = withCode(auditOf(marked("2026-12-01T00:00:00.000Z")), "insecure-skip-verify")[0];
    assert.equal(future?.severity, "warning");
    assert.match(future?.message ?? "", /expire at 2026-12-01T00:00:00.000Z\./);
    const past = withCode(auditOf(marked("2026-11-01T00:00:00.000Z")), "insecure-skip-verify")[0];
    assert.equal(past?.severity, "error");
    assert.match(past?.message ?? "", /has passed/);
  });

  test("the journal's insecure record supplies the expiry when the file has no marker", () => {
    const journal: Journal = {
      ...emptyJournal(),
      records: [
        {
          id: "r1",
          target: "10.0.0.5:5000",
          action: "insecure",
          appliedAt: "2026-11-01T00:00:00Z",
          meta: { expiresAt: "2026-11-02T00:00:00.000Z" },
          changes: [],
          claims: [],
          commands: [],
          commandResults: null,
        },
      ],
    };
    const report = auditOf(
      { "/etc/docker/daemon.json": '{\n  "insecure-registries": ["10.0.0.5:5000"]\n}\n' },
      { journal },
    );
    const [f] = withCode(report, "insecure-skip-verify");
    assert.equal(f?.severity, "error");
    assert.equal(f?.line, 2);
    assert.match(f?.message ?? "", /2026-11-02/);
  });

  test("k3s insecure_skip_verify, docker insecure-registries and containers insecure = true", () => {
    const report = auditOf({
      "/etc/rancher/k3s/registries.yaml":
        'configs:\n  "reg.example.com:5000":\n    tls:\n      insecure_skip_verify: true\n',
      "/etc/docker/daemon.json": '{\n  "insecure-registries": [\n    "http://10.0.0.0/8"\n  ]\n}\n',
      "/etc/containers/registries.conf": '[[registry]]\nlocation = "quay.internal"\ninsecure = true\n',
    });
    const got = withCode(report, "insecure-skip-verify").map((f) => `${f.contexts?.[0]} ${f.file}:${f.line}`);
    assert.deepEqual(got.sort(), [
      "crio /etc/containers/registries.conf:3",
      "docker /etc/docker/daemon.json:3",
      "k3s /etc/rancher/k3s/registries.yaml:4",
    ]);
  });

  test("plain http:// endpoints in hosts.toml and registries.yaml", () => {
    const report = auditOf({
      "/etc/containerd/config.toml": CONTAINERD_V2,
      "/etc/containerd/certs.d/docker.io/hosts.toml":
        '[host."http://cache.internal:5000"]\n  capabilities = ["pull"]\n',
      "/etc/rancher/rke2/registries.yaml":
        'mirrors:\n  docker.io:\n    endpoint:\n      - "http://cache.internal:5000"\n',
    });
    const got = withCode(report, "plain-http").map((f) => `${f.file}:${f.line}`);
    assert.deepEqual(got.sort(), [
      "/etc/containerd/certs.d/docker.io/hosts.toml:1",
      "/etc/rancher/rke2/registries.yaml:2",
    ]);
  });
});

describe("plaintext credentials", () => {
  const SECRET = "hunter2-very-secret-value";
  const yaml = `configs:\n  "reg.example.com":\n    auth:\n      username: robot\n      password: ${SECRET}\n`;

  test("registries.yaml: key and line reported, value never in the JSON; world-readable is an error", () => {
    const report = auditOf({ "/etc/rancher/k3s/registries.yaml": yaml }, {}, (node) => {
      chmodNode(node.root, "/etc/rancher/k3s/registries.yaml", 0o644);
      return {};
    });
    const creds = report.findings.filter((f) => f.message.includes("plain text"));
    assert.equal(creds.length, 2, describeFindings(report));
    assert.ok(creds.every((f) => f.severity === "error" && /mode 0644/.test(f.message)));
    assert.ok(creds.every((f) => f.code === "plaintext-credentials"));
    assert.deepEqual(creds.map((f) => f.line).sort(), [4, 5]);
    assert.ok(!JSON.stringify(report).includes(SECRET));
    assert.ok(!JSON.stringify(report).includes('robot"'));
  });

  test("a 0600 file is still a warning", () => {
    const report = auditOf({ "/etc/rancher/k3s/registries.yaml": yaml }, {}, (node) => {
      chmodNode(node.root, "/etc/rancher/k3s/registries.yaml", 0o600);
      return {};
    });
    const creds = report.findings.filter((f) => f.message.includes("plain text"));
    assert.ok(creds.length === 2 && creds.every((f) => f.severity === "warning"));
  });

  test("containerd config.toml auth: reported without the value", () => {
    const config = `${CONTAINERD_V2.replace('config_path = "/etc/containerd/certs.d"', 'config_path = ""')}
    [plugins."io.containerd.grpc.v1.cri".registry.configs."reg.example.com".auth]
      password = "${SECRET}"
`;
    const report = auditOf({ "/etc/containerd/config.toml": config });
    const creds = report.findings.filter((f) => f.message.includes("plain text"));
    assert.equal(creds.length, 1, describeFindings(report));
    assert.equal(creds[0]?.line, 14);
    assert.ok(!JSON.stringify(report).includes(SECRET));
  });
});
