import assert from "node:assert/strict";
import { test } from "node:test";
import { assertGolden } from "../../../test/golden/assert-golden.ts";
import { toTerminal } from "../../core/terminal-text.ts";
import type { DiagnoseResult } from "../../diagnose/result.ts";
import { makeStyle } from "../style.ts";
import { renderDiagnoseText } from "./diagnose-text.ts";

const INCIDENT: DiagnoseResult = {
  schemaVersion: 1,
  target: {
    input: "repo.example.com:11000",
    host: "repo.example.com",
    port: 11000,
    serverName: "repo.example.com",
    registry: "repo.example.com:11000",
  },
  ok: false,
  presented: [
    {
      subject: "CN=*.example.com",
      issuer: "CN=Example Issuing CA, O=Example Corp",
      serial: "0a1b",
      notBefore: "2026-01-01T00:00:00.000Z",
      notAfter: "2027-01-01T00:00:00.000Z",
      sans: ["*.example.com"],
      isCA: false,
      selfSigned: false,
      sha256: "AA:BB",
    },
    {
      subject: "CN=Example Issuing CA, O=Example Corp",
      issuer: "CN=Example Root CA, O=Example Corp",
      serial: "01",
      notBefore: "2025-01-01T00:00:00.000Z",
      notAfter: "2030-01-01T00:00:00.000Z",
      sans: [],
      isCA: true,
      selfSigned: false,
      sha256: "CC:DD",
    },
  ],
  contexts: [
    {
      name: "system",
      ok: false,
      anchors: ["/etc/ssl/certs/ca-certificates.crt"],
      insecure: false,
      error: "tls: failed to verify certificate: x509: certificate signed by unknown authority",
      go: {
        version: "go1.24",
        defaultGodebug: null,
        source: null,
        assumed: true,
        rules: {
          verifyErrorPrefix: true,
          sha1GodebugHint: false,
          rejectsNegativeSerial: true,
          rsaMinimumBits: 1024,
        },
      },
    },
    {
      name: "containerd",
      ok: false,
      anchors: ["/etc/ssl/certs/ca-certificates.crt"],
      insecure: false,
      error: "x509: certificate signed by unknown authority",
      summary:
        "config_path /etc/containerd/certs.d: no host directory for repo.example.com:11000; system roots only",
      go: {
        version: "go1.19.8",
        defaultGodebug: null,
        source: "/usr/bin/containerd (Go build info)",
        assumed: false,
        rules: {
          verifyErrorPrefix: false,
          sha1GodebugHint: true,
          rejectsNegativeSerial: false,
          rsaMinimumBits: 0,
        },
      },
    },
  ],
  registry: { status: 401, apiVersion: "registry/2.0", authRealm: "https://auth.example.com/token" },
  findings: [
    {
      code: "unknown-authority",
      severity: "error",
      message:
        'The node does not trust "CN=Example Root CA, O=Example Corp", the private CA that issued "CN=Example Issuing CA, O=Example Corp".',
      evidence: ["x509: certificate signed by unknown authority"],
      fix: [
        "Get the root CA certificate from your PKI team, then: regtrust trust repo.example.com:11000 --ca root.pem",
      ],
      contexts: ["system", "containerd"],
    },
  ],
  connection: { address: "10.0.0.5", protocol: "TLSv1.3", durationMs: 12 },
  checkedAt: "2026-11-28T00:00:00.000Z",
};

test("diagnose text: the incident, verdict first (golden)", () => {
  assertGolden("diagnose-unknown-authority.txt", renderDiagnoseText(INCIDENT, makeStyle(false)));
});

test("diagnose text: colour only when asked", () => {
  assert.doesNotMatch(renderDiagnoseText(INCIDENT, makeStyle(false)), /\u001b\[/);
  assert.match(toTerminal(renderDiagnoseText(INCIDENT, makeStyle(true))), /\u001b\[31m✗ FAIL/);
});

test("diagnose text: a healthy registry with an insecure runtime says so in the verdict", () => {
  const ok: DiagnoseResult = {
    ...INCIDENT,
    ok: true,
    contexts: [{ name: "containerd", ok: true, anchors: [], insecure: true, error: null }],
    findings: [
      {
        code: "insecure-skip-verify",
        severity: "warning",
        message: "containerd skips verification",
        fix: [],
      },
    ],
  };
  const text = renderDiagnoseText(ok, makeStyle(false));
  assert.match(
    text,
    /^! INSECURE {2}repo\.example\.com:11000: pulls work but containerd skips verification; 1 warning/,
  );
});

test("diagnose text: an OK verdict names only the contexts that verify", () => {
  const ok: DiagnoseResult = {
    ...INCIDENT,
    ok: true,
    contexts: [
      {
        name: "system",
        ok: false,
        anchors: [],
        insecure: false,
        error: "x509: certificate signed by unknown authority",
      },
      { name: "containerd", ok: true, anchors: [], insecure: false, error: null },
    ],
    findings: [],
  };
  const text = renderDiagnoseText(ok, makeStyle(false));
  assert.match(
    text,
    /^✓ OK {2}repo\.example\.com:11000: pulls verify for containerd; system does not verify\n/,
  );
});
