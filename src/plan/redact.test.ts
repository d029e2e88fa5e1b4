import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSecretKey, MASK, redactSecrets } from "./redact.ts";

const SECRET = "s3cr3t-Value_42";

describe("redactSecrets", () => {
  const cases: { name: string; text: string; keeps: string[] }[] = [
    {
      name: "k3s registries.yaml auth",
      text: `configs:\n  repo:\n    auth:\n      username: admin\n      password: ${SECRET}\n      identity_token: "${SECRET}"\n`,
      keeps: ["username: admin", `password: ${MASK}`, `identity_token: "${MASK}"`],
    },
    {
      name: "Docker config.json, minified",
      text: `{"auths":{"repo:5000":{"auth":"${SECRET}","identitytoken":"${SECRET}"}},"credsStore":"pass"}`,
      keeps: [`"auth":"${MASK}"`, `"credsStore":"pass"`, `"auths":{`],
    },
    {
      name: "hosts.toml Authorization header (array)",
      text: `[host."https://repo".header]\n  Authorization = ["Basic ${SECRET}"]\n  x-custom = ["kept"]\n`,
      keeps: [`Authorization = ["${MASK}"]`, `x-custom = ["kept"]`],
    },
    {
      name: "TOML inline table",
      text: `auth = { username = "u", password = "${SECRET}" }\n`,
      keeps: [`username = "u"`, `password = "${MASK}"`],
    },
    {
      name: "env file and trailing comment",
      text: `REGISTRY_PASSWORD=${SECRET}\nREGISTRY_USER=bob\ntoken: ${SECRET} # rotate monthly\n`,
      keeps: [`REGISTRY_PASSWORD=${MASK}`, "REGISTRY_USER=bob", `token: ${MASK} # rotate monthly`],
    },
    {
      name: "YAML block scalar",
      text: `secret: |\n  ${SECRET}\n  ${SECRET}\nnext: kept\n`,
      keeps: ["secret: |", `  ${MASK}`, "next: kept"],
    },
    {
      name: "URL with userinfo",
      text: `endpoint: https://bob:${SECRET}@repo.example.com/v2/\n`,
      keeps: [`https://bob:${MASK}@repo.example.com/v2/`],
    },
    {
      name: "private key block",
      text: `-----BEGIN EC PRIVATE KEY-----\n${SECRET}\n-----END EC PRIVATE KEY-----\n`,
      keeps: ["-----BEGIN EC PRIVATE KEY-----", MASK],
    },
  ];
  for (const { name, text, keeps } of cases) {
    it(`masks ${name}`, () => {
      const out = redactSecrets(text);
      assert.ok(!out.includes(SECRET), out);
      for (const kept of keeps) assert.ok(out.includes(kept), `missing ${kept} in\n${out}`);
    });
  }

  it("leaves text without secrets unchanged", () => {
    const text = `version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\nca_file: /etc/x.crt\n`;
    assert.equal(redactSecrets(text), text);
  });

  for (const [key, secret] of [
    ["password", true],
    ["Registry-Token", true],
    ["client_secret", true],
    ["authRealm", false],
    ["auths", false],
    ["ca_file", false],
  ] as const) {
    it(`classifies ${key} as ${secret ? "secret" : "not secret"}`, () =>
      assert.equal(isSecretKey(key), secret));
  }
});
