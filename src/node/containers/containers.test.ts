import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { makeNodeRoot, type NodeEntry } from "../testing/node-root.ts";
import { crioTrustFor } from "./containers.ts";
import { refMatchesPrefix } from "./registries-conf.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const REG = "reg.example.com:5000";
const CONF = "/etc/containers/registries.conf";

const FEDORA_CONF = `# For more information on this configuration file, see containers-registries.conf(5).
unqualified-search-registries = ["registry.fedoraproject.org", "quay.io", "docker.io"]

[[registry]]
location = "other.example.com"

[[registry]]
# Lab registry with a self-signed certificate
prefix = "${REG}"
location = "${REG}"
insecure = true

[[registry.mirror]]
location = "mirror.example.com:5000"
`;

const cases: {
  name: string;
  registry?: string;
  files: Record<string, NodeEntry>;
  caFiles: string[];
  insecure?: string | null;
  insecureAt?: string;
  findings: string[];
  mirrors?: string[];
}[] = [
  { name: "nothing configured", files: {}, caFiles: [], insecure: null, findings: [] },
  {
    name: "/etc/containers/certs.d *.crt",
    files: { [`/etc/containers/certs.d/${REG}/ca.crt`]: PEM },
    caFiles: [`/etc/containers/certs.d/${REG}/ca.crt`],
    findings: [],
  },
  {
    name: "first existing cert dir wins; dirs are not merged",
    files: { [`/etc/containers/certs.d/${REG}/a.crt`]: PEM, [`/etc/docker/certs.d/${REG}/b.crt`]: PEM },
    caFiles: [`/etc/containers/certs.d/${REG}/a.crt`],
    findings: [],
  },
  {
    name: "root's per-user dir comes first",
    files: {
      [`/root/.config/containers/certs.d/${REG}/u.crt`]: PEM,
      [`/etc/containers/certs.d/${REG}/a.crt`]: PEM,
    },
    caFiles: [`/root/.config/containers/certs.d/${REG}/u.crt`],
    findings: [],
  },
  {
    name: "falls back to /etc/docker/certs.d",
    files: { [`/etc/docker/certs.d/${REG}/b.crt`]: PEM },
    caFiles: [`/etc/docker/certs.d/${REG}/b.crt`],
    findings: [],
  },
  {
    name: "an empty higher-priority dir hides the docker one",
    files: { [`/etc/containers/certs.d/${REG}`]: { dir: true }, [`/etc/docker/certs.d/${REG}/b.crt`]: PEM },
    caFiles: [],
    findings: [],
  },
  {
    name: "dangling .crt is skipped",
    files: { [`/etc/containers/certs.d/${REG}/ca.crt`]: { symlink: "/gone.pem" } },
    caFiles: [],
    findings: [],
  },
  {
    name: ".cert without .key is fatal",
    files: { [`/etc/containers/certs.d/${REG}/ca.cert`]: PEM },
    caFiles: [],
    findings: ["config-invalid:error"],
  },
  {
    name: "registries.conf v2 insecure, with mirror",
    files: { [CONF]: FEDORA_CONF },
    caFiles: [],
    insecure: `[[registry]] prefix "${REG}" insecure = true`,
    insecureAt: `${CONF}:11`,
    findings: [],
    mirrors: ["mirror.example.com:5000"],
  },
  {
    name: "prefix without port matches host:port (upstream quirk)",
    files: { [CONF]: '[[registry]]\nlocation = "reg.example.com"\ninsecure = true\n' },
    caFiles: [],
    insecure: '[[registry]] prefix "reg.example.com" insecure = true',
    findings: [],
  },
  {
    name: "longest prefix wins",
    files: {
      [CONF]: `[[registry]]\nprefix = "*.example.com"\nlocation = ""\ninsecure = true\n\n[[registry]]\nlocation = "${REG}"\n`,
    },
    caFiles: [],
    insecure: null,
    findings: [],
  },
  {
    name: "drop-in overrides the main file's entry with the same prefix",
    files: {
      [CONF]: FEDORA_CONF,
      "/etc/containers/registries.conf.d/50-lab.conf": `[[registry]]\nlocation = "${REG}"\ninsecure = false\n`,
      "/etc/containers/registries.conf.d/README": "not a conf file",
    },
    caFiles: [],
    insecure: null,
    findings: [],
  },
  {
    name: "drop-in sets insecure",
    files: {
      "/etc/containers/registries.conf.d/99-insecure.conf": `[[registry]]\nlocation = "${REG}"\ninsecure = true\n`,
    },
    caFiles: [],
    insecure: `[[registry]] prefix "${REG}" insecure = true`,
    insecureAt: "/etc/containers/registries.conf.d/99-insecure.conf:3",
    findings: [],
  },
  {
    name: "v1 format still supported in the main file",
    files: {
      [CONF]: `[registries.search]\nregistries = ["docker.io"]\n\n[registries.insecure]\nregistries = ["${REG}"]\n`,
    },
    caFiles: [],
    insecure: `[[registry]] prefix "${REG}" insecure = true`,
    insecureAt: `${CONF}:5`,
    findings: [],
  },
  {
    name: "v1 in a drop-in fails every pull",
    files: {
      "/etc/containers/registries.conf.d/old.conf": `[registries.insecure]\nregistries = ["${REG}"]\n`,
    },
    caFiles: [],
    insecure: null,
    findings: ["config-invalid:error"],
  },
  {
    name: "location with a scheme fails every pull",
    files: { [CONF]: `[[registry]]\nlocation = "https://${REG}"\ninsecure = true\n` },
    caFiles: [],
    insecure: null,
    findings: ["config-invalid:error"],
  },
  {
    name: "TOML syntax error fails every pull",
    files: { [CONF]: "[[registry]\nlocation = 1\n" },
    caFiles: [],
    findings: ["config-invalid:error"],
  },
  {
    name: "root's registries.conf replaces the system file and its drop-ins",
    files: {
      "/root/.config/containers/registries.conf": "",
      "/etc/containers/registries.conf.d/99-insecure.conf": `[[registry]]\nlocation = "${REG}"\ninsecure = true\n`,
    },
    caFiles: [],
    insecure: null,
    findings: [],
  },
];

