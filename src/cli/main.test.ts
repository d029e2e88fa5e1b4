import assert from "node:assert/strict";
import { test } from "node:test";
import { argvForInvocation } from "./main.ts";

const cases: Array<[string, string[], string[]]> = [
  ["/usr/local/bin/regtrust", ["diagnose", "h"], ["diagnose", "h"]],
  ["/usr/local/bin/kubectl-regtrust", ["why", "pod-a"], ["k8s", "why", "pod-a"]],
  ["/home/u/.krew/bin/kubectl-regtrust.mjs", ["pulls", "-A"], ["k8s", "pulls", "-A"]],
];

for (const [script, argv, expected] of cases) {
  test(`argvForInvocation(${script})`, () => {
    assert.deepEqual(argvForInvocation(script, argv), expected);
  });
}
