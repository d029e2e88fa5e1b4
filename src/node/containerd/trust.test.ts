import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InputError } from "../../core/errors.ts";
import { makeNodeRoot, type NodeEntry } from "../testing/node-root.ts";
import type { RuntimeTrustView } from "../types.ts";
import { CONFIG_V2_CERTS_D, CONFIG_V3_TWO_ROOTS } from "./testing/fixtures.ts";
import { type ContainerdTrustOptions, containerdTrustFor } from "./trust.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const CERTS = "/etc/containerd/certs.d";
const REG = "reg.example.com:5000";

interface Case {
  name: string;
  registry?: string;
  files: Record<string, NodeEntry>;
  opts?: ContainerdTrustOptions;
  caFiles: string[];
  insecure?: string | null;
  /** "code:severity@file:line" (file/line only when given). */
  findings?: string[];
  summary?: RegExp;
  mirrors?: string[];
}

function run(c: Case): RuntimeTrustView {
  const node = makeNodeRoot(c.files);
  try {
    return containerdTrustFor(node.fs, c.registry ?? REG, c.opts);
  } finally {
    node.cleanup();
  }
}

function describeFinding(f: RuntimeTrustView["findings"][number]): string {
  return `${f.code}:${f.severity}${f.line ? `@${f.file}:${f.line}` : ""}`;
}

const v2 = (files: Record<string, NodeEntry>) => ({
  "/etc/containerd/config.toml": CONFIG_V2_CERTS_D,
  ...files,
});

