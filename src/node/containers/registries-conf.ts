import { type Finding, finding } from "../../findings/finding.ts";
import { type HostFs, HostFsError } from "../host-fs.ts";
import { scanTomlKeyLines, type TomlKeyLines } from "../toml-lines.ts";
import { isTable, parseToml, type TomlTable } from "../toml-values.ts";

/** One `[[registry]]` after containers/image post-processing, with where it came from. */
export interface RegistryEntry {
  prefix: string;
  location: string;
  insecure: boolean;
  blocked: boolean;
  mirrors: { location: string; insecure: boolean }[];
  file: string;
  /** Line of `insecure` when set, else of the entry. */
  insecureLine: number | null;
  line: number | null;
}

export interface RegistriesConf {
  /** Files read, in load order (main file, then drop-ins). */
  files: string[];
  /** Merged entries; a later file's entry with the same prefix replaces an earlier one. */
  registries: RegistryEntry[];
  /** A file that does not load makes containers/image fail every pull ("loading registries configuration"). */
  findings: Finding[];
}

/** CRI-O and podman as root: $HOME is /root. */
const USER_CONF = "/root/.config/containers/registries.conf";
const USER_CONF_D = "/root/.config/containers/registries.conf.d";
const SYSTEM_CONF = "/etc/containers/registries.conf";
const SYSTEM_CONF_D = "/etc/containers/registries.conf.d";

/**
 * containers-registries.conf(5) and .conf.d(5) as pkg/sysregistriesv2 loads
 * them: the user file replaces the system file (and then only user drop-ins
 * apply); drop-ins are *.conf in lexical order, v2 format only.
 */
export function readRegistriesConf(fs: HostFs): RegistriesConf {
  const userMain = exists(fs, USER_CONF);
  const main = userMain ? USER_CONF : SYSTEM_CONF;
  const dirs = userMain ? [USER_CONF_D] : [SYSTEM_CONF_D, USER_CONF_D];
  const files = [main, ...dirs.flatMap((dir) => dropIns(fs, dir))];
  let registries: RegistryEntry[] = [];
  const findings: Finding[] = [];
  const read: string[] = [];
  for (const [i, file] of files.entries()) {
    const text = readOrNull(fs, file, findings);
    if (text === null) continue;
    read.push(file);
    const loaded = loadFile(file, text, i > 0);
    if ("error" in loaded) {
      findings.push(loaded.error);
      continue;
    }
    registries = i === 0 ? loaded.entries : mergeDropIn(registries, loaded.entries);
  }
  return { files: read, registries, findings };
}

/**
 * `updateWithConfigurationFrom`: a drop-in's entries replace same-prefix ones
 * (within a file too, the last one wins), and the result is sorted by prefix.
 * The main file alone keeps its order and duplicates (the first wins a tie).
 */
function mergeDropIn(current: RegistryEntry[], update: RegistryEntry[]): RegistryEntry[] {
  const byPrefix = new Map<string, RegistryEntry>();
  for (const entry of [...current, ...update]) byPrefix.set(entry.prefix, entry);
  return [...byPrefix.values()].sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
}

/** pkg/sysregistriesv2 `findRegistryWithParsedConfig`: the longest matching prefix wins, the first of equals. */
export function findRegistry(conf: RegistriesConf, ref: string): RegistryEntry | null {
  let best: RegistryEntry | null = null;
  for (const entry of conf.registries) {
    if (refMatchesPrefix(ref, entry.prefix) && (best === null || entry.prefix.length > best.prefix.length))
      best = entry;
  }
  return best;
}

/**
 * `refMatchingPrefix`, including its documented quirk: "example.com:5000"
 * matches the prefix "example.com" because ':' may follow a prefix.
 */
export function refMatchesPrefix(ref: string, prefix: string): boolean {
  if (prefix.startsWith("*.")) {
    const index = ref.indexOf(prefix.slice(1));
    if (index < 0 || ref.slice(0, index).includes("/")) return false;
    const end = index + prefix.length - 1;
    return end === ref.length || [":", "/", "@"].includes(ref[end] as string);
  }
  if (ref === prefix) return true;
  return ref.startsWith(prefix) && [":", "/", "@"].includes(ref[prefix.length] as string);
}

type Loaded = { entries: RegistryEntry[] } | { error: Finding };

