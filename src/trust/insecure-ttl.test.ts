import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../core/errors.ts";
import { parseTtl } from "./insecure-ttl.ts";

const cases: [string | undefined, number | RegExp][] = [
  ["30m", 30 * 60_000],
  ["4h", 4 * 3_600_000],
  ["2d", 2 * 86_400_000],
  ["1d12h", 36 * 3_600_000],
  ["7d", 7 * 86_400_000],
  [undefined, /needs --ttl/],
  ["7d1m", /longer than 7 days/],
  ["0h", /longer than zero/],
  ["4 h", /must look like/],
  ["-1h", /must look like/],
  ["4hours", /must look like/],
];
for (const [text, expected] of cases) {
  test(`parseTtl(${JSON.stringify(text)})`, () => {
    if (typeof expected === "number") assert.equal(parseTtl(text), expected);
    else
      assert.throws(
        () => parseTtl(text),
        (e: Error) => e instanceof UsageError && expected.test(e.message),
      );
  });
}
