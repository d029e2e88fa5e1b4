import { CERTS_D, minimalConfig } from "../node/containerd/config-path-edit.ts";

/**
 * containerd's config_path edit, in a form a provisioning tool can apply to a
 * config.toml it has not seen. `regtrust trust` edits the file it read
 * (config-path-edit.ts); an export runs later on an unknown node, so the same
 * four outcomes are decided there by a small, idempotent shell probe:
 * - `absent`: no (or an empty) file → the minimal config regtrust creates;
 * - `empty`: `config_path = ""` → the value filled in;
 * - `header`: the registry table without the key → the key under the header;
 * - `noheader`: no registry table → the table appended;
 * - `set`: config_path already set → left alone (containerd reads that directory).
 */
export interface ConfigPathEdit {
  /** Node path of config.toml. */
  file: string;
  /** The registry table header as the planner wrote it, e.g. `[plugins."io.containerd.grpc.v1.cri".registry]`. */
  header: string;
  /** The key line as the planner wrote it. */
  line: string;
  /** What a node without config.toml gets (config-path-edit.ts minimalConfig). */
  minimal: string;
}

export type ConfigPathState = "absent" | "empty" | "header" | "noheader" | "set";

/** Reads header and key line from the planned config.toml, so the table matches the config version planned. */
export function configPathEdit(file: string, plannedText: string): ConfigPathEdit {
  const lines = plannedText.split("\n");
  const at = lines.findIndex((l) => /^\s*config_path\s*=/.test(l));
  const header = lines
    .slice(0, Math.max(at, 0))
    .reverse()
    .find((l) => l.trim().startsWith("["));
  if (at < 0 || header === undefined) {
    throw new Error(`planned ${file} has no config_path under a table header`);
  }
  return {
    file,
    header: header.trim(),
    line: `  config_path = ${JSON.stringify(CERTS_D)}`,
    minimal: minimalConfig(),
  };
}

const EMPTY_VALUE = `^[[:space:]]*config_path[[:space:]]*=[[:space:]]*(""|'')[[:space:]]*$`;
const ANY_VALUE = "^[[:space:]]*config_path[[:space:]]*=";

/** POSIX sh that prints the state of the config.toml given as $1 (busybox-compatible). */
export function configPathProbeScript(edit: ConfigPathEdit): string {
  return [
    'f="$1"',
    'if [ ! -s "$f" ]; then echo absent',
    `elif grep -Eq ${shellQuote(EMPTY_VALUE)} "$f"; then echo empty`,
    `elif grep -Eq ${shellQuote(ANY_VALUE)} "$f"; then echo set`,
    `elif grep -Fxq ${shellQuote(edit.header)} "$f"; then echo header`,
    "else echo noheader",
    "fi",
  ].join("\n");
}

/** POSIX sh that applies the edit to the config.toml given as $1; a second run changes nothing. */
export function configPathApplyScript(edit: ConfigPathEdit): string {
  const value = JSON.stringify(CERTS_D);
  return [
    'f="$1"',
    'if [ ! -s "$f" ]; then',
    `  mkdir -p "$(dirname "$f")" && printf '%s' ${shellQuote(edit.minimal)} > "$f"`,
    `elif grep -Eq ${shellQuote(EMPTY_VALUE)} "$f"; then`,
    `  sed -i -E ${shellQuote(`s#^([[:space:]]*config_path[[:space:]]*=[[:space:]]*)(""|'')#\\1${value}#`)} "$f"`,
    `elif grep -Eq ${shellQuote(ANY_VALUE)} "$f"; then`,
    "  :",
    `elif grep -Fxq ${shellQuote(edit.header)} "$f"; then`,
    `  awk -v h=${shellQuote(edit.header)} -v k=${shellQuote(edit.line)} '{ print } $0 == h && !done { print k; done = 1 }' "$f" > "$f.regtrust.tmp" && cat "$f.regtrust.tmp" > "$f" && rm -f "$f.regtrust.tmp"`,
    "else",
    `  printf '\\n%s\\n%s\\n' ${shellQuote(edit.header)} ${shellQuote(edit.line)} >> "$f"`,
    "fi",
  ].join("\n");
}

/** One POSIX shell word: single quotes, with embedded ones closed, escaped and reopened. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
