/**
 * TOML that smol-toml (TOML 1.1) accepts but go-toml 1.9.x (TOML 0.5, what
 * containerd 1.6/1.7 parse hosts.toml with) refuses: a trailing comma in an
 * inline table. Found by the
 * differential suite test/oracle/containerd-hosts.test.ts against 1.6.20 and
 * 1.7.24. Returns the reason and 1-based line, or null when go-toml 1.9 parses it.
 */
export function goTomlV1Rejects(text: string): { reason: string; line: number } | null {
  let line = 1;
  let i = 0;
  let lastSignificant = "";
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === "\n") {
      // go-toml 1.9's lexer accepts newlines inside inline tables (checked against 1.6.20).
      line += 1;
      i += 1;
      continue;
    }
    if (ch === "#") {
      while (i < text.length && text[i] !== "\n") i += 1;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const end = skipString(text, i);
      line += countNewlines(text, i, end);
      i = end;
      lastSignificant = "s";
      continue;
    }
    if (ch === "}" && lastSignificant === ",") return { reason: "trailing comma in an inline table", line };
    if (!/\s/.test(ch)) lastSignificant = ch;
    i += 1;
  }
  return null;
}

/** Index just past the string starting at `start` (basic, literal or multi-line). */
function skipString(text: string, start: number): number {
  const quote = text[start] as string;
  const triple = text.startsWith(quote.repeat(3), start);
  const delimiter = triple ? quote.repeat(3) : quote;
  let i = start + delimiter.length;
  while (i < text.length) {
    if (quote === '"' && text[i] === "\\") {
      i += 2;
      continue;
    }
    if (text.startsWith(delimiter, i)) {
      // A multi-line string may end with up to two extra quotes before the delimiter.
      let end = i + delimiter.length;
      while (triple && text[end] === quote && end - i < 5) end += 1;
      return end;
    }
    if (!triple && text[i] === "\n") return i;
    i += 1;
  }
  return i;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text[i] === "\n") n += 1;
  return n;
}
