import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { reverseEdit } from "./reverse-edit.ts";

const bytes = (text: string) => Buffer.from(text, "utf8");
const O = "a: 1\nb: 2\nc: 3\n";
/** regtrust's edit: one entry added after b. */
const N = "a: 1\nb: 2\nours: x\nc: 3\n";

describe("reverseEdit", () => {
  const cases: { name: string; current: string; expected: string | null }[] = [
    { name: "nobody else changed the file", current: N, expected: O },
    { name: "someone appended a line", current: `${N}d: 4\n`, expected: `${O}d: 4\n` },
    {
      name: "someone changed an unrelated line",
      current: N.replace("a: 1", "a: 9"),
      expected: O.replace("a: 1", "a: 9"),
    },
    {
      name: "someone added right next to our line (context gone)",
      current: "a: 1\nb: 2\nours: x\ntheirs: y\nc: 3\n",
      expected: "a: 1\nb: 2\ntheirs: y\nc: 3\n",
    },
    { name: "someone rewrote our line", current: "a: 1\nb: 2\nours: changed\nc: 3\n", expected: null },
    { name: "someone removed our line", current: O, expected: null },
  ];
  for (const { name, current, expected } of cases) {
    it(name, () => {
      const result = reverseEdit(bytes(N), bytes(O), bytes(current));
      assert.equal(result === null ? null : Buffer.from(result).toString("utf8"), expected);
    });
  }

  it("refuses binary content", () => {
    assert.equal(reverseEdit(Uint8Array.of(0, 1), Uint8Array.of(0), Uint8Array.of(0, 1)), null);
  });
});
