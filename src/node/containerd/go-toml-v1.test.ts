import assert from "node:assert/strict";
import { test } from "node:test";
import { goTomlV1Rejects } from "./go-toml-v1.ts";

// Each row was checked against containerd 1.6.20/1.7.24 by test/oracle/containerd-hosts.test.ts.
const cases: { name: string; text: string; rejected: number | null }[] = [
  { name: "plain tables", text: '[host."https://r"]\n  ca = "a.crt"\n', rejected: null },
  { name: "inline table", text: 'host = { "https://r" = { ca = "a.crt" } }\n', rejected: null },
  {
    name: "trailing comma in an inline table",
    text: 'host = { "https://r" = { ca = "a.crt", } }\n',
    rejected: 1,
  },
  { name: "trailing comma in an array is fine", text: 'ca = ["a.crt",]\n[host]\n', rejected: null },
  {
    name: "newline inside an inline table is fine",
    text: 'host = { "https://r" = {\n ca = "a.crt" } }\n',
    rejected: null,
  },
  { name: "a comma-brace inside a string is no syntax", text: 'ca = "a,}"\n[host]\n', rejected: null },
  { name: "a comma-brace in a comment is no syntax", text: "# x = { a = 1, }\n[host]\n", rejected: null },
  { name: "line of the offending brace", text: '\n\nhost = { "h" = { ca = "x", } }\n', rejected: 3 },
];

for (const c of cases) {
  test(`goTomlV1Rejects: ${c.name}`, () => {
    assert.equal(goTomlV1Rejects(c.text)?.line ?? null, c.rejected);
  });
}
