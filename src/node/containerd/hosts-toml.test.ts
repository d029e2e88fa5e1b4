import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { containerdFeatures } from "./features.ts";
import { parseHostsToml } from "./hosts-toml.ts";

const DIR = "/etc/containerd/certs.d/reg.example.com:5000";

/** The docs' example (containerd docs/hosts.md), every field once. */
const FULL = `server = "https://registry-1.docker.io"

[host."https://mirror-a.example.com"]
  capabilities = ["pull", "resolve"]
  ca = "mirror-a.crt"
  skip_verify = false
  [host."https://mirror-a.example.com".header]
    x-custom = ["a", "b"]

[host."http://mirror-b.example.com:8080/v2/base"]
  capabilities = ["pull"]
  ca = ["/etc/certs/b1.pem", "b2.pem"]
  client = [["/etc/certs/client.cert", "/etc/certs/client.key"]]
  override_path = true
  dial_timeout = "2s"
`;

test("endpoints come in try order: [host] tables in file order, then server", () => {
  const parsed = parseHostsToml(FULL, DIR);
  assert.ok(parsed.ok);
  assert.deepEqual(
    parsed.endpoints.map((e) => [
      e.kind,
      e.scheme,
      e.host,
      e.capabilities.join("+"),
      e.ca,
      e.skipVerify,
      e.hasClientCert,
      e.line,
    ]),
    [
      ["host", "https", "mirror-a.example.com", "pull+resolve", [`${DIR}/mirror-a.crt`], false, false, 3],
      [
        "host",
        "http",
        "mirror-b.example.com:8080",
        "pull",
        ["/etc/certs/b1.pem", `${DIR}/b2.pem`],
        null,
        true,
        10,
      ],
      ["server", "https", "registry-1.docker.io", "pull+resolve+push+referrers", null, null, false, null],
    ],
  );
});

test("no server key: the server entry dials the namespace itself", () => {
  const parsed = parseHostsToml('ca = "a.crt"\n', DIR);
  assert.ok(parsed.ok);
  assert.equal(parsed.endpoints.length, 1);
  assert.equal(parsed.endpoints[0]?.host, null);
  assert.equal(parsed.endpoints[0]?.caLine, 1);
});

test("server without a scheme means https", () => {
  const parsed = parseHostsToml('server = "reg.example.com:5000"\n', DIR);
  assert.ok(parsed.ok);
  assert.deepEqual(
    [parsed.endpoints[0]?.scheme, parsed.endpoints[0]?.host],
    ["https", "reg.example.com:5000"],
  );
});

describe("what makes containerd drop the whole file", () => {
  const cases: { name: string; text: string; version?: string; reason: RegExp; line: number | null }[] = [
    {
      name: "TOML syntax",
      text: 'server = "https://a"\n[host."https://b"\n',
      reason: /Invalid TOML/,
      line: 2,
    },
    {
      name: "unknown capability",
      text: 'capabilities = ["pull", "fetch"]\n',
      reason: /unknown capability fetch/,
      line: 1,
    },
    {
      name: "capabilities as a string",
      text: 'capabilities = "pull"\n',
      reason: /array of strings/,
      line: 1,
    },
    { name: "ca of the wrong type", text: "ca = 42\n", reason: /invalid type number for "ca"/, line: 1 },
    { name: "ca list with a number", text: 'ca = ["a.crt", 1]\n', reason: /for "ca"/, line: 1 },
    {
      name: "client pair of three",
      text: '[host."https://m"]\n  client = [["a", "b", "c"]]\n',
      reason: /invalid pair/,
      line: 2,
    },
    {
      name: "skip_verify as a string",
      text: 'skip_verify = "true"\n',
      reason: /skip_verify must be a boolean/,
      line: 1,
    },
    {
      name: "override_path as a number",
      text: "override_path = 1\n",
      reason: /override_path must be a boolean/,
      line: 1,
    },
    {
      name: "header value of the wrong type",
      text: "[header]\n  x = 1\n",
      reason: /for header "x"/,
      line: 1,
    },
    { name: "server as a number", text: "server = 5\n", reason: /"server" must be a string/, line: 1 },
    { name: "bad dial_timeout (2.1+)", text: 'dial_timeout = "soon"\n', reason: /not a duration/, line: 1 },
    {
      name: "referrers before 2.2",
      text: 'capabilities = ["referrers"]\n',
      version: "2.1.0",
      reason: /unknown capability referrers/,
      line: 1,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const parsed = parseHostsToml(c.text, DIR, containerdFeatures(c.version));
      assert.equal(parsed.ok, false);
      if (parsed.ok) return;
      assert.match(parsed.reason, c.reason);
      assert.equal(parsed.line, c.line);
    });
  }
});

test("dial_timeout before 2.1 is an unknown key and ignored", () => {
  assert.equal(parseHostsToml('dial_timeout = "soon"\n', DIR, containerdFeatures("2.0.0")).ok, true);
});

test("containerdFeatures by version", () => {
  const base = { defaultHostDir: true };
  assert.deepEqual(containerdFeatures("1.6.20"), {
    ...base,
    localhostByPort: false,
    httpsFirstWithTls: false,
    configVersion3: "v2-tables",
    referrersCapability: false,
    dialTimeout: false,
    hostlessHostsToml: false,
  });
  assert.deepEqual(containerdFeatures("v1.7.27"), {
    ...base,
    localhostByPort: true,
    httpsFirstWithTls: true,
    configVersion3: "rejected",
    referrersCapability: false,
    dialTimeout: false,
    hostlessHostsToml: false,
  });
  assert.deepEqual(containerdFeatures("2.1.4-1"), {
    ...base,
    localhostByPort: true,
    httpsFirstWithTls: true,
    configVersion3: "supported",
    referrersCapability: false,
    dialTimeout: true,
    hostlessHostsToml: true,
  });
  assert.deepEqual(containerdFeatures(null), containerdFeatures("2.2.0"));
});
