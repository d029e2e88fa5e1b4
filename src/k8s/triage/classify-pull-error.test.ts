/**
 * The classifier on real text only: every message captured from the real
 * containerd 1.6.20 CRI PullImage and skopeo 1.9.3 in this repo
 * (test/support/captured-errors.json), and the forms quoted in
 * the project reference on runtime error strings (kubelet and containerd event texts), verbatim with their
 * placeholders (`<img>`, `…`). Where a test wraps one of those in a
 * wrapper the reference documents, the comment says so.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { FindingCode } from "../../findings/codes.ts";
import { classifyPullError, isSpecificCause } from "./classify-pull-error.ts";

interface Captured {
  source: string;
  scenario: string;
  message: string;
}

const CAPTURED = JSON.parse(
  readFileSync(new URL("../../../test/support/captured-errors.json", import.meta.url), "utf8"),
) as Captured[];

/** Go prints a self-signed server certificate as an unknown authority; the text cannot tell them apart. */
const EXPECTED_FOR_SCENARIO: Record<string, FindingCode> = {
  "unknown-authority": "unknown-authority",
  "hostname-mismatch": "hostname-mismatch",
  expired: "expired",
  "plain-http": "plain-http",
  "connection-refused": "connection-refused",
  "dns-failure": "dns-failure",
  "self-signed": "unknown-authority",
};