const cases: Case[] = [
  {
    name: "host:port directory with an absolute ca",
    files: v2({
      [`${CERTS}/${REG}/hosts.toml`]: `server = "https://${REG}"\n[host."https://${REG}"]\n  ca = "${CERTS}/${REG}/ca.crt"\n`,
      [`${CERTS}/${REG}/ca.crt`]: PEM,
    }),
    caFiles: [`${CERTS}/${REG}/ca.crt`],
    findings: [],
    summary: /config_path \/etc\/containerd\/certs\.d → .*hosts\.toml: https:\/\/reg\.example\.com:5000, ca /,
  },
  {
    name: "host_port_ is tried before host:port",
    files: v2({
      [`${CERTS}/reg.example.com_5000_/hosts.toml`]: 'ca = "under.crt"\n',
      [`${CERTS}/reg.example.com_5000_/under.crt`]: PEM,
      [`${CERTS}/${REG}/hosts.toml`]: 'ca = "colon.crt"\n',
      [`${CERTS}/${REG}/colon.crt`]: PEM,
    }),
    caFiles: [`${CERTS}/reg.example.com_5000_/under.crt`],
    findings: [],
  },
  {
    name: "_default applies when no host directory matches",
    files: v2({ [`${CERTS}/_default/hosts.toml`]: 'ca = "/etc/pki/corp.pem"\n', "/etc/pki/corp.pem": PEM }),
    caFiles: ["/etc/pki/corp.pem"],
    findings: [],
  },
  {
    name: "no default port normalisation: reg:443 is not reg",
    registry: "reg.example.com",
    files: v2({ [`${CERTS}/reg.example.com:443/hosts.toml`]: 'ca = "/x.pem"\n' }),
    caFiles: [],
    findings: [],
    summary: /no host directory for reg\.example\.com; system roots only/,
  },
  {
    name: "first root with a match wins, even its _default over an exact match in a later root",
    files: {
      "/etc/containerd/config.toml": CONFIG_V3_TWO_ROOTS,
      [`${CERTS}/_default/hosts.toml`]: 'ca = "/first.pem"\n',
      "/first.pem": PEM,
      [`/etc/docker/certs.d/${REG}/ca.crt`]: PEM,
    },
    caFiles: ["/first.pem"],
    findings: [],
  },
  {
    name: "second root used when the first has nothing",
    files: { "/etc/containerd/config.toml": CONFIG_V3_TWO_ROOTS, [`/etc/docker/certs.d/${REG}/ca.crt`]: PEM },
    caFiles: [`/etc/docker/certs.d/${REG}/ca.crt`],
    findings: [],
    summary: /no hosts\.toml; \*\.crt files/,
  },
  {
    name: "IPv6 [::1]:5000 keeps brackets; server set, so no implicit skip",
    registry: "[::1]:5000",
    files: v2({
      [`${CERTS}/[::1]_5000_/hosts.toml`]: 'server = "https://[::1]:5000"\nca = "ca.crt"\n',
      [`${CERTS}/[::1]_5000_/ca.crt`]: PEM,
    }),
    caFiles: [`${CERTS}/[::1]_5000_/ca.crt`],
    insecure: null,
    findings: [],
  },
  {
    name: "IPv6 loopback without server: containerd's built-in skip_verify",
    registry: "[::1]:5000",
    files: v2({ [`${CERTS}/[::1]:5000/hosts.toml`]: 'ca = "ca.crt"\n', [`${CERTS}/[::1]:5000/ca.crt`]: PEM }),
    caFiles: [`${CERTS}/[::1]:5000/ca.crt`],
    insecure: "containerd's built-in skip_verify for localhost/loopback registries",
    findings: [],
  },
  {
    name: "relative ca resolves against the hosts.toml directory; ca list keeps order",
    files: v2({
      [`${CERTS}/${REG}/hosts.toml`]: `server = "https://${REG}"\n[host."https://${REG}"]\n  ca = ["root.crt", "sub/intermediate.pem", "/etc/ssl/extra.pem"]\n`,
      [`${CERTS}/${REG}/root.crt`]: PEM,
      [`${CERTS}/${REG}/sub/intermediate.pem`]: PEM,
      "/etc/ssl/extra.pem": PEM,
    }),
    caFiles: [`${CERTS}/${REG}/root.crt`, `${CERTS}/${REG}/sub/intermediate.pem`, "/etc/ssl/extra.pem"],
    findings: [],
  },
  {
    name: "broken hosts.toml: finding with line, fallback to the directory's *.crt",
    files: v2({
      [`${CERTS}/${REG}/hosts.toml`]: `server = "https://${REG}"\n[host."https://${REG}"\n  skip_verify = true\n`,
      [`${CERTS}/${REG}/fallback.crt`]: PEM,
      [`${CERTS}/${REG}/ca.pem`]: PEM,
    }),
    caFiles: [`${CERTS}/${REG}/fallback.crt`],
    insecure: null,
    findings: [`hosts-toml-invalid:error@${CERTS}/${REG}/hosts.toml:2`],
    summary: /hosts\.toml ignored \(invalid\)/,
  },
  {
    name: "unknown capability invalidates the whole file",
    files: v2({
      [`${CERTS}/${REG}/hosts.toml`]: `server = "https://${REG}"\ncapabilities = ["pull", "fetch"]\nca = "/ca.pem"\n`,
    }),
    caFiles: [],
    findings: [`hosts-toml-invalid:error@${CERTS}/${REG}/hosts.toml:2`],
  },
  {
    name: "wrong type for skip_verify invalidates the file (Go decodes into *bool)",
    files: v2({ [`${CERTS}/${REG}/hosts.toml`]: `server = "https://${REG}"\nskip_verify = "true"\n` }),
    caFiles: [],
    insecure: null,
    findings: [`hosts-toml-invalid:error@${CERTS}/${REG}/hosts.toml:2`],
  },
  {
    name: "missing CA file names hosts.toml and the line",
    files: v2({
      [`${CERTS}/${REG}/hosts.toml`]: `server = "https://${REG}"\n[host."https://${REG}"]\n  ca = "/etc/pki/registry-root.crt"\n`,
    }),
    caFiles: ["/etc/pki/registry-root.crt"],
    findings: [`ca-file-missing:error@${CERTS}/${REG}/hosts.toml:3`],
  },
  {
    name: "missing CA of a mirror fails the pull too",
    files: v2({
      [`${CERTS}/${REG}/hosts.toml`]: `server = "https://${REG}"\nca = "/ok.pem"\n[host."https://mirror.local"]\n  ca = "/gone.pem"\n`,
      "/ok.pem": PEM,
    }),
    caFiles: ["/ok.pem"],
    findings: [`ca-file-missing:error@${CERTS}/${REG}/hosts.toml:4`],
    mirrors: ["https://mirror.local"],
  },
  {
    name: "skip_verify on the registry's host table",
    files: v2({
      [`${CERTS}/${REG}/hosts.toml`]: `server = "https://${REG}"\n[host."https://${REG}"]\n  skip_verify = true\n`,
    }),
    caFiles: [],
    insecure: `[host."https://${REG}"] skip_verify = true`,
    findings: [],
  },
  {
    name: "top-level skip_verify applies to the server entry; a mirror's does not",
    files: v2({
      [`${CERTS}/${REG}/hosts.toml`]: `server = "https://${REG}"\nskip_verify = false\n[host."https://mirror.local:5000"]\n  capabilities = ["pull", "resolve"]\n  skip_verify = true\n`,
    }),
    caFiles: [],
    insecure: null,
    findings: [],
    mirrors: ["https://mirror.local:5000"],
    summary: /tries mirrors first: https:\/\/mirror\.local:5000/,
  },
  {
    name: "Docker layout: *.crt are CAs, client .cert/.key ignored for trust",
    files: v2({
      [`${CERTS}/${REG}/ca.crt`]: PEM,
      [`${CERTS}/${REG}/client.cert`]: PEM,
      [`${CERTS}/${REG}/client.key`]: "key",
      [`${CERTS}/${REG}/dir.crt/x`]: "",
    }),
    caFiles: [`${CERTS}/${REG}/ca.crt`],
    findings: [],
  },
  {
    name: "empty hosts.toml falls back silently",
    files: v2({ [`${CERTS}/${REG}/hosts.toml`]: "", [`${CERTS}/${REG}/ca.crt`]: PEM }),
    caFiles: [`${CERTS}/${REG}/ca.crt`],
    findings: [],
  },
  {
    name: "CA symlinked out of the root is not followed",
    files: v2({
      [`${CERTS}/${REG}/hosts.toml`]: 'ca = "ca.crt"\n',
      [`${CERTS}/${REG}/ca.crt`]: { symlink: "../../../../../../../../../../etc/ca.pem" },
    }),
    caFiles: [`${CERTS}/${REG}/ca.crt`],
    findings: [`ca-file-unusable:warning@${CERTS}/${REG}/hosts.toml:1`],
  },
  {
    name: "config_path set, host dir only in an unlisted /etc/docker/certs.d",
    files: v2({ [`/etc/docker/certs.d/${REG}/ca.crt`]: PEM }),
    caFiles: [],
    findings: ["config-path-unset:warning"],
  },
  {
    // containerd 1.6.20's own hostPaths already has _default (test/oracle/containerd-hosts.test.ts).
    name: "containerd 1.6 reads the _default directory too",
    files: v2({
      [`${CERTS}/_default/hosts.toml`]: 'ca = "/etc/pki/corp.pem"\n[host]\n',
      "/etc/pki/corp.pem": PEM,
    }),
    opts: { containerdVersion: "1.6.20~ds1-1" },
    caFiles: ["/etc/pki/corp.pem"],
    findings: [],
  },
];