function loadFile(file: string, text: string, forceV2: boolean): Loaded {
  const parsed = parseToml(text);
  if (!parsed.ok) return { error: broken(file, parsed.message, parsed.line) };
  const lines = scanTomlKeyLines(text);
  const v1 = isTable(parsed.table.registries) ? parsed.table.registries : null;
  const v2 = Array.isArray(parsed.table.registry) ? parsed.table.registry : [];
  if (v1 && forceV2)
    return {
      error: broken(file, "registry must be in v2 format but is in v1", lines.lineOf(["registries"])),
    };
  if (v1 && v2.length > 0)
    return { error: broken(file, "mixing sysregistry v1/v2 is not supported", lines.lineOf(["registries"])) };
  if (v1) return { entries: fromV1(file, v1, lines) };
  const entries: RegistryEntry[] = [];
  for (const [i, raw] of v2.entries()) {
    const entry = fromV2(file, raw as TomlTable, i, lines);
    if ("error" in entry) return entry;
    entries.push(entry);
  }
  const conflict = conflictingEntries(entries);
  return conflict ? { error: broken(file, conflict.reason, conflict.line) } : { entries };
}

/** `postProcessRegistries`: entries for one location must agree on insecure and blocked. */
function conflictingEntries(entries: RegistryEntry[]): { reason: string; line: number | null } | null {
  for (const [i, a] of entries.entries()) {
    for (const b of entries.slice(0, i)) {
      if ((a.location || a.prefix) !== (b.location || b.prefix)) continue;
      const key = a.insecure !== b.insecure ? "insecure" : a.blocked !== b.blocked ? "blocked" : null;
      if (key)
        return {
          reason: `registry '${a.location}' is defined multiple times with conflicting '${key}' setting`,
          line: a.line,
        };
    }
  }
  return null;
}

function fromV2(
  file: string,
  raw: TomlTable,
  i: number,
  lines: TomlKeyLines,
): RegistryEntry | { error: Finding } {
  const str = (v: unknown) => (typeof v === "string" ? v.replace(/\/+$/, "") : "");
  const location = str(raw.location);
  const prefix = str(raw.prefix) || location;
  const line = lines.lineOf(["registry", String(i)]);
  if (/^https?:\/\//.test(location) || /^https?:\/\//.test(prefix)) {
    return {
      error: broken(file, `invalid location '${location || prefix}': URI schemes are not supported`, line),
    };
  }
  if (prefix === "")
    return { error: broken(file, "invalid condition: both location and prefix are unset", line) };
  const mirrors = (Array.isArray(raw.mirror) ? raw.mirror : []).filter(isTable).map((m) => ({
    location: str(m.location),
    insecure: m.insecure === true,
  }));
  return {
    prefix,
    location,
    insecure: raw.insecure === true,
    blocked: raw.blocked === true,
    mirrors,
    file,
    insecureLine: lines.lineOf(["registry", String(i), "insecure"]) ?? line,
    line,
  };
}

/** The deprecated v1 format: `[registries.insecure] registries = [...]` (`ConvertToV2`). */
function fromV1(file: string, v1: TomlTable, lines: TomlKeyLines): RegistryEntry[] {
  const list = (key: string) => {
    const table = v1[key];
    const registries = isTable(table) ? table.registries : undefined;
    return Array.isArray(registries) ? registries.filter((r): r is string => typeof r === "string") : [];
  };
  const line = lines.lineOf(["registries", "insecure", "registries"]);
  const blocked = new Set(list("block"));
  const insecure = new Set(list("insecure"));
  return [...new Set([...blocked, ...insecure])].map((location) => ({
    prefix: location,
    location,
    insecure: insecure.has(location),
    blocked: blocked.has(location),
    mirrors: [],
    file,
    insecureLine: insecure.has(location) ? line : null,
    line,
  }));
}

function broken(file: string, reason: string, line: number | null): Finding {
  return finding(
    "config-invalid",
    "error",
    `containers/image cannot load ${file} (${reason}), so CRI-O, podman and skopeo fail every pull ("loading registries configuration").`,
    {
      file,
      ...(line ? { line } : {}),
      evidence: [reason],
      fix: [`Fix ${file}${line ? ` at line ${line}` : ""}, then: systemctl reload crio`],
    },
  );
}

function dropIns(fs: HostFs, dir: string): string[] {
  try {
    return (fs.readDir(dir) ?? [])
      .filter((name) => name.endsWith(".conf"))
      .map((name) => `${dir}/${name}`)
      .filter((path) => fs.stat(path)?.kind !== "dir");
  } catch {
    return [];
  }
}

function readOrNull(fs: HostFs, file: string, findings: Finding[]): string | null {
  try {
    return fs.readText(file);
  } catch (error) {
    if (!(error instanceof HostFsError)) throw error;
    findings.push(broken(file, error.message, null));
    return null;
  }
}

function exists(fs: HostFs, path: string): boolean {
  try {
    return fs.exists(path);
  } catch {
    return false;
  }
}
