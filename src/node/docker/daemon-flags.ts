import type { HostFs } from "../host-fs.ts";
import { type InsecureEntry, insecureEntryOf } from "./daemon-json.ts";

/** Where systemd finds docker.service and its drop-ins, highest priority first (systemd.unit(5)). */
const UNIT_DIRS = [
  "/etc/systemd/system",
  "/run/systemd/system",
  "/lib/systemd/system",
  "/usr/lib/systemd/system",
];

/** Registry options given to dockerd on its command line by the systemd unit. */
export interface DaemonFlags {
  /** Unit files, drop-ins and environment files read, in order. */
  files: string[];
  /** The effective ExecStart command line, or null when no unit was found. */
  execStart: string | null;
  insecureRegistries: InsecureEntry[];
  registryMirrors: string[];
}

/**
 * `--insecure-registry` and `--registry-mirror` from docker.service: the unit,
 * its drop-ins (a bare `ExecStart=` resets, the last one wins) and the
 * variables of its EnvironmentFile (Debian's unit passes $DOCKER_OPTS from
 * /etc/default/docker). dockerd adds these to daemon.json's lists.
 */
export function readDaemonFlags(fs: HostFs): DaemonFlags {
  const files: string[] = [];
  const unit = UNIT_DIRS.map((d) => `${d}/docker.service`).find((p) => readOrNull(fs, p) !== null);
  if (!unit) return { files, execStart: null, insecureRegistries: [], registryMirrors: [] };
  const texts = [unit, ...dropIns(fs)].map((path) => {
    files.push(path);
    return readOrNull(fs, path) ?? "";
  });
  let execStart: string | null = null;
  const env = new Map<string, string>();
  for (const text of texts) {
    for (const [key, value] of unitLines(text)) {
      if (key === "ExecStart") execStart = value === "" ? null : value;
      if (key === "EnvironmentFile") readEnvironmentFile(fs, value, env, files);
      if (key === "Environment") for (const [k, v] of assignments(value)) env.set(k, v);
    }
  }
  if (execStart === null) return { files, execStart, insecureRegistries: [], registryMirrors: [] };
  const args = splitWords(expand(execStart, env));
  return {
    files,
    execStart,
    insecureRegistries: flagValues(args, "--insecure-registry").map((v) => insecureEntryOf(v, null)),
    registryMirrors: flagValues(args, "--registry-mirror"),
  };
}

function dropIns(fs: HostFs): string[] {
  const byName = new Map<string, string>();
  for (const dir of [...UNIT_DIRS].reverse()) {
    const d = `${dir}/docker.service.d`;
    for (const name of safeReadDir(fs, d)) if (name.endsWith(".conf")) byName.set(name, `${d}/${name}`);
  }
  return [...byName.keys()].sort().map((name) => byName.get(name) as string);
}

/** `Key=value` lines of a unit file, with backslash continuations joined and comments dropped. */
function unitLines(text: string): [string, string][] {
  const joined = text.replace(/\\\r?\n/g, " ");
  const out: [string, string][] = [];
  for (const raw of joined.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";") || line.startsWith("[")) continue;
    const eq = line.indexOf("=");
    if (eq > 0) out.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
  }
  return out;
}

function readEnvironmentFile(fs: HostFs, value: string, env: Map<string, string>, files: string[]): void {
  const path = value.replace(/^-/, "");
  if (!path.startsWith("/")) return;
  const text = readOrNull(fs, path);
  if (text === null) return;
  files.push(path);
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) env.set(m[1] as string, unquote((m[2] as string).trim()));
  }
}

function assignments(value: string): [string, string][] {
  return splitWords(value).flatMap((w) => {
    const eq = w.indexOf("=");
    return eq > 0 ? [[w.slice(0, eq), w.slice(eq + 1)] as [string, string]] : [];
  });
}

/** systemd's $VAR and ${VAR} substitution (a $VAR word splits into several). */
function expand(command: string, env: Map<string, string>): string {
  return command.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_, a, b) => env.get(a ?? b) ?? "",
  );
}

function splitWords(text: string): string[] {
  const words: string[] = [];
  for (const m of text.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g))
    words.push(m[1] ?? m[2] ?? (m[3] as string));
  return words;
}

function unquote(value: string): string {
  const m = /^"(.*)"$|^'(.*)'$/.exec(value);
  return m ? (m[1] ?? m[2] ?? "") : value;
}

/** Values of `--flag value` and `--flag=value`, in order. */
function flagValues(args: string[], flag: string): string[] {
  const values: string[] = [];
  args.forEach((arg, i) => {
    if (arg === flag && args[i + 1] !== undefined) values.push(args[i + 1] as string);
    else if (arg.startsWith(`${flag}=`)) values.push(arg.slice(flag.length + 1));
  });
  return values;
}

function readOrNull(fs: HostFs, path: string): string | null {
  try {
    return fs.readText(path);
  } catch {
    return null;
  }
}

function safeReadDir(fs: HostFs, dir: string): string[] {
  try {
    return fs.readDir(dir) ?? [];
  } catch {
    return [];
  }
}
