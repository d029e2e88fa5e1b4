import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readNodeView } from "../node/node-view.ts";
import { makeNodeRoot, type NodeEntry } from "../node/testing/node-root.ts";
import type { RuntimeName } from "../node/types.ts";
import { loadYamlParser } from "../node/yaml-parser.ts";
import { planOverrideRemovals } from "./override-removal.ts";

await loadYamlParser();

const REG = "reg.example.com:5000";
const CONFIG =
  'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n';
const HOSTS = `/etc/containerd/certs.d/${REG}/hosts.toml`;

interface Case {
  name: string;
  runtime: RuntimeName;
  registry?: string;
  entries: Record<string, NodeEntry>;
  file?: string;
  after?: string;
  command?: string[] | null;
  builtIn?: boolean;
}

const cases: Case[] = [
  {
    name: "containerd: the skip_verify line and regtrust's marker above it go; comments stay",
    runtime: "containerd",
    entries: {
      "/etc/containerd/config.toml": CONFIG,
      [HOSTS]: `# by hand\nserver = "https://${REG}"\n\n[host."https://${REG}"]\n  ca = "x.crt"\n  # regtrust-insecure-expires=2030-01-01T00:00:00.000Z\n  skip_verify = true\n`,
    },
    file: HOSTS,
    after: `# by hand\nserver = "https://${REG}"\n\n[host."https://${REG}"]\n  ca = "x.crt"\n`,
    command: null,
  },
  {
    name: "k3s: insecure_skip_verify goes from registries.yaml; k3s restarts",
    runtime: "k3s",
    entries: {
      "/etc/rancher/k3s/registries.yaml": `configs:\n  "${REG}":\n    tls:\n      ca_file: /etc/ssl/x.pem\n      insecure_skip_verify: true\n`,
      // What k3s rendered from it at its last start: what its containerd uses.
      [`/var/lib/rancher/k3s/agent/etc/containerd/certs.d/${REG}/hosts.toml`]: `server = "https://${REG}"\n[host."https://${REG}"]\n  skip_verify = true\n`,
    },
    file: "/etc/rancher/k3s/registries.yaml",
    after: `configs:\n  "${REG}":\n    tls:\n      ca_file: /etc/ssl/x.pem\n`,
    command: ["systemctl", "restart", "k3s"],
  },
  {
    name: "crio: insecure = true goes from registries.conf; CRI-O reloads",
    runtime: "crio",
    entries: {
      "/etc/containers/registries.conf": `[[registry]]\nlocation = "${REG}"\ninsecure = true\n`,
    },
    file: "/etc/containers/registries.conf",
    after: `[[registry]]\nlocation = "${REG}"\n`,
    command: ["systemctl", "reload", "crio"],
  },
  {
    name: "docker: only the registry's insecure-registries entry goes; dockerd reloads",
    runtime: "docker",
    entries: { "/etc/docker/daemon.json": `{\n  "insecure-registries": ["other:5000", "${REG}"]\n}\n` },
    file: "/etc/docker/daemon.json",
    after: `{\n  "insecure-registries": [\n    "other:5000"\n  ]\n}\n`,
    command: ["systemctl", "reload", "docker"],
  },
  {
    name: "containerd's loopback rule is built in: nothing to remove",
    runtime: "containerd",
    registry: "localhost:5000",
    entries: { "/etc/containerd/config.toml": CONFIG },
    builtIn: true,
  },
];

describe("planOverrideRemovals", () => {
  for (const c of cases) {
    test(c.name, () => {
      const node = makeNodeRoot(c.entries);
      try {
        const view = readNodeView(node.fs, { runtimes: [c.runtime] });
        const [removal, ...rest] = planOverrideRemovals(node.fs, view, c.registry ?? REG, [c.runtime]);
        assert.ok(removal, "one removal");
        assert.equal(rest.length, 0);
        assert.equal(removal.builtIn, c.builtIn ?? false);
        if (c.builtIn) return;
        assert.equal(removal.refusal, null);
        assert.equal(removal.setting.file, c.file);
        assert.equal(removal.transform(node.fs.readText(c.file ?? "") ?? ""), c.after);
        assert.deepEqual(removal.command?.argv ?? null, c.command);
      } finally {
        node.cleanup();
      }
    });
  }
});
