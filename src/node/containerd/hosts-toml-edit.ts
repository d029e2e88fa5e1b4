import { isDeepStrictEqual } from "node:util";
import { managedHeader, type Refusal } from "../ca-install.ts";
import { isTable, parseToml, type TomlTable } from "../toml-values.ts";
import type { TextEdit } from "./config-path-edit.ts";
import { type HostsEndpoint, parseHostsToml } from "./hosts-toml.ts";

/**
 * Adding regtrust's setting (`ca`, or an expiring `skip_verify`) to the
 * `[host."https://<registry>"]` table of a hosts.toml, as text.
 *
 * The setting goes into a `[host]` table, never only at top level: containerd
 * 1.6/1.7 reject a hosts.toml without any `host` table ("invalid `host`
 * tree") and silently fall back to the directory's *.crt files
 * (remotes/docker/config/hosts.go; test/support/certs-d.ts proves it against
 * containerd 1.6.20). A file that is not regtrust's keeps everything else;
 * when the change would be a guess (no table for the registry while the
 * server entry has its own TLS settings, multi-line arrays, odd key
 * spellings) it is refused with the exact lines to add.
 */

export type HostSetting = { kind: "ca"; file: string } | { kind: "skip-verify"; marker: string };

export function registryUrl(registry: string): string {
  return `https://${registry}`;
}

/** A hosts.toml regtrust owns, for a directory that has none. */
export function newHostsToml(registry: string, setting: HostSetting): string {
  const what = setting.kind === "ca" ? `trust for ${registry}` : `EMERGENCY skip_verify for ${registry}`;
  return `${managedHeader(what, registry)}\nserver = "${registryUrl(registry)}"\n\n${hostTable(registry, setting)}`;
}

export function editHostsToml(
  text: string,
  hostDir: string,
  registry: string,
  setting: HostSetting,
): TextEdit {
  const parsed = parseHostsToml(text, hostDir);
  const file = `${hostDir}/hosts.toml`;
  if (!parsed.ok) {
    return refuse(`containerd ignores ${file} (${parsed.reason}); fix it first`, file, registry, setting);
  }
  const table = parsed.endpoints.find((e) => e.kind === "host" && dialsRegistry(e, registry));
  const edited = table
    ? editTable(text, table, hostDir, setting)
    : appendTableIfSafe(text, parsed.endpoints, registry, setting);
  if ("refusal" in edited) return refuse(edited.refusal, file, registry, setting);
  const url = table?.url ?? registryUrl(registry);
  if (edited.text === text || onlySettingChanged(text, edited.text, url, setting, table === undefined)) {
    return { ok: true, text: edited.text };
  }
  return refuse(`regtrust cannot edit ${file} without touching other settings`, file, registry, setting);
}

function hostTable(registry: string, setting: HostSetting): string {
  return `[host."${registryUrl(registry)}"]\n  capabilities = ["pull", "resolve"]\n${settingLines(setting, "  ")}`;
}

function settingLines(setting: HostSetting, indent: string): string {
  return setting.kind === "ca"
    ? `${indent}ca = [${JSON.stringify(setting.file)}]\n`
    : `${indent}${setting.marker}\n${indent}skip_verify = true\n`;
}

function refuse(reason: string, file: string, registry: string, setting: HostSetting): TextEdit {
  const refusal: Refusal = {
    reason,
    manual: [`Add to ${file}:`, ...hostTable(registry, setting).trimEnd().split("\n")],
  };
  return { ok: false, refusal };
}

/** https on the registry's own host:port (":443" and case ignored), as containerd dials it. */
function dialsRegistry(endpoint: HostsEndpoint, registry: string): boolean {
  if (endpoint.scheme !== "https" || endpoint.host === null) return false;
  const norm = (a: string) => a.toLowerCase().replace(/:443$/, "");
  return norm(endpoint.host) === norm(registry);
}

type Edited = { text: string } | { refusal: string };

