import type { Document, LineCounter } from "yaml";
import { type Finding, finding } from "../../findings/finding.ts";
import { type HostFs, HostFsError } from "../host-fs.ts";
import type { PlaintextCredential } from "../types.ts";
import { yamlParser } from "../yaml-parser.ts";

export type Distribution = "k3s" | "rke2";

/** `configs."<host>".tls` of registries.yaml (k3s pkg/agent/templates/registry.go `TLSConfig`). */
export interface RegistryTls {
  caFile: string | null;
  caFileLine: number | null;
  insecureSkipVerify: boolean;
  insecureSkipVerifyLine: number | null;
}

export interface RegistriesYaml {
  path: string;
  exists: boolean;
  valid: boolean;
  /** `mirrors."<registry>|*".endpoint`, keyed by registry. */
  mirrors: Map<string, { endpoints: string[]; line: number | null }>;
  /** `configs."<host[:port]>|*"`, keyed by endpoint host. */
  configs: Map<string, { tls: RegistryTls | null; line: number | null }>;
  credentials: PlaintextCredential[];
  findings: Finding[];
  /** The raw text, for regtrust's expiry markers. */
  text: string;
}

/** The docs' sample uses `token`; the struct field is identity_token. Both are secrets on disk. */
const SECRET_KEYS = ["username", "password", "auth", "identity_token", "token"];

export function registriesYamlPath(dist: Distribution): string {
  return `/etc/rancher/${dist}/registries.yaml`;
}

/** Reads /etc/rancher/<dist>/registries.yaml, keeping the line of every setting it reports. */
export function readRegistriesYaml(fs: HostFs, dist: Distribution): RegistriesYaml {
  const path = registriesYamlPath(dist);
  const empty: RegistriesYaml = {
    path,
    exists: false,
    valid: true,
    mirrors: new Map(),
    configs: new Map(),
    credentials: [],
    findings: [],
    text: "",
  };
  let text: string | null;
  try {
    text = fs.readText(path);
  } catch (error) {
    if (!(error instanceof HostFsError)) throw error;
    return { ...empty, exists: true, valid: false, findings: [invalid(path, dist, error.message, null)] };
  }
  if (text === null) return empty;
  const yaml = yamlParser();
  const lines = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter: lines });
  const [error] = doc.errors;
  if (error) {
    return {
      ...empty,
      exists: true,
      valid: false,
      text,
      findings: [invalid(path, dist, error.message.split("\n")[0] ?? "", error.linePos?.[0]?.line ?? null)],
    };
  }
  const lineOf = (keys: string[]) => keyLine(doc, lines, keys);
  let js: { mirrors?: unknown; configs?: unknown } | null;
  try {
    // toJS throws (ReferenceError) on an alias without its anchor, e.g. `*!`,
    // and on alias bombs past yaml's maxAliasCount: a malformed file, not a crash.
    js = doc.toJS() as typeof js;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ...empty, exists: true, valid: false, text, findings: [invalid(path, dist, message, null)] };
  }
  return {
    ...empty,
    exists: true,
    text,
    mirrors: readMirrors(js?.mirrors, lineOf),
    configs: readConfigs(js?.configs, lineOf),
    credentials: readCredentials(js?.configs, path, lineOf),
  };
}

type LineOf = (keys: string[]) => number | null;

function readMirrors(mirrors: unknown, lineOf: LineOf): RegistriesYaml["mirrors"] {
  const out: RegistriesYaml["mirrors"] = new Map();
  for (const [registry, value] of entries(mirrors)) {
    const endpoint = (value as { endpoint?: unknown } | null)?.endpoint;
    const endpoints = Array.isArray(endpoint)
      ? endpoint.filter((e): e is string => typeof e === "string")
      : [];
    out.set(registry, { endpoints, line: lineOf(["mirrors", registry]) });
  }
  return out;
}

function readConfigs(configs: unknown, lineOf: LineOf): RegistriesYaml["configs"] {
  const out: RegistriesYaml["configs"] = new Map();
  for (const [host, value] of entries(configs)) {
    const tls = (value as { tls?: Record<string, unknown> } | null)?.tls;
    const at = ["configs", host, "tls"];
    out.set(host, {
      line: lineOf(["configs", host]),
      tls:
        tls && typeof tls === "object"
          ? {
              caFile: typeof tls.ca_file === "string" && tls.ca_file !== "" ? tls.ca_file : null,
              caFileLine: lineOf([...at, "ca_file"]),
              insecureSkipVerify: tls.insecure_skip_verify === true,
              insecureSkipVerifyLine: lineOf([...at, "insecure_skip_verify"]),
            }
          : null,
    });
  }
  return out;
}

function readCredentials(configs: unknown, path: string, lineOf: LineOf): PlaintextCredential[] {
  const out: PlaintextCredential[] = [];
  for (const [host, value] of entries(configs)) {
    const auth = (value as { auth?: Record<string, unknown> } | null)?.auth;
    if (!auth || typeof auth !== "object") continue;
    for (const key of SECRET_KEYS) {
      if (typeof auth[key] !== "string" || auth[key] === "") continue;
      out.push({
        file: path,
        line: lineOf(["configs", host, "auth", key]),
        key: `configs."${host}".auth.${key}`,
      });
    }
  }
  return out;
}

function entries(value: unknown): [string, unknown][] {
  return value && typeof value === "object" && !Array.isArray(value) ? Object.entries(value) : [];
}

/** 1-based line of the key at `keys` (the key, not its value: that is where an operator looks). */
function keyLine(doc: Document, lines: LineCounter, keys: string[]): number | null {
  const { isMap, isScalar } = yamlParser();
  const parent = keys.length > 1 ? doc.getIn(keys.slice(0, -1), true) : doc.contents;
  if (!isMap(parent)) return null;
  const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === keys[keys.length - 1]);
  const start = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
  return start === undefined ? null : lines.linePos(start).line;
}

function invalid(path: string, dist: Distribution, reason: string, line: number | null): Finding {
  return finding(
    "config-invalid",
    "error",
    `${dist} cannot load ${path}: ${reason}. Its mirrors and TLS settings are not applied.`,
    {
      file: path,
      ...(line ? { line } : {}),
      evidence: [reason],
      fix: [`Fix the YAML in ${path}${line ? ` at line ${line}` : ""}, then restart ${dist} on this node`],
    },
  );
}
