import { isDeepStrictEqual } from "node:util";
import type { Refusal } from "../ca-install.ts";
import { formatKeyPath, parseToml, type TomlTable, tableAt } from "../toml-values.ts";
import type { ContainerdConfig } from "./config.ts";

/** The certs.d root regtrust turns on (containerd docs/hosts.md). */
export const CERTS_D = "/etc/containerd/certs.d";

export type TextEdit = { ok: true; text: string } | { ok: false; refusal: Refusal };

/**
 * config.toml with `config_path` set, edited as text so comments, ordering
 * and every other setting survive (docs/principles.md: files we do not own are edited
 * surgically):
 * - an empty `config_path = ""` gets its value;
 * - an existing `[…registry]` header gets the key on the next line;
 * - otherwise the table is appended.
 * The result is parsed again and must differ from the original only in that
 * key; anything else (inline tables, dotted keys) is refused with the lines
 * to add by hand rather than guessed at.
 */
export function withConfigPath(text: string, config: ContainerdConfig, roots = CERTS_D): TextEdit {
  const table = config.registryTable;
  const edited =
    config.configPathLine !== null
      ? replaceValue(text, config.configPathLine, roots)
      : (insertUnderHeader(text, config, roots) ?? appendTable(text, table, roots));
  if (edited !== null && onlyConfigPathChanged(text, edited, table, roots)) return { ok: true, text: edited };
  return {
    ok: false,
    refusal: {
      reason: `regtrust cannot add config_path to ${config.path} without rewriting other settings`,
      manual: [
        `Add to ${config.path}:`,
        ...snippet(table, roots).split("\n"),
        "then: systemctl restart containerd",
      ],
    },
  };
}

/** A config.toml for a node that has none: version 2 is read by containerd 1.x and migrated by 2.x. */
export function minimalConfig(roots = CERTS_D): string {
  return (
    "# created by regtrust so that containerd's CRI plugin reads per-registry hosts.toml files;\n" +
    "# every setting not listed keeps containerd's built-in default\n" +
    "version = 2\n\n" +
    `${snippet(["plugins", "io.containerd.grpc.v1.cri", "registry"], roots)}\n`
  );
}

function snippet(table: readonly string[], roots: string): string {
  return `[${formatKeyPath(table)}]\n  config_path = ${JSON.stringify(roots)}`;
}

function replaceValue(text: string, line: number, roots: string): string | null {
  const lines = text.split("\n");
  const current = lines[line - 1] ?? "";
  const match = /^(\s*(?:[A-Za-z0-9_."'-]+\.)?config_path\s*=\s*)("[^"]*"|'[^']*')(.*)$/.exec(current);
  if (!match) return null;
  lines[line - 1] = `${match[1]}${JSON.stringify(roots)}${match[3]}`;
  return lines.join("\n");
}

function insertUnderHeader(text: string, config: ContainerdConfig, roots: string): string | null {
  const line = config.lines.lineOf(config.registryTable);
  if (line === null) return null;
  const lines = text.split("\n");
  const header = lines[line - 1] ?? "";
  if (!/^\s*\[[^[]/.test(header)) return null;
  const indent = indentOfNextKey(lines, line) ?? `${/^\s*/.exec(header)?.[0] ?? ""}  `;
  lines.splice(line, 0, `${indent}config_path = ${JSON.stringify(roots)}`);
  return lines.join("\n");
}

/** Indentation of the first key line after `line` (1-based) in the same table, if any. */
function indentOfNextKey(lines: readonly string[], line: number): string | null {
  for (const next of lines.slice(line)) {
    if (next.trim() === "" || next.trimStart().startsWith("#")) continue;
    if (next.trimStart().startsWith("[")) return null;
    return /^\s*/.exec(next)?.[0] ?? "";
  }
  return null;
}

function appendTable(text: string, table: readonly string[], roots: string): string {
  const base = text === "" || text.endsWith("\n") ? text : `${text}\n`;
  return `${base}\n${snippet(table, roots)}\n`;
}

function onlyConfigPathChanged(
  before: string,
  after: string,
  table: readonly string[],
  roots: string,
): boolean {
  const old = parseToml(before);
  const now = parseToml(after);
  if (!old.ok || !now.ok) return false;
  if (tableAt(now.table, table)?.config_path !== roots) return false;
  return isDeepStrictEqual(withoutConfigPath(old.table, table), withoutConfigPath(now.table, table));
}

/**
 * A copy without `config_path` and without the tables on its path that are
 * then empty (an appended `[a.b.registry]` also creates `a` and `a.b`);
 * applied to both sides, so a table that was empty before compares equal.
 */
function withoutConfigPath(root: TomlTable, table: readonly string[]): TomlTable {
  const copy = structuredClone(root);
  const registry = tableAt(copy, table);
  if (registry) delete registry.config_path;
  for (let depth = table.length; depth > 0; depth--) {
    const node = tableAt(copy, table.slice(0, depth));
    const parent = tableAt(copy, table.slice(0, depth - 1));
    if (node && parent && Object.keys(node).length === 0) delete parent[table[depth - 1]!];
  }
  return copy;
}
