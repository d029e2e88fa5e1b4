import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FINDING_CODES } from "../../findings/codes.ts";
import { conditionOf, parseStatusAnnotation, reasonOf } from "./node-condition.ts";

describe("RegistryTrustReady reason", () => {
  for (const [code, reason] of [
    ["unknown-authority", "UnknownAuthority"],
    ["restart-required", "RestartRequired"],
    ["tls-handshake-failed", "TlsHandshakeFailed"],
  ] as const) {
    it(`${code} → ${reason}`, () => assert.equal(reasonOf(code), reason));
  }
  it("every finding code maps to a reason the API server accepts", () => {
    for (const code of FINDING_CODES)
      assert.match(reasonOf(code), /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/, code);
  });
});

describe("conditionOf", () => {
  const base = { schemaVersion: 1 as const, mode: "enforce" as const, checkedAt: "2026-01-10T09:00:00Z" };
  it("no verdicts → Unknown", () => assert.equal(conditionOf(null).status, "Unknown"));
  it("all trusted → True", () =>
    assert.equal(
      conditionOf({ ...base, registries: [{ registry: "r:5000", trusted: true }] }).status,
      "True",
    ));
  it("one untrusted → False with its code as reason and every failure in the message", () =>
    assert.deepEqual(
      conditionOf({
        ...base,
        registries: [
          { registry: "a:5000", trusted: true },
          { registry: "b:5000", trusted: false, code: "expired" },
          { registry: "c:5000", trusted: false, code: "unknown-authority" },
        ],
      }),
      { status: "False", reason: "Expired", message: "b:5000: expired; c:5000: unknown-authority" },
    ));
  it("malformed annotation reads as no status", () => {
    assert.equal(parseStatusAnnotation("{nope"), null);
    assert.equal(parseStatusAnnotation(JSON.stringify({ schemaVersion: 2, registries: [] })), null);
  });
});
