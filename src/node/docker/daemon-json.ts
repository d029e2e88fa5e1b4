import { type Finding, finding } from "../../findings/finding.ts";
import type { HostFs } from "../host-fs.ts";

export const DAEMON_JSON = "/etc/docker/daemon.json";

/** One `insecure-registries` entry after dockerd's normalisation (daemon/pkg/registry/config.go). */
export interface InsecureEntry {
  /** As written. */
  raw: string;
  /** host[:port] or CIDR with any http(s):// stripped. */
  value: string;
  kind: "host" | "cidr";
  line: number | null;
}

export interface DaemonJson {
  path: string;
  exists: boolean;
  valid: boolean;
  insecureRegistries: InsecureEntry[];
  /** `registry-mirrors` as written (dockerd uses them for Docker Hub only). */
  registryMirrors: string[];
  /** Whether the keys are present at all (dockerd refuses a key set both here and as a flag). */
  insecureRegistriesSet: boolean;
  registryMirrorsSet: boolean;
  /** `features."containerd-snapshotter"`: true/false when set, null when left to the default. */
  containerdSnapshotter: boolean | null;
  findings: Finding[];
}

/** What a node without daemon.json has: Docker's defaults. */
export function absentDaemonJson(path: string = DAEMON_JSON): DaemonJson {
  return {
    path,
    exists: false,
    valid: true,
    insecureRegistries: [],
    registryMirrors: [],
    insecureRegistriesSet: false,
    registryMirrorsSet: false,
    containerdSnapshotter: null,
    findings: [],
  };
}

export function readDaemonJson(fs: HostFs, path: string = DAEMON_JSON): DaemonJson {
  const empty = absentDaemonJson(path);
  const text = fs.readText(path);
  if (text === null) return empty;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ...empty, exists: true, valid: false, findings: [invalidJson(path, (error as Error).message)] };
  }
  const object =
    typeof json === "object" && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : {};
  const features = object.features;
  const snapshotter =
    typeof features === "object" && features !== null
      ? (features as Record<string, unknown>)["containerd-snapshotter"]
      : undefined;
  const findings: Finding[] = [];
  return {
    path,
    exists: true,
    valid: true,
    insecureRegistries: readInsecureEntries(path, text, object["insecure-registries"], findings),
    registryMirrors: stringList(object["registry-mirrors"]),
    insecureRegistriesSet: "insecure-registries" in object,
    registryMirrorsSet: "registry-mirrors" in object,
    containerdSnapshotter: typeof snapshotter === "boolean" ? snapshotter : null,
    findings,
  };
}

function readInsecureEntries(
  path: string,
  text: string,
  value: unknown,
  findings: Finding[],
): InsecureEntry[] {
  if (!Array.isArray(value)) return [];
  const keyAt = text.indexOf('"insecure-registries"');
  const entries: InsecureEntry[] = [];
  for (const raw of value) {
    if (typeof raw !== "string") continue;
    const line = lineOfText(text, JSON.stringify(raw), keyAt);
    const [scheme, rest] = raw.includes("://") ? raw.split("://", 2) : [null, raw];
    if (scheme !== null && !/^https?$/i.test(scheme)) {
      findings.push(rejectedEntry(path, raw, line));
      continue;
    }
    const valueText = rest ?? raw;
    entries.push({ raw, value: valueText, kind: isCidr(valueText) ? "cidr" : "host", line });
  }
  return entries;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** Exported for --insecure-registry flags, which dockerd normalises the same way. */
export function insecureEntryOf(raw: string, line: number | null): InsecureEntry {
  const valueText = raw.replace(/^https?:\/\//i, "");
  return { raw, value: valueText, kind: isCidr(valueText) ? "cidr" : "host", line };
}

function isCidr(value: string): boolean {
  return /^[0-9.]+\/\d{1,2}$/.test(value) || /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(value);
}

/** 1-based line of the first `needle` at or after `from`. */
export function lineOfText(text: string, needle: string, from = 0): number | null {
  const at = text.indexOf(needle, Math.max(0, from));
  return at < 0 ? null : text.slice(0, at).split("\n").length;
}

function invalidJson(path: string, message: string): Finding {
  return finding(
    "config-invalid",
    "error",
    `${path} is not valid JSON, so dockerd refuses to start: ${message}.`,
    {
      file: path,
      evidence: [message],
      fix: [`python3 -m json.tool ${path}   # shows where it breaks; fix it, then: systemctl restart docker`],
    },
  );
}

function rejectedEntry(path: string, raw: string, line: number | null): Finding {
  return finding(
    "config-invalid",
    "error",
    `dockerd rejects the insecure-registries entry "${raw}" in ${path} ("should not contain '://'") and refuses to start.`,
    {
      file: path,
      ...(line ? { line } : {}),
      fix: [`Write it as host[:port] or a CIDR, without a scheme, then: systemctl restart docker`],
    },
  );
}
