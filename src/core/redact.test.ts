import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSecretKey, MASK, redactMessage, redactSecrets } from "./redact.ts";

const SECRET = "s3cr3t-Value_42";

describe("redactSecrets", () => {
  /** `gone`: non-secret-looking values that must disappear too (usernames). */
  const cases: { name: string; text: string; keeps: string[]; gone?: string[] }[] = [
    {
      name: "k3s registries.yaml auth",
      text: `configs:\n  repo:\n    auth:\n      username: admin\n      password: ${SECRET}\n      identity_token: "${SECRET}"\n`,
      keeps: [`username: ${MASK}`, `password: ${MASK}`, `identity_token: "${MASK}"`, "auth:"],
      gone: ["admin"],
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
      keeps: [`username = "${MASK}"`, `password = "${MASK}"`, "auth = { "],
    },
    {
      name: "env file and trailing comment",
      text: `REGISTRY_PASSWORD=${SECRET}\nREGISTRY_USER=bob\ntoken: ${SECRET} # rotate monthly\n`,
      keeps: [`REGISTRY_PASSWORD=${MASK}`, `REGISTRY_USER=${MASK}`, `token: ${MASK} # rotate monthly`],
      gone: ["bob"],
    },
    {
      name: "YAML block scalar",
      text: `secret: |\n  ${SECRET}\n  ${SECRET}\nnext: kept\n`,
      keeps: ["secret: |", `  ${MASK}`, "next: kept"],
    },
    {
      name: "URL with userinfo",
      text: `endpoint: https://bob:${SECRET}@repo.example.com/v2/\n`,
      keeps: [`https://${MASK}:${MASK}@repo.example.com/v2/`],
      gone: ["bob"],
    },
    {
      name: "URL with a token as the whole userinfo",
      text: `mirror: https://ghp_${SECRET}@repo.example.com\n`,
      keeps: [`https://${MASK}@repo.example.com`],
    },
    {
      name: "Docker config.json with username/password fields",
      text: `{\n  "auths": {\n    "repo:5000": {\n      "username": "robot$ci",\n      "password": "${SECRET}"\n    }\n  }\n}\n`,
      keeps: [`"username": "${MASK}"`, `"password": "${MASK}"`, `"repo:5000": {`],
      gone: ["robot$ci"],
    },
    {
      name: "containerd config.toml registry auth table",
      text: `[plugins."io.containerd.grpc.v1.cri".registry.configs."repo:5000".auth]\n  username = 'robot'\n  password = "${SECRET}"\n`,
      keeps: [`username = '${MASK}'`, `password = "${MASK}"`, `.configs."repo:5000".auth]`],
      gone: ["robot"],
    },
    {
      name: "private key block",
      text: `-----BEGIN EC PRIVATE KEY-----\n${SECRET}\n-----END EC PRIVATE KEY-----\n`,
      keeps: ["-----BEGIN EC PRIVATE KEY-----", MASK],
    },
  ];
  for (const { name, text, keeps, gone = [] } of cases) {
    it(`masks ${name}`, () => {
      const out = redactSecrets(text);
      assert.ok(!out.includes(SECRET), out);
      for (const value of gone) assert.ok(!out.includes(value), `${value} still in\n${out}`);
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
    ["username", true],
    ["REGISTRY_USERNAME", true],
    ["REGISTRY_USER", true],
    ["login", true],
    ["authRealm", false],
    ["users", false],
    ["user_agent", false],
    ["auths", false],
    ["ca_file", false],
  ] as const) {
    it(`classifies ${key} as ${secret ? "secret" : "not secret"}`, () =>
      assert.equal(isSecretKey(key), secret));
  }
});

describe("redactMessage (runtime and cluster texts regtrust repeats)", () => {
  const cases: { name: string; text: string; keeps: string[]; gone: string[] }[] = [
    {
      name: "dockerd's token realm URL with account=<username>",
      text: `Failed to pull image "repo:5000/app:v1": Error response from daemon: Get "https://auth.example.com/token?account=robot%24ci&scope=repository%3Aapp%3Apull&service=repo": x509: certificate signed by unknown authority`,
      keeps: [
        `?account=${MASK}&scope=repository%3Aapp%3Apull&service=repo"`,
        "x509: certificate signed by unknown authority",
      ],
      gone: ["robot%24ci"],
    },
    {
      name: "token=… inside a sentence",
      text: `imagePullSecret regcred refreshed, token=${SECRET}`,
      keeps: [`refreshed, token=${MASK}`],
      gone: [SECRET],
    },
    {
      name: "URL userinfo and an Authorization header",
      text: `GET https://bot:${SECRET}@repo/v2/ with Authorization: Bearer ${SECRET}`,
      keeps: [`https://${MASK}:${MASK}@repo/v2/`, `Bearer ${MASK}`],
      gone: [SECRET],
    },
  ];
  for (const { name, text, keeps, gone } of cases) {
    it(`masks ${name}`, () => {
      const out = redactMessage(text);
      for (const value of gone) assert.ok(!out.includes(value), `${value} still in\n${out}`);
      for (const kept of keeps) assert.ok(out.includes(kept), `missing ${kept} in\n${out}`);
    });
  }

  it("leaves prose after an auth scheme alone, masks a Basic credential", () => {
    assert.equal(
      redactMessage("the registry requires Basic authentication"),
      "the registry requires Basic authentication",
    );
    assert.equal(redactMessage("Authorization: Basic dXNlcjpwYXNz"), `Authorization: Basic ${MASK}`);
  });

  it("leaves CRI errors without credentials as they are (the classifier and goldens read them)", () => {
    const text =
      'rpc error: code = Unknown desc = failed to pull and unpack image "repo.example.com:5000/team/app:v1": failed to resolve reference "repo.example.com:5000/team/app:v1": failed to authorize: failed to fetch anonymous token: Get "https://auth.example.com/token?scope=repository%3Ateam%2Fapp%3Apull&service=repo.example.com%3A5000": x509: certificate signed by unknown authority';
    assert.equal(redactMessage(text), text);
  });
});
