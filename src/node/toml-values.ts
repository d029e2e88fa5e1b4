import { parse, TomlError } from "smol-toml";

export type TomlTable = Record<string, unknown>;

export type TomlParse = { ok: true; table: TomlTable } | { ok: false; message: string; line: number | null };

/** Parses TOML text; a syntax error becomes data with the parser's 1-based line. */
export function parseToml(text: string): TomlParse {
  try {
    return { ok: true, table: parse(text) as TomlTable };
  } catch (error) {
    if (error instanceof TomlError) {
      // The message carries a code excerpt after the first line; the first line is the reason.
      return { ok: false, message: error.message.split("\n")[0] ?? error.message, line: error.line };
    }
    return { ok: false, message: (error as Error).message, line: null };
  }
}

export function isTable(value: unknown): value is TomlTable {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The table at `path`, or null when any step is missing or not a table. */
export function tableAt(root: TomlTable, path: readonly string[]): TomlTable | null {
  let current: unknown = root;
  for (const key of path) {
    if (!isTable(current)) return null;
    current = current[key];
  }
  return isTable(current) ? current : null;
}

/** Go's TOML decoding into a string field: anything else is a type error. */
export function describeType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value instanceof Date) return "datetime";
  if (isTable(value)) return "table";
  return typeof value === "bigint" ? "integer" : typeof value === "number" ? "number" : typeof value;
}

/** A key path as TOML spells it: bare keys where possible, quoted otherwise. */
export function formatKeyPath(path: readonly string[]): string {
  return path.map((key) => (/^[A-Za-z0-9_-]+$/.test(key) ? key : `"${key}"`)).join(".");
}
