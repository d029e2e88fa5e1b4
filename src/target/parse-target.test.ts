import assert from "node:assert/strict";
import { test } from "node:test";
import { InputError } from "../core/errors.ts";
import { parseTarget } from "./parse-target.ts";

const valid: Array<[string, Partial<ReturnType<typeof parseTarget>>]> = [
  ["repo.example.com", { kind: "host", host: "repo.example.com", port: 443, registry: "repo.example.com" }],
  [
    "repo.example.com:11000",
    { host: "repo.example.com", port: 11000, registry: "repo.example.com:11000", explicitPort: true },
  ],
  ["Repo.Example.COM:5000", { host: "repo.example.com", registry: "repo.example.com:5000" }],
  ["10.1.2.3:5000", { host: "10.1.2.3", serverName: null, registry: "10.1.2.3:5000" }],
  ["[::1]:5000", { host: "::1", port: 5000, registry: "[::1]:5000", serverName: null }],
  ["[fd00::1]", { host: "fd00::1", port: 443, registry: "[fd00::1]" }],
  ["fd00::1", { host: "fd00::1", port: 443, registry: "[fd00::1]" }],
  [
    "repo.example.com:11000/team/app:1.2",
    {
      kind: "image",
      registry: "repo.example.com:11000",
      port: 11000,
      image: { repository: "team/app", tag: "1.2", digest: null },
    },
  ],
  [
    `repo.example.com/app@sha256:${"a".repeat(64)}`,
    {
      kind: "image",
      registry: "repo.example.com",
      image: { repository: "app", tag: null, digest: `sha256:${"a".repeat(64)}` },
    },
  ],
  ["nginx", { kind: "host", host: "nginx", registry: "nginx" }],
  [
    "nginx:1.27",
    {
      kind: "image",
      host: "registry-1.docker.io",
      registry: "docker.io",
      image: { repository: "library/nginx", tag: "1.27", digest: null },
    },
  ],
  [
    "bitnami/redis",
    {
      kind: "image",
      registry: "docker.io",
      image: { repository: "bitnami/redis", tag: "latest", digest: null },
    },
  ],
  ["docker.io/library/busybox:1", { registry: "docker.io", serverName: "registry-1.docker.io" }],
  ["localhost:5000/app", { kind: "image", host: "localhost", registry: "localhost:5000" }],
  ["[::1]:5000/app:v1", { kind: "image", host: "::1", registry: "[::1]:5000" }],
  [
    "https://repo.example.com:11000/v2/",
    { kind: "url", port: 11000, path: "/v2/", registry: "repo.example.com:11000" },
  ],
  [
    "https://repo.example.com/v2/",
    { kind: "url", port: 443, registry: "repo.example.com", explicitPort: false },
  ],
  ["http://repo.example.com/", { kind: "url", port: 80 }],
];

for (const [input, expected] of valid) {
  test(`parseTarget(${JSON.stringify(input)})`, () => {
    const t = parseTarget(input);
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(t[key as keyof typeof t], value, `field ${key}`);
    }
  });
}

const invalid: Array<[string, RegExp]> = [
  ["", /empty/],
  ["repo.example.com:99999", /outside 1-65535/],
  ["repo.example.com:port", /not a valid tag|not a number/],
  ["repo..example.com", /not a valid host name/],
  ["rеpo.example.com", /non-ASCII/], // Cyrillic "е"
  ["repo example.com", /spaces/],
  ["repo.example.com/App:1", /lower-case/],
  ["repo.example.com/app@sha256:abc", /digest/],
  ["[::1", /unclosed/],
  ["[zz::1]:5000", /not an IPv6/],
  ["ftp://repo.example.com/", /unsupported scheme/],
  ["https://user:pw@repo.example.com/", /credentials/],
  [`${"a".repeat(64)}.example.com`, /longer than 63/],
  ["-bad.example.com", /not a valid host name/],
  ["repo.example.com/../etc", /lower-case/],
  ["repo.example.com:5000/app:bad tag", /spaces/],
];

for (const [input, message] of invalid) {
  test(`parseTarget rejects ${JSON.stringify(input)}`, () => {
    assert.throws(
      () => parseTarget(input),
      (e: unknown) => e instanceof InputError && message.test(e.message),
    );
  });
}