describe("crioTrustFor", () => {
  for (const c of cases) {
    test(c.name, () => {
      const node = makeNodeRoot(c.files);
      try {
        const view = crioTrustFor(node.fs, c.registry ?? REG);
        assert.equal(view.runtime, "crio");
        assert.deepEqual(
          view.caFiles.map((s) => s.path),
          c.caFiles,
        );
        if (c.insecure !== undefined) assert.equal(view.insecure?.setting ?? null, c.insecure);
        if (c.insecureAt) assert.equal(`${view.insecure?.file}:${view.insecure?.line}`, c.insecureAt);
        assert.deepEqual(
          view.findings.map((f) => `${f.code}:${f.severity}`),
          c.findings,
          JSON.stringify(view.findings, null, 2),
        );
        if (c.mirrors) assert.deepEqual(view.mirrors, c.mirrors);
      } finally {
        node.cleanup();
      }
    });
  }
});

describe("refMatchesPrefix (sysregistriesv2 refMatchingPrefix)", () => {
  const cases: [string, string, boolean][] = [
    ["reg.example.com", "reg.example.com", true],
    ["reg.example.com:5000", "reg.example.com", true],
    ["reg.example.com/team/app", "reg.example.com", true],
    ["reg.example.comx", "reg.example.com", false],
    ["reg.example.com", "reg.example.com:5000", false],
    ["a.example.com", "*.example.com", true],
    ["a.b.example.com:5000", "*.example.com", true],
    ["example.com", "*.example.com", false],
    ["evil.com/x.example.com", "*.example.com", false],
  ];
  for (const [ref, prefix, want] of cases) {
    test(`${ref} ~ ${prefix}: ${want}`, () => assert.equal(refMatchesPrefix(ref, prefix), want));
  }
});
