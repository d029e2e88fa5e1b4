import assert from "node:assert/strict";
import { test } from "node:test";
import { parseJsonOutput } from "./run-fleet.ts";

const DOC = JSON.stringify(
  { schemaVersion: 1, ok: false, findings: [{ code: "unknown-authority" }] },
  null,
  2,
);

const CASES: { name: string; log: string; want: unknown }[] = [
  { name: "the document alone", log: `${DOC}\n`, want: JSON.parse(DOC) },
  {
    name: "stderr before it, with braces mid-line",
    log: `regtrust: warning: {insecure} override for repo expires soon\n${DOC}\n`,
    want: JSON.parse(DOC),
  },
  { name: "stderr after it", log: `${DOC}\nregtrust: note: restart containerd\n`, want: JSON.parse(DOC) },
  { name: "a stderr line starting with {", log: `{not json}\n${DOC}\n`, want: JSON.parse(DOC) },
  { name: "one-line JSON", log: '{"ok":true}\n', want: { ok: true } },
  { name: "no JSON (a usage error)", log: "regtrust: --ca x.pem: no such file\n", want: null },
  { name: "cut off", log: DOC.slice(0, 40), want: null },
];

for (const c of CASES) {
  test(`pod log JSON: ${c.name}`, () => assert.deepEqual(parseJsonOutput(c.log), c.want));
}
