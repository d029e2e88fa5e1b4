import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseHostsToml } from "./hosts-toml.ts";
import { editHostsToml, type HostSetting, newHostsToml } from "./hosts-toml-edit.ts";

const REG = "reg.example.com:5000";
const DIR = `/etc/containerd/certs.d/${REG}`;
const CA: HostSetting = { kind: "ca", file: "regtrust-abc.crt" };
const SKIP: HostSetting = {
  kind: "skip-verify",
  marker: "# regtrust-insecure-expires=2030-01-01T00:00:00.000Z",
};
const HOST = `[host."https://${REG}"]`;

describe("editHostsToml", () => {
  const edits: [string, string, HostSetting, string][] = [
    [
      "ca appended at the end of the registry's table",
      `${HOST}\n  capabilities = ["pull"]\n\n[host."https://mirror"]\n  capabilities = ["pull"]\n`,
      CA,
      `${HOST}\n  capabilities = ["pull"]\n  ca = ["regtrust-abc.crt"]\n\n[host."https://mirror"]\n  capabilities = ["pull"]\n`,
    ],
    [
      "an existing one-line ca list is extended",
      `${HOST}\n  ca = ["/a.pem",] # old\n`,
      CA,
      `${HOST}\n  ca = ["/a.pem", "regtrust-abc.crt"] # old\n`,
    ],
    [
      "no table for the registry: a [host] table is appended",
      `server = "https://${REG}"\n`,
      CA,
      `server = "https://${REG}"\n\n${HOST}\n  capabilities = ["pull", "resolve"]\n  ca = ["regtrust-abc.crt"]\n`,
    ],
    [
      "skip_verify = false becomes true with the expiry marker above it",
      `${HOST}\n  skip_verify = false\n`,
      SKIP,
      `${HOST}\n  ${SKIP.kind === "skip-verify" ? SKIP.marker : ""}\n  skip_verify = true\n`,
    ],
    [
      "the CA already listed: unchanged",
      `${HOST}\n  ca = "regtrust-abc.crt"\n`,
      CA,
      `${HOST}\n  ca = "regtrust-abc.crt"\n`,
    ],
  ];
  for (const [name, before, setting, after] of edits) {
    test(name, () => {
      const result = editHostsToml(before, DIR, REG, setting);
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.text, after);
    });
  }

  const refusals: [string, string, RegExp][] = [
    ["invalid TOML", `${HOST}\n  ca = [\n`, /containerd ignores/],
    ["a multi-line ca array", `${HOST}\n  ca = [\n    "/a.pem",\n  ]\n`, /not a one-line value/],
    ["all pulls go to another server", `server = "https://mirror.example.com"\n`, /sends every pull/],
    [
      "the server entry has TLS settings",
      `server = "https://${REG}"\nskip_verify = true\n`,
      /own TLS settings/,
    ],
  ];
  for (const [name, before, reason] of refusals) {
    test(`refused: ${name}`, () => {
      const result = editHostsToml(before, DIR, REG, CA);
      assert.ok(!result.ok);
      assert.match(result.refusal.reason, reason);
      assert.ok(result.refusal.manual.includes(HOST), result.refusal.manual.join("\n"));
    });
  }

  test("a new regtrust hosts.toml has a [host] table containerd 1.6 accepts, with the CA resolved beside it", () => {
    const parsed = parseHostsToml(newHostsToml(REG, CA), DIR);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.endpoints[0]?.ca, [`${DIR}/regtrust-abc.crt`]);
    assert.deepEqual(parsed.endpoints[0]?.capabilities, ["pull", "resolve"]);
    assert.equal(parsed.endpoints[1]?.url, `https://${REG}`);
  });
});
