import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { makeNodeRoot, type NodeEntry } from "../testing/node-root.ts";
import { type DockerTrustOptions, dockerTrustFor } from "./docker.ts";
import { cidrContains } from "./insecure-match.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const REG = "reg.example.com:5000";
const DIR = `/etc/docker/certs.d/${REG}`;
const DAEMON = "/etc/docker/daemon.json";

const daemonJson = (insecure: string[], extra = "") =>
  `{\n  "log-driver": "journald",\n  "insecure-registries": [\n${insecure.map((i) => `    ${JSON.stringify(i)}`).join(",\n")}\n  ]${extra}\n}\n`;

const cases: {
  name: string;
  registry?: string;
  files: Record<string, NodeEntry>;
  opts?: DockerTrustOptions;
  caFiles: string[];
  insecure?: string | null;
  insecureLine?: number | null;
  findings: string[];
  summary?: RegExp;
}[] = [
  {
    name: "nothing configured",
    files: {},
    caFiles: [],
    insecure: null,
    findings: [],
    summary: /no \/etc\/docker\/certs\.d\/reg\.example\.com:5000; system roots only/,
  },
  { name: "ca.crt is added", files: { [`${DIR}/ca.crt`]: PEM }, caFiles: [`${DIR}/ca.crt`], findings: [] },
  {
    // dockerd loads the pair with tls.LoadX509KeyPair (test/oracle/moby-registry.test.ts): "k" is no key.
    name: "a client pair whose key does not load is fatal",
    files: { [`${DIR}/ca.crt`]: PEM, [`${DIR}/client.cert`]: PEM, [`${DIR}/client.key`]: "k" },
    caFiles: [`${DIR}/ca.crt`],
    findings: [`config-invalid:error@${DIR}/client.cert`],
  },
  {
    name: "a CA named .pem is never loaded",
    files: { [`${DIR}/ca.pem`]: PEM },
    caFiles: [],
    findings: [`ca-file-unusable:warning@${DIR}/ca.pem`],
  },
  {
    name: "a CA named .cert is fatal (no .key)",
    files: { [`${DIR}/ca.cert`]: PEM },
    caFiles: [],
    findings: [`config-invalid:error@${DIR}/ca.cert`],
  },
  {
    name: "a stray .key is fatal",
    files: { [`${DIR}/client.key`]: "k", [`${DIR}/ca.crt`]: PEM },
    caFiles: [`${DIR}/ca.crt`],
    findings: [`config-invalid:error@${DIR}/client.key`],
  },
  {
    name: "a dangling .crt symlink fails every pull",
    files: { [`${DIR}/ca.crt`]: { symlink: "/etc/pki/gone.pem" } },
    caFiles: [`${DIR}/ca.crt`],
    findings: [`ca-file-missing:error@${DIR}/ca.crt`],
  },
  {
    // certs.d is not read while the entry is there; its CA files are the pool dockerd uses once it is removed.
    name: "insecure-registries exact entry: TLS off; certs.d is the pool without it",
    files: { [DAEMON]: daemonJson(["other:5000", REG]), [`${DIR}/ca.crt`]: PEM },
    caFiles: [`${DIR}/ca.crt`],
    insecure: `insecure-registries "${REG}"`,
    insecureLine: 5,
    findings: [],
  },
  {
    name: "scheme is stripped from entries",
    files: { [DAEMON]: daemonJson([`http://${REG}`]) },
    caFiles: [],
    insecure: `insecure-registries "http://${REG}"`,
    findings: [],
  },
  {
    name: "host without the port does not match host:port",
    files: { [DAEMON]: daemonJson(["reg.example.com"]) },
    caFiles: [],
    insecure: null,
    findings: [],
  },
  {
    name: "CIDR entry matches an IP registry",
    registry: "10.1.2.3:5000",
    files: { [DAEMON]: daemonJson(["10.0.0.0/8"]) },
    caFiles: [],
    insecure: 'insecure-registries "10.0.0.0/8"',
    findings: [],
  },
  {
    name: "CIDR entry and a host name: said, not guessed",
    files: { [DAEMON]: daemonJson(["10.0.0.0/8"]) },
    caFiles: [],
    insecure: null,
    findings: [],
    summary: /CIDRs 10\.0\.0\.0\/8 apply if reg\.example\.com:5000 resolves into them/,
  },
  {
    name: "CIDR entry and a host name with known addresses",
    files: { [DAEMON]: daemonJson(["10.0.0.0/8"]) },
    opts: { addresses: ["10.9.9.9"] },
    caFiles: [],
    insecure: 'insecure-registries "10.0.0.0/8"',
    findings: [],
  },
  {
    name: "loopback is always insecure for dockerd",
    registry: "127.0.0.1:5000",
    files: {},
    caFiles: [],
    insecure: "dockerd's built-in insecure range 127.0.0.0/8",
    findings: [],
  },
  {
    name: "invalid daemon.json",
    files: { [DAEMON]: '{ "insecure-registries": [ "a", ] }' },
    caFiles: [],
    insecure: null,
    findings: [`config-invalid:error@${DAEMON}`],
  },
  {
    name: "unsupported scheme in insecure-registries stops dockerd",
    files: { [DAEMON]: daemonJson(["ftp://reg"]) },
    caFiles: [],
    findings: [`config-invalid:error@${DAEMON}`],
  },
  {
    name: "containerd image store reads hosts.toml and host_port_",
    files: {
      [DAEMON]: '{ "features": { "containerd-snapshotter": true } }',
      "/etc/docker/certs.d/reg.example.com_5000_/hosts.toml":
        'server = "https://reg.example.com:5000"\nca = "root.pem"\n',
      "/etc/docker/certs.d/reg.example.com_5000_/root.pem": PEM,
    },
    caFiles: ["/etc/docker/certs.d/reg.example.com_5000_/root.pem"],
    findings: [],
    summary: /^containerd image store/,
  },
  {
    name: "hosts.toml under the classic store is noted, not used",
    files: { [`${DIR}/hosts.toml`]: 'ca = "root.pem"\n', [`${DIR}/root.pem`]: PEM },
    caFiles: [],
    findings: [`ca-file-unusable:warning@${DIR}/root.pem`],
    summary: /hosts\.toml there is read only with the containerd image store/,
  },
];