describe("containerdTrustFor: certs.d resolution and hosts.toml", () => {
  for (const c of cases) {
    test(c.name, () => {
      const view = run(c);
      assert.equal(view.runtime, "containerd");
      assert.equal(view.usesSystemRoots, true);
      assert.deepEqual(
        view.caFiles.map((s) => s.path),
        c.caFiles,
        view.summary,
      );
      if (c.insecure !== undefined) assert.equal(view.insecure?.setting ?? null, c.insecure);
      if (c.findings)
        assert.deepEqual(
          view.findings.map(describeFinding),
          c.findings,
          JSON.stringify(view.findings, null, 2),
        );
      if (c.summary) assert.match(view.summary, c.summary);
      if (c.mirrors) assert.deepEqual(view.mirrors, c.mirrors);
    });
  }
});

test("a present CA file carries its bytes and where it was declared", () => {
  const view = run({
    name: "bytes",
    files: v2({
      [`${CERTS}/${REG}/hosts.toml`]: `# comment\nserver = "https://${REG}"\nca = "ca.crt"\n`,
      [`${CERTS}/${REG}/ca.crt`]: PEM,
    }),
    caFiles: [],
  });
  const [source] = view.caFiles;
  assert.equal(Buffer.from(source?.bytes ?? []).toString(), PEM);
  assert.deepEqual(source?.declaredIn, { file: `${CERTS}/${REG}/hosts.toml`, line: 3 });
  assert.deepEqual(view.configFiles, ["/etc/containerd/config.toml", `${CERTS}/${REG}/hosts.toml`]);
});

test("skip_verify written by regtrust insecure carries its expiry", () => {
  const view = run({
    name: "expiry",
    files: v2({
      [`${CERTS}/${REG}/hosts.toml`]: `server = "https://${REG}"\n# regtrust-insecure-expires=2030-01-02T03:04:05.000Z\nskip_verify = true\n`,
    }),
    caFiles: [],
  });
  assert.deepEqual(view.insecure, {
    file: `${CERTS}/${REG}/hosts.toml`,
    line: 3,
    setting: "skip_verify = true",
    expiresAt: "2030-01-02T03:04:05.000Z",
  });
});

test("the missing-CA finding says what containerd does and how to fix it", () => {
  const view = run({
    name: "missing",
    files: v2({
      [`${CERTS}/${REG}/hosts.toml`]: `server = "https://${REG}"\n[host."https://${REG}"]\n  ca = "/etc/pki/registry-root.crt"\n`,
    }),
    caFiles: [],
  });
  const [missing] = view.findings;
  assert.match(
    missing?.message ?? "",
    /\/etc\/pki\/registry-root\.crt .*hosts\.toml:3.*unable to read CA cert/,
  );
  assert.match(missing?.fix[0] ?? "", /^regtrust trust reg\.example\.com:5000 --ca /);
});

test("registry names that could climb a path are refused", () => {
  const node = makeNodeRoot({});
  try {
    for (const bad of ["..", "../etc", "a/b", "", "reg:abc"]) {
      assert.throws(() => containerdTrustFor(node.fs, bad), InputError, bad);
    }
  } finally {
    node.cleanup();
  }
});
