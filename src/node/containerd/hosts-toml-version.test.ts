import assert from "node:assert/strict";
import { test } from "node:test";
import { containerdFeatures } from "./features.ts";
import { parseHostsToml } from "./hosts-toml.ts";

const TOP_LEVEL_ONLY = 'server = "https://repo.example.com:5000"\nca = "/etc/pki/root.crt"\n';
const WITH_HOST_TABLE = `${TOP_LEVEL_ONLY}[host."https://repo.example.com:5000"]\n  capabilities = ["pull", "resolve"]\n`;

const cases: Array<[string, string | null, string, boolean]> = [
  ["1.6.20 rejects top-level-only", "1.6.20", TOP_LEVEL_ONLY, false],
  ["1.7.27 rejects top-level-only", "1.7.27", TOP_LEVEL_ONLY, false],
  ["2.0.0 accepts top-level-only", "2.0.0", TOP_LEVEL_ONLY, true],
  ["unknown version: newest behaviour", null, TOP_LEVEL_ONLY, true],
  ["1.6.20 accepts a [host] table", "1.6.20", WITH_HOST_TABLE, true],
];

for (const [name, version, text, ok] of cases) {
  test(`hosts.toml: ${name}`, () => {
    const parsed = parseHostsToml(
      text,
      "/etc/containerd/certs.d/repo.example.com:5000",
      containerdFeatures(version),
    );
    assert.equal(parsed.ok, ok, JSON.stringify(parsed));
    if (!parsed.ok) assert.match(parsed.reason, /invalid `host` tree/);
  });
}
