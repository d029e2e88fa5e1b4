import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../core/errors.ts";
import { normaliseFingerprint } from "./from-server.ts";

const HEX = "0f5781dd64b6978b1b2c16f97dc1adfeb784bdde9d54c59f02600f6780622513";
const cases: [string, string | null][] = [
  [HEX, HEX],
  [HEX.toUpperCase(), HEX],
  [HEX.toUpperCase().match(/../g)!.join(":"), HEX],
  [`SHA256:${HEX}`, HEX],
  [` ${HEX} `, HEX],
  [HEX.slice(2), null],
  [`${HEX}00`, null],
  ["zz".repeat(32), null],
];
for (const [input, expected] of cases) {
  test(`normaliseFingerprint(${input.slice(0, 20)}…)`, () => {
    if (expected === null) assert.throws(() => normaliseFingerprint(input), UsageError);
    else assert.equal(normaliseFingerprint(input), expected);
  });
}
