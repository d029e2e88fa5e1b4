import type { HostFs } from "./host-fs.ts";
import type { DistroInfo } from "./types.ts";

type Family = DistroInfo["family"];

/** os-release IDs per trust-store family; ID_LIKE entries are looked up in the same table. */
const FAMILY_BY_ID: Readonly<Record<string, Family>> = {
  debian: "debian",
  ubuntu: "debian",
  raspbian: "debian",
  linuxmint: "debian",
  pop: "debian",
  rhel: "rhel",
  fedora: "rhel",
  centos: "rhel",
  rocky: "rhel",
  almalinux: "rhel",
  ol: "rhel",
  amzn: "rhel",
  azurelinux: "rhel",
  mariner: "rhel",
  sles: "suse",
  sles_sap: "suse",
  sled: "suse",
  suse: "suse",
  opensuse: "suse",
  "opensuse-leap": "suse",
  "opensuse-tumbleweed": "suse",
  "opensuse-microos": "suse",
  sl_micro: "suse",
  alpine: "alpine",
  arch: "arch",
  archarm: "arch",
  manjaro: "arch",
  endeavouros: "arch",
};

/** os-release(5): /etc/os-release, falling back to /usr/lib/os-release. */
const OS_RELEASE_PATHS = ["/etc/os-release", "/usr/lib/os-release"];

export function readDistro(fs: HostFs): DistroInfo {
  for (const path of OS_RELEASE_PATHS) {
    const text = fs.readText(path);
    if (text !== null) return distroFromOsRelease(text);
  }
  return { id: "unknown", family: "unknown", prettyName: null };
}

export function distroFromOsRelease(text: string): DistroInfo {
  const fields = parseOsRelease(text);
  const id = fields.get("ID")?.toLowerCase() || "unknown";
  const like = (fields.get("ID_LIKE") ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  return { id, family: familyOf(id, like), prettyName: fields.get("PRETTY_NAME") || null };
}

function familyOf(id: string, like: readonly string[]): Family {
  for (const candidate of [id, ...like]) {
    const family = FAMILY_BY_ID[candidate];
    if (family) return family;
  }
  return "unknown";
}

/**
 * KEY=value lines with shell-style quoting (os-release(5)): double or single
 * quotes, backslash escapes inside double quotes, comments and blank lines.
 */
export function parseOsRelease(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    fields.set(line.slice(0, eq), unquote(line.slice(eq + 1)));
  }
  return fields;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(["\\$`])/g, "$1");
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  return value;
}
