/**
 * Go's strconv.Quote (what fmt's %q prints for a string): backslash escapes for
 * `"` and `\`, C-style escapes for control characters, \x / \u / \U for other
 * non-printable characters; printable Unicode is kept as is.
 */
const SIMPLE: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
};

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function escapeRune(ch: string): string {
  const simple = SIMPLE[ch];
  if (simple) return simple;
  if (PRINTABLE.test(ch)) return ch;
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x80) return `\\x${code.toString(16).padStart(2, "0")}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, "0")}`;
  return `\\U${code.toString(16).padStart(8, "0")}`;
}

export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) out += escapeRune(ch);
  return `${out}"`;
}
