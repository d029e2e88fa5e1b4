import assert from "node:assert/strict";
import { test } from "node:test";
import { dropDependencyWarnings, warningCode } from "./dependency-warnings.ts";

test("warningCode reads the code from each emitWarning signature", () => {
  const cases: Array<[unknown[], string | undefined]> = [
    [["msg", "DeprecationWarning", "DEP0169"], "DEP0169"],
    [["msg", { type: "DeprecationWarning", code: "DEP0040" }], "DEP0040"],
    [[Object.assign(new Error("msg"), { code: "DEP0005" })], "DEP0005"],
    [["msg"], undefined],
    [["msg", "Warning"], undefined],
  ];
  for (const [args, code] of cases) assert.equal(warningCode(args), code, JSON.stringify(args));
});

test("only DEP0169 (node-fetch's url.parse) is dropped; other warnings still reach Node", () => {
  const seen: unknown[][] = [];
  const proc = { emitWarning: ((...args: unknown[]) => seen.push(args)) as typeof process.emitWarning };
  dropDependencyWarnings(proc);
  dropDependencyWarnings(proc);
  proc.emitWarning("url.parse() behavior is not standardized", "DeprecationWarning", "DEP0169");
  proc.emitWarning("url.parse()", { type: "DeprecationWarning", code: "DEP0169" });
  proc.emitWarning("The `punycode` module is deprecated", "DeprecationWarning", "DEP0040");
  proc.emitWarning("something else");
  assert.deepEqual(
    seen.map((a) => a[0]),
    ["The `punycode` module is deprecated", "something else"],
  );
});
