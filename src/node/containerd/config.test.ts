import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { makeNodeRoot, type NodeEntry } from "../testing/node-root.ts";
import { readContainerdConfig } from "./config.ts";
import {
  CONFIG_DOCKER_CONTAINERD_IO,
  CONFIG_V2_CERTS_D,
  CONFIG_V2_DEFAULT,
  CONFIG_V2_LEGACY_TLS,
  CONFIG_V3_BARE,
  CONFIG_V3_TWO_ROOTS,
} from "./testing/fixtures.ts";
import { type ContainerdTrustOptions, containerdTrustFor } from "./trust.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const REG = "reg.example.com:5000";
const CONFIG = "/etc/containerd/config.toml";

function withNode<T>(
  files: Record<string, NodeEntry>,
  fn: (fs: ReturnType<typeof makeNodeRoot>["fs"]) => T,
): T {
  const node = makeNodeRoot(files);
  try {
    return fn(node.fs);
  } finally {
    node.cleanup();
  }
}

describe("readContainerdConfig", () => {
  const cases: {
    name: string;
    text: string | null;
    version: number;
    table: string;
    roots: string[];
    criDisabled?: boolean;
    findings?: string[];
  }[] = [
    {
      name: "no config.toml",
      text: null,
      version: 1,
      table: "plugins.io.containerd.grpc.v1.cri.registry",
      roots: [],
    },
    {
      name: "1.7 certs.d",
      text: CONFIG_V2_CERTS_D,
      version: 2,
      table: "plugins.io.containerd.grpc.v1.cri.registry",
      roots: ["/etc/containerd/certs.d"],
    },
    {
      name: "1.7 default (empty config_path)",
      text: CONFIG_V2_DEFAULT,
      version: 2,
      table: "plugins.io.containerd.grpc.v1.cri.registry",
      roots: [],
    },
    {
      name: "2.x two roots",
      text: CONFIG_V3_TWO_ROOTS,
      version: 3,
      table: "plugins.io.containerd.cri.v1.images.registry",
      roots: ["/etc/containerd/certs.d", "/etc/docker/certs.d"],
    },
    {
      name: "version 1 with the short plugin name",
      text: '[plugins.cri.registry]\n  config_path = "/etc/containerd/certs.d::/opt/certs"\n',
      version: 1,
      table: "plugins.cri.registry",
      roots: ["/etc/containerd/certs.d", "/opt/certs"],
    },
    {
      name: "Docker's containerd.io",
      text: CONFIG_DOCKER_CONTAINERD_IO,
      version: 1,
      table: "plugins.cri.registry",
      roots: [],
      criDisabled: true,
    },
    {
      name: "invalid TOML",
      text: 'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry\n',
      version: 1,
      table: "plugins.io.containerd.grpc.v1.cri.registry",
      roots: [],
      findings: ["config-invalid:error:2"],
    },
    {
      name: "mirrors with config_path fail CRI",
      text: `${CONFIG_V2_CERTS_D}      [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]\n        endpoint = ["https://mirror.example.com"]\n`,
      version: 2,
      table: "plugins.io.containerd.grpc.v1.cri.registry",
      roots: ["/etc/containerd/certs.d"],
      findings: ["config-invalid:error:19"],
    },
    {
      name: "configs.tls with config_path fail CRI in 1.x",
      text: `${CONFIG_V2_CERTS_D}      [plugins."io.containerd.grpc.v1.cri".registry.configs."reg".tls]\n        ca_file = "/ca.pem"\n`,
      version: 2,
      table: "plugins.io.containerd.grpc.v1.cri.registry",
      roots: ["/etc/containerd/certs.d"],
      findings: ["config-invalid:error:19"],
    },
    {
      name: "configs.tls is ignored by 2.x",
      text: `${CONFIG_V3_TWO_ROOTS}[plugins."io.containerd.cri.v1.images".registry.configs."reg".tls]\n  ca_file = "/ca.pem"\n`,
      version: 3,
      table: "plugins.io.containerd.cri.v1.images.registry",
      roots: ["/etc/containerd/certs.d", "/etc/docker/certs.d"],
      findings: ["config-invalid:warning:11"],
    },
    {
      name: "version 3 config with the 1.x registry table",
      text: 'version = 3\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n',
      version: 3,
      table: "plugins.io.containerd.cri.v1.images.registry",
      roots: [],
      findings: ["config-invalid:error:2"],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const files: Record<string, NodeEntry> = c.text === null ? {} : { [CONFIG]: c.text };
      const config = withNode(files, (fs) => readContainerdConfig(fs));
      assert.equal(config.exists, c.text !== null);
      assert.equal(config.version, c.version);
      assert.equal(config.registryTable.join("."), c.table);
      assert.deepEqual(config.roots, c.roots);
      assert.equal(config.criDisabled, c.criDisabled ?? false);
      assert.deepEqual(
        config.findings.map((f) => `${f.code}:${f.severity}:${f.line}`),
        c.findings ?? [],
        JSON.stringify(config.findings, null, 2),
      );
    });
  }
});