describe("captured runtime errors (containerd 1.6.20, skopeo 1.9.3)", () => {
  test("every recorded scenario has an expected code", () => {
    assert.ok(CAPTURED.length >= 14);
    for (const entry of CAPTURED) assert.ok(EXPECTED_FOR_SCENARIO[entry.scenario], entry.scenario);
  });

  for (const entry of CAPTURED) {
    test(`${entry.source}: ${entry.scenario}`, () => {
      const result = classifyPullError(entry.message);
      assert.equal(result.code, EXPECTED_FOR_SCENARIO[entry.scenario]);
      const registry = /https:\/\/([^/]+)\/v2\//.exec(entry.message)?.[1];
      assert.equal(result.host, registry, "host of the failing request");
      assert.equal(result.image, `${registry}/team/app:v1`);
      assert.doesNotMatch(result.detail, /"$/, "logrus quoting is removed");
      assert.ok(
        entry.message.replace(/\\"/g, '"').includes(result.detail),
        "detail is the runtime's own text",
      );
    });
  }

  test("kubelet's event wraps the CRI error (§7.1 skeleton around the captured containerd text)", () => {
    const containerd = CAPTURED.find(
      (e) => e.scenario === "unknown-authority" && e.source.startsWith("containerd"),
    );
    assert.ok(containerd);
    const event = `Failed to pull image "repo.example.com:44895/team/app:v1": rpc error: code = Unknown desc = ${containerd.message}`;
    const result = classifyPullError(event);
    assert.equal(result.code, "unknown-authority");
    assert.equal(result.detail, "x509: certificate signed by unknown authority");
    assert.equal(result.image, "repo.example.com:44895/team/app:v1");
  });
});

/** [runtimes.md section, text, code, extra expectations]. */
const DOCUMENTED: Array<[string, string, FindingCode, { host?: string; image?: string; detail?: string }?]> =
  [
    // §7.2 containerd table
    [
      "7.2",
      'failed to do request: Head "https://…": tls: failed to verify certificate: x509: certificate signed by unknown authority',
      "unknown-authority",
      { detail: "tls: failed to verify certificate: x509: certificate signed by unknown authority" },
    ],
    [
      "7.2",
      "… tls: failed to verify certificate: x509: certificate is valid for a.example, not b.example",
      "hostname-mismatch",
    ],
    ["7.2", "… x509: certificate has expired or is not yet valid: current time … is after …", "expired"],
    [
      "7.2",
      'failed to do request: Head "https://…": http: server gave HTTP response to HTTPS client',
      "plain-http",
      { detail: "http: server gave HTTP response to HTTPS client" },
    ],
    ["7.2", "… dial tcp <ip>:<port>: connect: connection refused", "connection-refused"],
    ["7.2", "… dial tcp: lookup <host> on <resolver>:53: no such host", "dns-failure"],
    ["7.2", "… dial tcp <ip>:<port>: i/o timeout", "timeout"],
    ["7.2", "net/http: TLS handshake timeout", "timeout"],
    [
      "7.2",
      "pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed",
      "auth-failed",
    ],
    ["7.2", "…: authorization failed: no basic auth credentials", "auth-failed"],
    ["7.2", "unexpected status from HEAD request to https://…: 401 Unauthorized", "auth-failed"],
    ["7.2", "<ref>: not found", "image-not-found"],
    ["7.1", "rpc error: code = NotFound desc = <ref>: not found", "image-not-found"],
    ["7.2", "failed to copy: httpReadSeeker: failed open: …", "pull-failed"],
    // §7.2 token realm: the documented wrapper around the x509 text of the table's first row / its dial error.
    [
      "7.2+8",
      "failed to authorize: failed to fetch anonymous token: tls: failed to verify certificate: x509: certificate signed by unknown authority",
      "auth-realm-untrusted",
    ],
    [
      "7.2+8",
      "failed to authorize: failed to fetch oauth token: … dial tcp <ip>:<port>: connect: connection refused",
      "auth-realm-unreachable",
    ],
    // §7.3 Docker
    [
      "7.3",
      'Error response from daemon: Get "https://reg:5000/v2/": tls: failed to verify certificate: x509: …',
      "tls-handshake-failed",
      { host: "reg:5000" },
    ],
    [
      "7.3",
      'Error response from daemon: Get "https://<ip>:5000/v2/": http: server gave HTTP response to HTTPS client',
      "plain-http",
    ],
    [
      "7.3",
      "pull access denied for <repo>, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
      "auth-failed",
      { image: "<repo>" },
    ],
    [
      "7.3",
      "manifest for <ref> not found: manifest unknown: manifest unknown",
      "image-not-found",
      { image: "<ref>" },
    ],
    // §7.4 containers/image
    [
      "7.4",
      'Error: initializing source docker://<ref>: pinging container registry <reg>: Get "https://<reg>/v2/": tls: failed to verify certificate: x509: …',
      "tls-handshake-failed",
      { image: "<ref>", host: "<reg>" },
    ],
    ["7.4", "reading manifest <tag> in <repo>: manifest unknown", "image-not-found"],
    // §7.1 kubelet
    ["7.1", 'Failed to pull image "<img>": <err>', "pull-failed", { image: "<img>" }],
    ["7.1", 'Back-off pulling image "<img>": ErrImagePull: <last error>', "pull-failed", { image: "<img>" }],
    [
      "7.1",
      "image pull failed for <img> because the registry is unavailable: …",
      "connection-refused",
      { image: "<img>" },
    ],
    // §6.1 Go crypto/x509 error strings
    [
      "6.1",
      'x509: certificate signed by unknown authority (possibly because of "<err>" while trying to verify candidate authority certificate "<CN>")',
      "unknown-authority",
    ],
    [
      "6.1",
      "x509: cannot validate certificate for <ip> because it doesn't contain any IP SANs",
      "hostname-mismatch",
    ],
    ["6.1", "x509: certificate is not valid for any names, but wanted to match <host>", "hostname-mismatch"],
    ["6.1", "x509: certificate relies on legacy Common Name field, use SANs instead", "cn-only"],
    [
      "6.1",
      "x509: certificate has expired or is not yet valid: current time <RFC3339> is before <notBefore>",
      "not-yet-valid",
    ],
    ["6.1", "x509: certificate is not authorized to sign other certificates", "not-a-ca"],
    ["6.1", "x509: certificate specifies an incompatible key usage", "incompatible-usage"],
    ["6.1", "x509: failed to load system roots and no roots provided", "unknown-authority"],
    [
      "6.1",
      'pinging container registry registry-1.docker.io: Get "https://registry-1.docker.io/v2/": tls: failed to verify certificate: x509: certificate is valid for *.execute-api.us-east-1.amazonaws.com, not registry-1.docker.io',
      "hostname-mismatch",
      { host: "registry-1.docker.io" },
    ],
    ["6.1", "remote error: tls: bad certificate", "tls-handshake-failed"],
    // The rate-limit error code the issue names (issue 6, "toomanyrequests"); no full text is documented.
    ["issue 6", "toomanyrequests", "rate-limited"],
  ];

describe("documented error forms (runtimes.md)", () => {
  for (const [section, text, code, extra] of DOCUMENTED) {
    test(`§${section}: ${text}`, () => {
      const result = classifyPullError(text);
      assert.equal(result.code, code);
      if (extra?.host !== undefined) assert.equal(result.host, extra.host);
      if (extra?.image !== undefined) assert.equal(result.image, extra.image);
      if (extra?.detail !== undefined) assert.equal(result.detail, extra.detail);
    });
  }
});

test("isSpecificCause: only pull-failed names no cause", () => {
  assert.equal(isSpecificCause("pull-failed"), false);
  assert.equal(isSpecificCause("unknown-authority"), true);
});
