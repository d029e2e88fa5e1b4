import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { type AuditPki, auditPki, CONTAINERD_V2, CONTAINERD_V3, chmodNode, hostsToml } from "./fixtures.ts";
import { auditOf, describeFindings, withCode } from "./helpers.ts";

let pki: AuditPki;
before(async () => {
  pki = await auditPki();
});

describe("config traps", () => {
  test("hosts.toml that does not parse → hosts-toml-invalid with the line", () => {
    const report = auditOf({
      "/etc/containerd/config.toml": CONTAINERD_V3,
      "/etc/containerd/certs.d/reg.example.com/hosts.toml":
        'server = "https://reg.example.com"\n[host."https://m.example.com"\n  skip_verify = true\n',
    });
    const [f] = withCode(report, "hosts-toml-invalid");
    assert.ok(f, describeFindings(report));
    assert.equal(f.line, 2);
    // containerd ignores the file, so its skip_verify is not an active insecure setting.
    assert.equal(withCode(report, "insecure-skip-verify").length, 0);
  });

  test("duplicated [host] table: containerd rejects the file", () => {
    const report = auditOf({
      "/etc/containerd/config.toml": CONTAINERD_V3,
      "/etc/containerd/certs.d/docker.io/hosts.toml":
        '[host."https://m.example.com"]\n  capabilities = ["pull"]\n[host."https://m.example.com"]\n  capabilities = ["pull"]\n',
    });
    assert.equal(withCode(report, "hosts-toml-invalid").length, 1, describeFindings(report));
  });

  test("the same mirror written twice under different keys (trailing slash) in hosts.toml", () => {
    const report = auditOf({
      "/etc/containerd/config.toml": CONTAINERD_V3,
      "/etc/containerd/certs.d/docker.io/hosts.toml":
        '[host."https://m.example.com"]\n  capabilities = ["pull"]\n[host."https://m.example.com/"]\n  capabilities = ["pull"]\n',
    });
    const [f] = withCode(report, "config-invalid");
    assert.ok(f && /twice/.test(f.message), describeFindings(report));
    assert.equal(f.line, 3);
  });

  test("config_path unset while /etc/containerd/certs.d has host directories", () => {
    const report = auditOf({
      "/etc/containerd/config.toml": CONTAINERD_V2.replace(
        'config_path = "/etc/containerd/certs.d"',
        'config_path = ""',
      ),
      "/etc/containerd/certs.d/reg.example.com/ca.crt": pki.ca.certPem,
    });
    const [f] = withCode(report, "config-path-unset");
    assert.ok(f, describeFindings(report));
    assert.equal(f.line, 11);
    assert.match(f.message, /reg\.example\.com/);
  });

  test("mirrors and config_path both set → the CRI plugin fails to load", () => {
    const config = `${CONTAINERD_V2}      [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]\n        endpoint = ["https://mirror.example.com"]\n`;
    const report = auditOf({ "/etc/containerd/config.toml": config });
    const [f] = withCode(report, "config-invalid");
    assert.ok(f && /mirrors` cannot be set/.test(f.message), describeFindings(report));
    assert.equal(f.severity, "error");
  });

  test("skip_verify at the top of hosts.toml applies only to the server, not the mirrors", () => {
    const text =
      'server = "https://reg.example.com"\nskip_verify = true\n\n[host."https://mirror.example.com"]\n  capabilities = ["pull", "resolve"]\n';
    const report = auditOf({
      "/etc/containerd/config.toml": CONTAINERD_V3,
      "/etc/containerd/certs.d/reg.example.com/hosts.toml": text,
    });
    const trap = withCode(report, "config-invalid").find((f) => /applies only to the server/.test(f.message));
    assert.ok(trap, describeFindings(report));
    assert.equal(trap.line, 2);
    assert.match(trap.message, /mirror\.example\.com still verify/);
  });

  test("duplicate mirror endpoints in registries.yaml", () => {
    const report = auditOf({
      "/etc/rancher/k3s/registries.yaml":
        'mirrors:\n  docker.io:\n    endpoint:\n      - "https://mirror.example.com"\n      - "https://mirror.example.com/"\n',
    });
    const [f] = withCode(report, "config-invalid");
    assert.ok(f && /more than once/.test(f.message), describeFindings(report));
    assert.equal(f.line, 2);
  });

  test("relative ca path: resolved against the hosts.toml directory", () => {
    const report = auditOf({
      "/etc/containerd/config.toml": CONTAINERD_V3,
      "/etc/containerd/certs.d/reg.example.com/hosts.toml": hostsToml('  ca = "etc/certs/ca.crt"\n'),
      "/etc/certs/ca.crt": pki.ca.certPem,
    });
    const trap = withCode(report, "config-invalid").find((f) => /is relative/.test(f.message));
    assert.ok(trap, describeFindings(report));
    assert.match(trap.message, /\/etc\/containerd\/certs\.d\/reg\.example\.com\/etc\/certs\/ca\.crt/);
    assert.equal(withCode(report, "ca-file-missing").length, 1);
  });

  test("the registry's server certificate and key used as the client pair; key world-readable", () => {
    const report = auditOf(
      {
        "/etc/rancher/k3s/registries.yaml":
          'configs:\n  "reg.example.com":\n    tls:\n      cert_file: /etc/reg/server.crt\n      key_file: /etc/reg/server.key\n',
        "/etc/reg/server.crt": pki.server.certPem,
        "/etc/reg/server.key": pki.server.keyPem,
      },
      {},
      (node) => {
        chmodNode(node.root, "/etc/reg/server.key", 0o644);
        return {};
      },
    );
    const messages = withCode(report, "private-key-exposed").map((f) => f.message);
    assert.ok(
      messages.some((m) => /own server certificate/.test(m)),
      describeFindings(report),
    );
    assert.ok(messages.some((m) => /world-readable/.test(m)));
    assert.ok(!JSON.stringify(report).includes("PRIVATE KEY"));
  });

  test("a .pem CA in Docker's certs.d is ignored", () => {
    const report = auditOf({ "/etc/docker/certs.d/reg.example.com/ca.pem": pki.ca.certPem });
    const [f] = withCode(report, "ca-file-unusable");
    assert.ok(f, describeFindings(report));
    assert.equal(f.file, "/etc/docker/certs.d/reg.example.com/ca.pem");
    assert.equal(f.severity, "warning");
  });

  test("a certs.d directory named host:443 (or host_443_) is never used for port-less references", () => {
    const report = auditOf({
      "/etc/containerd/config.toml": CONTAINERD_V3,
      "/etc/containerd/certs.d/reg.example.com_443_/ca.crt": pki.ca.certPem,
      "/etc/docker/certs.d/reg.example.com:443/ca.crt": pki.ca.certPem,
    });
    const traps = withCode(report, "config-invalid").filter((f) =>
      /default ports are not normalised/.test(f.message),
    );
    assert.deepEqual(traps.map((f) => f.file).sort(), [
      "/etc/containerd/certs.d/reg.example.com_443_",
      "/etc/docker/certs.d/reg.example.com:443",
    ]);
  });

  test("unparseable files are findings, never crashes", () => {
    const report = auditOf({
      "/etc/containerd/config.toml": "version = 2\n[plugins\n",
      "/etc/docker/daemon.json": '{ "insecure-registries": [ }',
      "/etc/rancher/rke2/registries.yaml": "mirrors:\n  - : :\n\t bad",
      "/etc/containers/registries.conf": "[[registry]\n",
    });
    assert.ok(withCode(report, "config-invalid").length >= 4, describeFindings(report));
    assert.ok(report.summary.error >= 4);
  });
});
