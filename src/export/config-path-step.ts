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
  /**
   * The registry's host directory the plan writes under certs.d (hosts.toml
   * and the CA file), or null. Where config_path already names another
   * directory, containerd reads that one, so hostDirPlacementScript puts the
   * files there too, as `trust` would have planned them.
   */
  hostDir: string | null;
}

export type ConfigPathState = "absent" | "empty" | "header" | "noheader" | "set";

/** Reads header and key line from the planned config.toml, so the table matches the config version planned. */
export function configPathEdit(
  file: string,
  plannedText: string,
  hostDir: string | null = null,
): ConfigPathEdit {
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
    hostDir,
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

/**
 * POSIX sh run after the files are written: when config.toml ($1, under the
 * root prefix $2) sets config_path to another directory, containerd looks up
 * hosts.toml there (the first of a `:`-separated list, as trust plans it), so
 * the host directory's files are copied to it. A file already there is never
 * replaced: one that differs is reported for `regtrust trust` on the node to
 * merge (it edits hosts.toml surgically). Prints "placed …" when it changed
 * something, nothing on a second run.
 */
export function hostDirPlacementScript(edit: ConfigPathEdit): string {
  if (edit.hostDir === null) return ":";
  const registry = edit.hostDir.slice(edit.hostDir.lastIndexOf("/") + 1);
  return [
    'f="$1"; root="$2"',
    `d=$(sed -n -E ${shellQuote(CONFIGURED_VALUE)} "$f" | head -n 1 | cut -d: -f1)`,
    `if [ -z "$d" ] || [ "$d" = ${shellQuote(CERTS_D)} ]; then exit 0; fi`,
    `src="$root"${shellQuote(edit.hostDir)}; dst="$root$d/"${shellQuote(registry)}`,
    'mkdir -p "$dst"',
    'for s in "$src"/*; do',
    '  [ -f "$s" ] || continue',
    '  t="$dst/$(basename "$s")"',
    '  if [ ! -e "$t" ]; then cp -p "$s" "$t" && echo "regtrust: placed $t (config_path is $d)"',
    '  elif ! cmp -s "$s" "$t"; then echo "regtrust: $t exists and differs; run regtrust trust on the node to merge" >&2',
    "  fi",
    "done",
  ].join("\n");
}

/** sed -E: the quoted value of a config_path line. */
const CONFIGURED_VALUE = `s/^[[:space:]]*config_path[[:space:]]*=[[:space:]]*["']([^"']*)["'].*/\\1/p`;

/** One POSIX shell word: single quotes, with embedded ones closed, escaped and reopened. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
