import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { oneLine, ownControl, toTerminal, visible } from "./terminal-text.ts";

/** Every character a terminal acts on, as a hostile registry or event would send it. */
const HOSTILE: [string, string, string][] = [
  ["ESC clear screen", "a\u001b[2Jb", "a\\x1b[2Jb"],
  ["OSC 52 clipboard write", "\u001b]52;c;cm0gLXJmIC8=\u0007", "\\x1b]52;c;cm0gLXJmIC8=\\x07"],
  [
    "OSC 8 link",
    "\u001b]8;;https://evil/\u001b\\ok\u001b]8;;\u001b\\",
    "\\x1b]8;;https://evil/\\x1b\\ok\\x1b]8;;\\x1b\\",
  ],
  ["C1 CSI", "\u009b31mred", "\\u009b31mred"],
  ["C1 OSC", "\u009d0;title\u009c", "\\u009d0;title\\u009c"],
  ["CR overwrite", "FAIL\r✓ OK trusted", "FAIL\\r✓ OK trusted"],
  ["RLO bidi override", "gpj.\u202eexe", "gpj.\\u202eexe"],
  ["isolates and marks", "\u2066a\u2069\u200f\u061c", "\\u2066a\\u2069\\u200f\\u061c"],
  ["BOM and zero width", "\ufeffx\u200by", "\\ufeffx\\u200by"],
  ["NUL, BEL, backspace, DEL", "\u0000\u0007\b\u007f", "\\x00\\x07\\x08\\u007f"],
  ["line separator", "a\u2028b", "a\\u2028b"],
];

describe("the output boundary shows terminal controls escaped", () => {
  for (const [name, input, expected] of HOSTILE) {
    test(name, () => {
      assert.equal(toTerminal(input), expected);
      assert.equal(oneLine(input), expected);
    });
  }

  test("layout stays: newline and tab pass the boundary, oneLine escapes them", () => {
    assert.equal(visible("a\n\tb"), "a\n\tb");
    assert.equal(oneLine("CN=x\n  system  ✓ verifies"), "CN=x\\n  system  ✓ verifies");
  });

  test("printable Unicode is left alone", () => {
    const text = "✓ OK → Ünïcødé 日本 — repo.example.com:5000";
    assert.equal(toTerminal(text), text);
  });

  test("our own colours pass, unwrapped; the same bytes from outside do not", () => {
    const red = `${ownControl("\u001b[31m")}FAIL${ownControl("\u001b[0m")}`;
    assert.equal(toTerminal(red), "\u001b[31mFAIL\u001b[0m");
    assert.equal(toTerminal(`${red} \u001b[32mOK`), "\u001b[31mFAIL\u001b[0m \\x1b[32mOK");
  });

  test("oneLine keeps our own colour around an escaped value", () => {
    const red = ownControl("\u001b[31m");
    assert.equal(toTerminal(oneLine(`${red}a\nb`)), "\u001b[31ma\\nb");
  });

  test("a forged marker without the per-process secret is escaped", () => {
    const forged = "\u0000<0000:\u001b[2J:0000>\u0000";
    assert.doesNotMatch(toTerminal(forged), /\u001b/);
  });

  test("JSON keeps its value: what a JSON reader decodes is the original string", () => {
    const value = { subject: `CN=${HOSTILE.map((h) => h[1]).join("|")}\nx` };
    const out = toTerminal(JSON.stringify(value));
    assert.doesNotMatch(out, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    assert.deepEqual(JSON.parse(out), value);
  });
});
