/**
 * 1-based line numbers of TOML keys and table headers, found by scanning the
 * text: smol-toml returns values without positions, and findings must name
 * the exact line to edit. Paths are the parsed key segments; array-of-tables
 * entries add their 0-based index (`["registry", "1", "insecure"]`).
 * Run only on text that parsed, so the scanner can be lenient.
 */
export interface TomlKeyLines {
  lineOf(path: readonly (string | number)[]): number | null;
}

interface ScanState {
  /** Open brackets/braces of a value that continues on the next line. */
  depth: number;
  /** Delimiter of an open multi-line string, if any. */
  multiline: '"""' | "'''" | null;
}

export function scanTomlKeyLines(text: string): TomlKeyLines {
  const lines = new Map<string, number>();
  const arrayIndex = new Map<string, number>();
  const record = (path: string[], line: number) => {
    const key = JSON.stringify(path);
    if (!lines.has(key)) lines.set(key, line);
  };
  let table: string[] = [];
  const state: ScanState = { depth: 0, multiline: null };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (state.depth > 0 || state.multiline) {
      scanValue(raw, 0, state);
      return;
    }
    const trimmed = raw.trimStart();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    if (trimmed.startsWith("[[")) {
      const plain = parseKeyPath(trimmed, 2).parts;
      const array = [...withArrayIndexes(plain.slice(0, -1), arrayIndex), plain.at(-1) ?? ""];
      const next = (arrayIndex.get(JSON.stringify(array)) ?? -1) + 1;
      arrayIndex.set(JSON.stringify(array), next);
      table = [...array, String(next)];
      record(table, line);
      return;
    }
    if (trimmed.startsWith("[")) {
      table = withArrayIndexes(parseKeyPath(trimmed, 1).parts, arrayIndex);
      record(table, line);
      return;
    }
    const { parts, end } = parseKeyPath(trimmed, 0);
    if (parts.length === 0) return;
    for (let n = 1; n <= parts.length; n++) record([...table, ...parts.slice(0, n)], line);
    const eq = trimmed.indexOf("=", end);
    if (eq >= 0) scanValue(trimmed, eq + 1, state);
  });
  return { lineOf: (path) => lines.get(JSON.stringify(path.map(String))) ?? null };
}

/** Inserts the current index after every prefix that names an array of tables (keys are resolved paths). */
function withArrayIndexes(plain: string[], arrayIndex: Map<string, number>): string[] {
  const out: string[] = [];
  for (const part of plain) {
    out.push(part);
    const index = arrayIndex.get(JSON.stringify(out));
    if (index !== undefined) out.push(String(index));
  }
  return out;
}

/** Dotted key segments starting at `from`: bare, "basic" or 'literal'. */
function parseKeyPath(s: string, from: number): { parts: string[]; end: number } {
  const parts: string[] = [];
  let i = from;
  for (;;) {
    while (s[i] === " " || s[i] === "\t") i++;
    const c = s[i];
    if (c === '"' || c === "'") {
      const close = findClose(s, i + 1, c);
      parts.push(c === '"' ? unescapeBasic(s.slice(i + 1, close)) : s.slice(i + 1, close));
      i = close + 1;
    } else {
      const m = /^[A-Za-z0-9_-]+/.exec(s.slice(i));
      if (!m) break;
      parts.push(m[0]);
      i += m[0].length;
    }
    while (s[i] === " " || s[i] === "\t") i++;
    if (s[i] !== ".") break;
    i++;
  }
  return { parts, end: i };
}

function findClose(s: string, from: number, quote: string): number {
  for (let i = from; i < s.length; i++) {
    if (quote === '"' && s[i] === "\\") i++;
    else if (s[i] === quote) return i;
  }
  return s.length;
}

function unescapeBasic(s: string): string {
  return s.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (_, e: string) => {
    if (e.length > 1) return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
    return ({ n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" } as Record<string, string>)[e] ?? e;
  });
}

/** Tracks brackets and multi-line strings so continuation lines are not read as keys. */
function scanValue(s: string, from: number, state: ScanState): void {
  let i = from;
  while (i < s.length) {
    if (state.multiline) {
      const close = s.indexOf(state.multiline, i);
      if (close < 0) return;
      i = close + 3;
      state.multiline = null;
      continue;
    }
    const c = s[i] as string;
    if (c === "#") return;
    if (s.startsWith('"""', i) || s.startsWith("'''", i)) {
      state.multiline = s.slice(i, i + 3) as '"""' | "'''";
      i += 3;
    } else if (c === '"' || c === "'") {
      i = findClose(s, i + 1, c) + 1;
    } else {
      if (c === "[" || c === "{") state.depth++;
      if (c === "]" || c === "}") state.depth = Math.max(0, state.depth - 1);
      i++;
    }
  }
}
