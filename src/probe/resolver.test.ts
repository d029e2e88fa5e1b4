import assert from "node:assert/strict";
import { test } from "node:test";
import { isSpecialUseInvalid, systemResolver } from "./resolver.ts";

const cases: Array<[string, boolean]> = [
  ["registry.invalid", true],
  ["REGISTRY.INVALID.", true],
  ["invalid", true],
  ["repo.example.com", false],
  ["invalid.example.com", false],
  ["notinvalid", false],
];

for (const [name, expected] of cases) {
  test(`isSpecialUseInvalid(${JSON.stringify(name)}) = ${expected}`, () => {
    assert.equal(isSpecialUseInvalid(name), expected);
  });
}

test("systemResolver answers .invalid names negatively without a query (RFC 6761 §6.4)", async () => {
  await assert.rejects(
    systemResolver.lookup("registry.regtrust-test.invalid"),
    (e: NodeJS.ErrnoException) => {
      return e.code === "ENOTFOUND";
    },
  );
});