describe("dockerTrustFor", () => {
  for (const c of cases) {
    test(c.name, () => {
      const node = makeNodeRoot(c.files);
      try {
        const view = dockerTrustFor(node.fs, c.registry ?? REG, c.opts);
        assert.equal(view.runtime, "docker");
        assert.deepEqual(
          view.caFiles.map((s) => s.path),
          c.caFiles,
        );
        if (c.insecure !== undefined) assert.equal(view.insecure?.setting ?? null, c.insecure);
        if (c.insecureLine !== undefined) assert.equal(view.insecure?.line, c.insecureLine);
        assert.deepEqual(
          view.findings.map((f) => `${f.code}:${f.severity}@${f.file}`),
          c.findings,
          JSON.stringify(view.findings, null, 2),
        );
        if (c.summary) assert.match(view.summary, c.summary);
      } finally {
        node.cleanup();
      }
    });
  }
});

describe("cidrContains", () => {
  const cases: [string, string, boolean][] = [
    ["127.0.0.0/8", "127.1.2.3", true],
    ["127.0.0.0/8", "128.0.0.1", false],
    ["10.0.0.0/8", "::ffff:10.1.1.1", true],
    ["::1/128", "::1", true],
    ["::1/128", "::2", false],
    ["fd00::/8", "fd12::1", true],
    ["192.168.1.0/24", "192.168.2.1", false],
    ["10.0.0.0/8", "fd00::1", false],
  ];
  for (const [cidr, ip, want] of cases) {
    test(`${cidr} ∋ ${ip}: ${want}`, () => assert.equal(cidrContains(cidr, ip), want));
  }
});