function editTable(text: string, table: HostsEndpoint, hostDir: string, setting: HostSetting): Edited {
  const lines = text.split("\n");
  if (table.line === null) return { refusal: "the registry's [host] table has no header line" };
  if (setting.kind === "ca") {
    if (table.ca?.includes(`${hostDir}/${setting.file}`) || table.ca?.includes(setting.file)) return { text };
    if (table.caLine === null) return { text: insertAfter(lines, table.line, settingLines(setting, "")) };
    const extended = extendCaLine(lines[table.caLine - 1] ?? "", setting.file);
    if (extended === null)
      return { refusal: `the ca setting on line ${table.caLine} is not a one-line value` };
    lines[table.caLine - 1] = extended;
    return { text: lines.join("\n") };
  }
  if (table.skipVerifyLine === null)
    return { text: insertAfter(lines, table.line, settingLines(setting, "")) };
  const at = table.skipVerifyLine - 1;
  const match = /^(\s*skip_verify\s*=\s*)(true|false)(.*)$/.exec(lines[at] ?? "");
  if (!match) return { refusal: `skip_verify on line ${table.skipVerifyLine} is not a plain boolean` };
  lines[at] = `${match[1]}true${match[3]}`;
  const indent = /^\s*/.exec(lines[at]!)?.[0] ?? "";
  if (/#\s*regtrust-insecure-expires=/.test(lines[at - 1] ?? ""))
    lines[at - 1] = `${indent}${setting.marker}`;
  else lines.splice(at, 0, `${indent}${setting.marker}`);
  return { text: lines.join("\n") };
}

/**
 * Inserts `block` at the end of the table whose header is on 1-based `line`
 * (after its last key or value line), indented like its keys (two spaces by default).
 */
function insertAfter(lines: string[], line: number, block: string): string {
  let last = line;
  for (let i = line; i < lines.length; i++) {
    const trimmed = lines[i]!.trimStart();
    if (isHeader(trimmed)) break;
    if (trimmed !== "" && !trimmed.startsWith("#")) last = i + 1;
  }
  const keys = lines.slice(line, last).filter((l) => /^\s*[A-Za-z0-9_"'-]+\s*=/.test(l));
  const indent = keys.length > 0 ? (/^\s*/.exec(keys[0]!)?.[0] ?? "") : "  ";
  const added = block
    .trimEnd()
    .split("\n")
    .map((l) => `${indent}${l}`);
  return [...lines.slice(0, last), ...added, ...lines.slice(last)].join("\n");
}

/** A table header line (`[a.b]` / `[[a]]`), not a continuation line of a multi-line array. */
function isHeader(trimmed: string): boolean {
  return /^\[\[?\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*\s*\]\]?\s*(#.*)?$/.test(
    trimmed,
  );
}

/** `ca = "a"` → `ca = ["a", "new"]`; `ca = ["a"]` → `ca = ["a", "new"]`; null for anything else. */
function extendCaLine(line: string, file: string): string | null {
  const quoted = JSON.stringify(file);
  const single = /^(\s*ca\s*=\s*)("(?:[^"\\]|\\.)*"|'[^']*')(\s*(?:#.*)?)$/.exec(line);
  if (single) return `${single[1]}[${single[2]}, ${quoted}]${single[3]}`;
  const array = /^(\s*ca\s*=\s*\[)([^\]#]*)(\]\s*(?:#.*)?)$/.exec(line);
  if (!array) return null;
  const inner = array[2]!.trim().replace(/,$/, "").trim();
  return `${array[1]}${inner === "" ? quoted : `${inner}, ${quoted}`}${array[3]}`;
}

function appendTableIfSafe(
  text: string,
  endpoints: readonly HostsEndpoint[],
  registry: string,
  setting: HostSetting,
): Edited {
  const server = endpoints.find((e) => e.kind === "server");
  if (server?.host && !dialsRegistry(server, registry) && !endpoints.some((e) => e.kind === "host")) {
    return {
      refusal: `it sends every pull for ${registry} to ${server.url}; trust that server's CA instead`,
    };
  }
  if (server && (server.host === null || dialsRegistry(server, registry))) {
    if (server.ca !== null || server.skipVerify !== null || server.hasClientCert) {
      return {
        refusal: `its top-level server entry for ${registry} has its own TLS settings; a [host] table would bypass them`,
      };
    }
  }
  const base = text.endsWith("\n") ? text : `${text}\n`;
  return { text: `${base}\n${hostTable(registry, setting)}` };
}

/** Parsed before and after must be equal once regtrust's key (or its whole new table) is taken out. */
function onlySettingChanged(
  before: string,
  after: string,
  url: string,
  setting: HostSetting,
  newTable: boolean,
): boolean {
  const old = parseToml(before);
  const now = parseToml(after);
  if (!old.ok || !now.ok) return false;
  const key = setting.kind === "ca" ? "ca" : "skip_verify";
  const strip = (root: TomlTable, dropTable: boolean): TomlTable => {
    const copy = structuredClone(root);
    const hosts = isTable(copy.host) ? copy.host : null;
    const table = hosts && isTable(hosts[url]) ? (hosts[url] as TomlTable) : null;
    if (hosts && table && dropTable) delete hosts[url];
    else if (table) delete table[key];
    if (hosts && Object.keys(hosts).length === 0) delete copy.host;
    return copy;
  };
  return isDeepStrictEqual(strip(old.table, false), strip(now.table, newTable));
}

/**
 * `--replace`: the registry's `ca` list without the CA files regtrust retires
 * (node paths; entries are resolved against the hosts.toml directory as
 * hosts.go `makeAbsPath` does). Other entries, and the line's layout, stay.
 * Returns the text unchanged when there is nothing to drop; null when the
 * `ca` value is not a one-line string or array (the caller refuses).
 */
export function withoutCaFiles(
  text: string,
  hostDir: string,
  registry: string,
  retired: readonly string[],
): string | null {
  const parsed = parseHostsToml(text, hostDir);
  if (!parsed.ok) return text;
  const table = parsed.endpoints.find((e) => e.kind === "host" && dialsRegistry(e, registry));
  if (!table?.ca || table.caLine === null || !table.ca.some((p) => retired.includes(p))) return text;
  const lines = text.split("\n");
  const line = lines[table.caLine - 1] ?? "";
  const match = /^(\s*ca\s*=\s*)(\[[^\]#]*\]|"(?:[^"\\]|\\.)*"|'[^']*')(\s*(?:#.*)?)$/.exec(line);
  if (!match) return null;
  const entries = [...match[2]!.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)].map((m) =>
    m[1] !== undefined ? (JSON.parse(`"${m[1]}"`) as string) : m[2]!,
  );
  const absolute = (entry: string) => (entry.startsWith("/") ? entry : `${hostDir}/${entry}`);
  const kept = entries.filter((entry) => !retired.includes(absolute(entry)));
  if (kept.length === 0) lines.splice(table.caLine - 1, 1);
  else lines[table.caLine - 1] = `${match[1]}[${kept.map((e) => JSON.stringify(e)).join(", ")}]${match[3]}`;
  return lines.join("\n");
}
