import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "smol-toml";
import { scanTomlKeyLines } from "./toml-lines.ts";

const CONFIG = `version = 2   # containerd 1.7

[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "/etc/containerd/certs.d"
  [plugins."io.containerd.grpc.v1.cri".registry.configs."reg.example.com:5000".tls]
    ca_file = "/etc/ssl/reg.pem"
[plugins.'io.containerd.grpc.v1.cri'.containerd]
  snapshotter = "overlayfs"
  runtimes = [
    "a = 1",
    { name = "x" },
  ]
  notes = """
fake = "not a key"
"""
  registry.mirrors."docker.io".endpoint = ["https://mirror"]
`;

const REGISTRIES_CONF = `unqualified-search-registries = ["docker.io"]

[[registry]]
location = "a.example.com"

[[registry]]
location = "b.example.com:5000"
insecure = true

[[registry.mirror]]
location = "mirror.example.com"
insecure = true

[[registry]]
location = "c.example.com"

[[registry.mirror]]
location = "mirror-c.example.com"
`;

const cases: { name: string; text: string; path: string[]; line: number | null }[] = [
  { name: "top-level key", text: CONFIG, path: ["version"], line: 1 },
  { name: "table header", text: CONFIG, path: ["plugins", "io.containerd.grpc.v1.cri", "registry"], line: 3 },
  {
    name: "key in quoted table",
    text: CONFIG,
    path: ["plugins", "io.containerd.grpc.v1.cri", "registry", "config_path"],
    line: 4,
  },
  {
    name: "key in a deep table with a host:port segment",
    text: CONFIG,
    path: [
      "plugins",
      "io.containerd.grpc.v1.cri",
      "registry",
      "configs",
      "reg.example.com:5000",
      "tls",
      "ca_file",
    ],
    line: 6,
  },
  {
    name: "literal-quoted table",
    text: CONFIG,
    path: ["plugins", "io.containerd.grpc.v1.cri", "containerd", "snapshotter"],
    line: 8,
  },
  {
    name: "string inside a multi-line array is not a key",
    text: CONFIG,
    path: ["plugins", "io.containerd.grpc.v1.cri", "containerd", "a"],
    line: null,
  },
  {
    name: "text inside a multi-line string is not a key",
    text: CONFIG,
    path: ["plugins", "io.containerd.grpc.v1.cri", "containerd", "fake"],
    line: null,
  },
  {
    name: "dotted key after the multi-line string",
    text: CONFIG,
    path: [
      "plugins",
      "io.containerd.grpc.v1.cri",
      "containerd",
      "registry",
      "mirrors",
      "docker.io",
      "endpoint",
    ],
    line: 16,
  },
  {
    name: "first array-of-tables entry",
    text: REGISTRIES_CONF,
    path: ["registry", "0", "location"],
    line: 4,
  },
  { name: "second entry", text: REGISTRIES_CONF, path: ["registry", "1", "insecure"], line: 8 },
  {
    name: "nested array of tables",
    text: REGISTRIES_CONF,
    path: ["registry", "1", "mirror", "0", "insecure"],
    line: 12,
  },
  {
    name: "mirror index restarts per registry",
    text: REGISTRIES_CONF,
    path: ["registry", "2", "mirror", "0", "location"],
    line: 18,
  },
  { name: "missing key", text: REGISTRIES_CONF, path: ["registry", "0", "insecure"], line: null },
];

for (const c of cases) {
  test(`${c.name}: ${c.path.join(".")} → ${c.line}`, () => {
    parse(c.text); // the fixtures are valid TOML
    assert.equal(scanTomlKeyLines(c.text).lineOf(c.path), c.line);
  });
}
