import assert from "node:assert/strict";
import { test } from "node:test";
import { makeNodeRoot, type NodeEntry } from "./testing/node-root.ts";
import type { RuntimeName } from "./types.ts";
import { nodeNeedsYaml, prepareYamlFor, yamlParser } from "./yaml-parser.ts";

const CONTAINERD = { "/etc/containerd/config.toml": "version = 2\n" };

const CASES: {
  name: string;
  files: Record<string, NodeEntry>;
  runtime?: string | RuntimeName[];
  want: boolean;
}[] = [
  { name: "plain containerd node", files: CONTAINERD, want: false },
  { name: "--runtime containerd,system", files: CONTAINERD, runtime: "containerd,system", want: false },
  { name: "--runtime k3s on a plain node", files: CONTAINERD, runtime: " k3s", want: true },
  { name: "runtimes [rke2]", files: CONTAINERD, runtime: ["rke2"], want: true },
  { name: "k3s registries.yaml", files: { "/etc/rancher/k3s/registries.yaml": "" }, want: true },
  { name: "rke2 binary only", files: { "/usr/local/bin/rke2": "" }, want: true },
];

for (const c of CASES) {
  test(`YAML parser needed: ${c.name} → ${c.want}`, (t) => {
    const node = makeNodeRoot(c.files);
    t.after(() => node.cleanup());
    assert.equal(nodeNeedsYaml(node.fs, c.runtime), c.want);
  });
}

// One process per test file, and tests in a file run in order: the parser is
// still unloaded here, so this sees both sides of prepareYamlFor.
test("prepareYamlFor leaves the parser unloaded on a plain node and loads it for k3s", async (t) => {
  const plain = makeNodeRoot(CONTAINERD);
  const k3s = makeNodeRoot({ "/etc/rancher/k3s/registries.yaml": "mirrors: {}\n" });
  t.after(() => {
    plain.cleanup();
    k3s.cleanup();
  });
  await prepareYamlFor(plain.fs);
  assert.throws(() => yamlParser(), /YAML parser was not loaded/);
  await prepareYamlFor(k3s.fs);
  assert.equal(typeof yamlParser().parseDocument, "function");
});