describe("containerd without config_path (legacy registry path)", () => {
  const cases: {
    name: string;
    files: Record<string, NodeEntry>;
    opts?: ContainerdTrustOptions;
    caFiles: string[];
    findings: string[];
    insecure?: string | null;
  }[] = [
    {
      name: "1.7 default config + hosts.toml → config-path-unset on config_path's line",
      files: {
        [CONFIG]: CONFIG_V2_DEFAULT,
        [`/etc/containerd/certs.d/${REG}/hosts.toml`]: 'ca = "/ca.pem"\n',
        "/ca.pem": PEM,
      },
      caFiles: [],
      findings: [`config-path-unset:error@${CONFIG}:7`],
    },
    {
      name: "no config.toml + ca.crt in /etc/docker/certs.d",
      files: { [`/etc/docker/certs.d/${REG}/ca.crt`]: PEM },
      caFiles: [],
      findings: [`config-path-unset:error@${CONFIG}`],
    },
    {
      name: "no host directory: nothing to report",
      files: { [CONFIG]: CONFIG_V2_DEFAULT },
      caFiles: [],
      findings: [],
    },
    {
      name: "empty host directory: nothing ignored",
      files: { [CONFIG]: CONFIG_V2_DEFAULT, [`/etc/containerd/certs.d/${REG}`]: { dir: true } },
      caFiles: [],
      findings: [],
    },
    {
      name: "2.x bare config, containerd 2.2 known: default config_path reads /etc/docker/certs.d",
      files: { [CONFIG]: CONFIG_V3_BARE, [`/etc/docker/certs.d/${REG}/ca.crt`]: PEM },
      opts: { containerdVersion: "v2.2.1" },
      caFiles: [`/etc/docker/certs.d/${REG}/ca.crt`],
      findings: [],
    },
    {
      name: "2.x bare config, version unknown: reported with the 2.2 caveat",
      files: { [CONFIG]: CONFIG_V3_BARE, [`/etc/containerd/certs.d/${REG}/hosts.toml`]: 'ca = "/ca.pem"\n' },
      caFiles: [],
      findings: [`config-path-unset:error@${CONFIG}`],
    },
    {
      name: "1.7 legacy configs.tls: ca_file appended to the system roots",
      files: { [CONFIG]: CONFIG_V2_LEGACY_TLS, "/etc/ssl/reg-ca.pem": PEM },
      caFiles: ["/etc/ssl/reg-ca.pem"],
      findings: [],
      insecure: null,
    },
    {
      name: "1.7 legacy configs.tls with a missing ca_file",
      files: { [CONFIG]: CONFIG_V2_LEGACY_TLS },
      caFiles: ["/etc/ssl/reg-ca.pem"],
      findings: [`ca-file-missing:error@${CONFIG}:6`],
    },
    {
      name: "legacy insecure_skip_verify",
      files: {
        [CONFIG]: `version = 2\n[plugins."io.containerd.grpc.v1.cri".registry.configs."${REG}".tls]\n  insecure_skip_verify = true\n`,
      },
      caFiles: [],
      findings: [],
      insecure: `configs."${REG}".tls.insecure_skip_verify = true`,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const view = withNode(c.files, (fs) => containerdTrustFor(fs, REG, c.opts));
      assert.deepEqual(
        view.caFiles.map((s) => s.path),
        c.caFiles,
      );
      assert.deepEqual(
        view.findings.map(
          (f) => `${f.code}:${f.severity}${f.file ? `@${f.file}${f.line ? `:${f.line}` : ""}` : ""}`,
        ),
        c.findings,
        JSON.stringify(view.findings, null, 2),
      );
      if (c.insecure !== undefined) assert.equal(view.insecure?.setting ?? null, c.insecure);
    });
  }
});

test("legacy mirrors are listed and plain-text credentials are located, never copied", () => {
  const view = withNode({ [CONFIG]: CONFIG_V2_LEGACY_TLS, "/etc/ssl/reg-ca.pem": PEM }, (fs) =>
    containerdTrustFor(fs, REG),
  );
  assert.deepEqual(view.mirrors, ["https://mirror.example.com"]);
  assert.deepEqual(view.plaintextCredentials, [
    {
      key: `plugins."io.containerd.grpc.v1.cri".registry.configs."${REG}".auth.username`,
      line: 9,
      file: CONFIG,
    },
    {
      key: `plugins."io.containerd.grpc.v1.cri".registry.configs."${REG}".auth.password`,
      line: 10,
      file: CONFIG,
    },
  ]);
  assert.doesNotMatch(JSON.stringify(view), /s3cr3t-value|robot/);
});

test("a config that does not parse makes every view an error", () => {
  const view = withNode({ [CONFIG]: "version = = 2\n" }, (fs) => containerdTrustFor(fs, REG));
  assert.deepEqual(
    view.findings.map((f) => f.code),
    ["config-invalid"],
  );
  assert.match(view.summary, /does not parse/);
});

test("loopback registry with no host directory: containerd's built-in skip_verify", () => {
  const view = withNode({ [CONFIG]: CONFIG_V2_CERTS_D }, (fs) => containerdTrustFor(fs, "127.0.0.1:5000"));
  assert.match(view.insecure?.setting ?? "", /built-in skip_verify/);
  const port80 = withNode({ [CONFIG]: CONFIG_V2_CERTS_D }, (fs) => containerdTrustFor(fs, "localhost:80"));
  assert.equal(port80.insecure, null);
});

test("CRI disabled is said in the summary", () => {
  const view = withNode({ [CONFIG]: CONFIG_DOCKER_CONTAINERD_IO }, (fs) => containerdTrustFor(fs, REG));
  assert.match(view.summary, /CRI plugin is disabled/);
});
