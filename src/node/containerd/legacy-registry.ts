import type { TomlKeyLines } from "../toml-lines.ts";
import { formatKeyPath, isTable, type TomlTable } from "../toml-values.ts";
import type { PlaintextCredential } from "../types.ts";

/** `registry.mirrors."<ns>".endpoint` (deprecated; runtimes.md §1.4). */
export interface LegacyMirror {
  namespace: string;
  endpoints: string[];
  line: number | null;
}

/** `registry.configs."<host>".tls` (containerd 1.x only; gone in 2.0). */
export interface LegacyTls {
  caFile: string | null;
  caFileLine: number | null;
  certFile: string | null;
  keyFile: string | null;
  insecureSkipVerify: boolean;
  insecureSkipVerifyLine: number | null;
  line: number | null;
}

export interface LegacyRegistryConfig {
  /** The endpoint host the entry is keyed by (not the image's registry name). */
  host: string;
  tls: LegacyTls | null;
}

export interface LegacyRegistry {
  mirrors: Map<string, LegacyMirror>;
  configs: Map<string, LegacyRegistryConfig>;
  /** Plain-text secrets under configs.*.auth and auths (names only, never values). */
  credentials: Omit<PlaintextCredential, "file">[];
}

const SECRET_KEYS = ["username", "password", "auth", "identitytoken", "identity_token"];

export function readLegacyRegistry(
  registry: TomlTable,
  table: string[],
  lines: TomlKeyLines,
): LegacyRegistry {
  const mirrors = new Map<string, LegacyMirror>();
  for (const [namespace, value] of Object.entries(isTable(registry.mirrors) ? registry.mirrors : {})) {
    const endpoint = isTable(value) ? value.endpoint : undefined;
    const endpoints = Array.isArray(endpoint)
      ? endpoint.filter((e): e is string => typeof e === "string")
      : [];
    mirrors.set(namespace, { namespace, endpoints, line: lines.lineOf([...table, "mirrors", namespace]) });
  }
  const configs = new Map<string, LegacyRegistryConfig>();
  const credentials: LegacyRegistry["credentials"] = [];
  for (const [host, value] of Object.entries(isTable(registry.configs) ? registry.configs : {})) {
    if (!isTable(value)) continue;
    const path = [...table, "configs", host];
    configs.set(host, { host, tls: isTable(value.tls) ? readTls(value.tls, [...path, "tls"], lines) : null });
    if (isTable(value.auth)) credentials.push(...secretsIn(value.auth, [...path, "auth"], lines));
  }
  for (const [endpoint, value] of Object.entries(isTable(registry.auths) ? registry.auths : {})) {
    if (isTable(value)) credentials.push(...secretsIn(value, [...table, "auths", endpoint], lines));
  }
  return { mirrors, configs, credentials };
}

function readTls(tls: TomlTable, path: string[], lines: TomlKeyLines): LegacyTls {
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
  return {
    caFile: str(tls.ca_file),
    caFileLine: lines.lineOf([...path, "ca_file"]),
    certFile: str(tls.cert_file),
    keyFile: str(tls.key_file),
    insecureSkipVerify: tls.insecure_skip_verify === true,
    insecureSkipVerifyLine: lines.lineOf([...path, "insecure_skip_verify"]),
    line: lines.lineOf(path),
  };
}

function secretsIn(auth: TomlTable, path: string[], lines: TomlKeyLines): LegacyRegistry["credentials"] {
  return SECRET_KEYS.filter((key) => typeof auth[key] === "string" && auth[key] !== "").map((key) => ({
    key: formatKeyPath([...path, key]),
    line: lines.lineOf([...path, key]),
  }));
}
