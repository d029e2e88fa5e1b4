import { posix } from "node:path";
import { scanTomlKeyLines, type TomlKeyLines } from "../toml-lines.ts";
import { describeType, isTable, parseToml, type TomlTable } from "../toml-values.ts";
import { type ContainerdFeatures, LATEST_FEATURES } from "./features.ts";
import { goTomlV1Rejects } from "./go-toml-v1.ts";

/** One endpoint of a hosts.toml: a `[host."…"]` mirror or the top-level server entry. */
export interface HostsEndpoint {
  kind: "host" | "server";
  /** As written: the `[host."…"]` key or `server`; null for a server entry without `server`. */
  url: string | null;
  scheme: string | null;
  /** host[:port] dialled; null means the registry namespace itself (no `server` key). */
  host: string | null;
  capabilities: string[];
  /** `ca` resolved against the hosts.toml directory (hosts.go `makeAbsPath`); null when unset. */
  ca: string[] | null;
  caLine: number | null;
  /** Tri-state like containerd's *bool: null = unset. */
  skipVerify: boolean | null;
  skipVerifyLine: number | null;
  hasClientCert: boolean;
  /** `client` as [cert, key] pairs resolved like `ca`; key null = read from the cert file (hosts.go `parseHostConfig`). */
  clientPairs: [string, string | null][];
  /** API root path dialled: the URL path cleaned, "/v2" appended unless override_path; "" for a server entry without `server`. */
  path: string;
  /** Line of the `[host."…"]` header (null for the server entry). */
  line: number | null;
}

export type HostsToml =
  | { ok: true; endpoints: HostsEndpoint[]; lines: TomlKeyLines }
  | { ok: false; reason: string; line: number | null; panics?: boolean };

const CAPABILITIES = ["pull", "resolve", "push", "referrers"];

class HostsTomlError extends Error {
  constructor(
    message: string,
    readonly line: number | null,
    readonly panics = false,
  ) {
    super(message);
  }
}

/**
 * Parses hosts.toml and validates it the way containerd's `parseHostsFile`
 * does: any error there makes containerd ignore the whole file and fall back
 * to the directory's *.crt files. Endpoints come in the order containerd
 * tries them: `[host."…"]` tables in file order, then the server entry.
 */
export function parseHostsToml(
  text: string,
  hostDir: string,
  features: ContainerdFeatures = LATEST_FEATURES,
): HostsToml {
  if (!features.hostlessHostsToml) {
    const quirk = goTomlV1Rejects(text);
    if (quirk) return { ok: false, reason: `go-toml 1.9 rejects it: ${quirk.reason}`, line: quirk.line };
  }
  const parsed = parseToml(text);
  if (!parsed.ok) return { ok: false, reason: parsed.message, line: parsed.line };
  const lines = scanTomlKeyLines(text);
  try {
    const endpoints = hostEndpoints(parsed.table, hostDir, lines, features);
    const server = parsed.table.server;
    if (server !== undefined && typeof server !== "string") {
      throw new HostsTomlError(
        `"server" must be a string, not ${describeType(server)}`,
        lines.lineOf(["server"]),
      );
    }
    const top: RawEndpoint = { kind: "server", url: server || null, config: parsed.table, path: [] };
    endpoints.push(readEndpoint(top, hostDir, lines, features));
    return { ok: true, endpoints, lines };
  } catch (error) {
    if (error instanceof HostsTomlError)
      return {
        ok: false,
        reason: error.message,
        line: error.line,
        ...(error.panics ? { panics: true } : {}),
      };
    throw error;
  }
}

/**
 * The `[host."…"]` endpoints in containerd's order. Before 2.0 (go-toml v1,
 * hosts.go `getSortedHosts`): a file without a `host` key is an "invalid
 * `host` tree" — an empty `[host]` table is fine — and entries are sorted by
 * the line of their table with a type assertion that panics on anything but
 * a table once there are two entries to compare.
 */
function hostEndpoints(
  table: TomlTable,
  hostDir: string,
  lines: TomlKeyLines,
  features: ContainerdFeatures,
): HostsEndpoint[] {
  const hostTables = table.host ?? {};
  if (!isTable(hostTables))
    throw new HostsTomlError(
      `"host" must be a table, not ${describeType(hostTables)}`,
      lines.lineOf(["host"]),
    );
  if (!features.hostlessHostsToml && table.host === undefined) {
    throw new HostsTomlError(
      'this containerd (before 2.0) rejects a hosts.toml without a host table ("invalid `host` tree") and ignores the whole file; put the settings under [host."https://<registry>"], or add an empty [host] line',
      1,
    );
  }
  const entries = Object.entries(hostTables);
  const notTable = entries.find(([, config]) => !isTable(config));
  if (notTable && !features.hostlessHostsToml && entries.length > 1) {
    throw new HostsTomlError(
      `host."${notTable[0]}" is ${describeType(notTable[1])}, not a table: containerd (before 2.0) panics while sorting the hosts (getSortedHosts)`,
      lines.lineOf(["host", notTable[0]]),
      true,
    );
  }
  // Object order is first appearance: the order of the [host."…"] headers
  // (host keys are URLs, never integer-like).
  return entries.map(([key, config]) => {
    if (!isTable(config))
      throw new HostsTomlError(`host."${key}" must be a table`, lines.lineOf(["host", key]));
    return readEndpoint({ kind: "host", url: key, config, path: ["host", key] }, hostDir, lines, features);
  });
}

interface RawEndpoint {
  kind: HostsEndpoint["kind"];
  url: string | null;
  config: TomlTable;
  path: string[];
}

function readEndpoint(
  raw: RawEndpoint,
  hostDir: string,
  lines: TomlKeyLines,
  features: ContainerdFeatures,
): HostsEndpoint {
  const { kind, url, config, path } = raw;
  const lineOf = (key: string) => lines.lineOf([...path, key]);
  const where = kind === "host" ? `host."${url}".` : "";
  checkOptionalTypes(config, where, lineOf, features);
  const location = url === null ? null : splitUrl(url);
  if (location && !validAuthority(location.host))
    throw new HostsTomlError(
      `unable to parse server ${url}`,
      kind === "host" ? lines.lineOf(path) : lineOf("server"),
    );
  return {
    kind,
    url,
    scheme: location?.scheme ?? null,
    host: location?.host ?? null,
    capabilities: readCapabilities(config.capabilities, where, lineOf("capabilities"), features),
    ca: readCa(config.ca, where, lineOf("ca"), hostDir),
    caLine: lineOf("ca"),
    skipVerify: typeof config.skip_verify === "boolean" ? config.skip_verify : null,
    skipVerifyLine: lineOf("skip_verify"),
    ...clientFields(readClient(config.client, where, lineOf("client"), hostDir)),
    path: apiPath(location === null ? null : url, config.override_path === true),
    line: kind === "host" ? lines.lineOf(path) : null,
  };
}

/** Go decodes into typed struct fields; a wrong TOML type fails the whole file. */
function checkOptionalTypes(
  config: TomlTable,
  where: string,
  lineOf: (key: string) => number | null,
  features: ContainerdFeatures,
): void {
  const expect = (key: string, type: "boolean" | "string") => {
    const value = config[key];
    if (value !== undefined && typeof value !== type) {
      throw new HostsTomlError(`${where}${key} must be a ${type}, not ${describeType(value)}`, lineOf(key));
    }
  };
  expect("skip_verify", "boolean");
  expect("override_path", "boolean");
  // Before 2.1 dial_timeout is an unknown key, which Go's TOML decoder ignores.
  if (features.dialTimeout) checkDialTimeout(config.dial_timeout, where, lineOf("dial_timeout"));
  const header = config.header;
  if (header === undefined) return;
  if (!isTable(header)) throw new HostsTomlError(`${where}header must be a table`, lineOf("header"));
  for (const [name, value] of Object.entries(header)) {
    if (typeof value !== "string" && !isStringArray(value)) {
      throw new HostsTomlError(`invalid type ${describeType(value)} for header "${name}"`, lineOf("header"));
    }
  }
}

function checkDialTimeout(value: unknown, where: string, line: number | null): void {
  if (value === undefined) return;
  if (typeof value !== "string") {
    throw new HostsTomlError(`${where}dial_timeout must be a string, not ${describeType(value)}`, line);
  }
  if (value !== "" && !isGoDuration(value)) {
    throw new HostsTomlError(`${where}dial_timeout "${value}" is not a duration (e.g. "5s")`, line);
  }
}

/** `referrers` is accepted from containerd 2.2; older releases reject it like any unknown capability. */
function readCapabilities(
  value: unknown,
  where: string,
  line: number | null,
  features: ContainerdFeatures,
): string[] {
  const allowed = features.referrersCapability ? CAPABILITIES : CAPABILITIES.filter((c) => c !== "referrers");
  if (value === undefined) return [...allowed];
  if (!isStringArray(value))
    throw new HostsTomlError(`${where}capabilities must be an array of strings`, line);
  if (value.length === 0) return [...allowed];
  for (const capability of value) {
    if (!allowed.includes(capability.toLowerCase())) {
      throw new HostsTomlError(`unknown capability ${capability} (allowed: ${allowed.join(", ")})`, line);
    }
  }
  return value.map((c) => c.toLowerCase());
}

function readCa(value: unknown, where: string, line: number | null, hostDir: string): string[] | null {
  if (value === undefined) return null;
  const paths = typeof value === "string" ? [value] : value;
  if (!isStringArray(paths))
    throw new HostsTomlError(`invalid type ${describeType(value)} for "${where}ca"`, line);
  return paths.map((p) => (p.startsWith("/") ? p : posix.join(hostDir, p)));
}

/** `client`: a path, a list of paths, or a list of [cert, key] pairs of exactly two. */
function readClient(
  value: unknown,
  where: string,
  line: number | null,
  hostDir: string,
): [string, string | null][] {
  if (value === undefined) return [];
  const abs = (p: string) => (p.startsWith("/") ? p : posix.join(hostDir, p));
  if (typeof value === "string") return [[abs(value), null]];
  if (!Array.isArray(value))
    throw new HostsTomlError(`invalid type ${describeType(value)} for "${where}client"`, line);
  return value.map((entry): [string, string | null] => {
    if (typeof entry === "string") return [abs(entry), null];
    if (!isStringArray(entry) || entry.length !== 2) {
      throw new HostsTomlError(`invalid pair ${JSON.stringify(entry)} for "${where}client"`, line);
    }
    // Both paths go through makeAbsPath: an empty key names the host directory itself,
    // which fails to read; only a plain string entry means "the key is in the cert file".
    return [abs(entry[0] as string), abs(entry[1] as string)];
  });
}

function clientFields(
  pairs: [string, string | null][],
): Pick<HostsEndpoint, "clientPairs" | "hasClientCert"> {
  return { clientPairs: pairs, hasClientCert: pairs.length > 0 };
}

/** hosts.go `parseHostConfig`: path.Clean'd URL path, "/v2" appended unless it ends so or override_path. */
function apiPath(url: string | null, overridePath: boolean): string {
  if (url === null) return "";
  const raw = url.startsWith("http") ? url : `https://${url}`;
  const afterAuthority = raw.replace(/^[^:]*:\/\/[^/?#]*/, "");
  const path = afterAuthority.replace(/[?#].*$/, "");
  if (path === "") return overridePath ? "" : "/v2";
  const clean = posix.normalize(path).replace(/(.)\/$/, "$1");
  return clean.endsWith("/v2") || overridePath ? clean : `${clean}/v2`;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

/** hosts.go `parseHostConfig`: no "http" prefix means https://. */
export function splitUrl(raw: string): { scheme: string; host: string } {
  const url = raw.startsWith("http") ? raw : `https://${raw}`;
  const sep = url.indexOf("://");
  const scheme = sep >= 0 ? url.slice(0, sep) : "https";
  const rest = sep >= 0 ? url.slice(sep + 3) : url;
  const end = rest.search(/[/?#]/);
  return { scheme, host: end >= 0 ? rest.slice(0, end) : rest };
}

/** What Go's url.Parse accepts as host[:port]: brackets only around an IPv6 address, a numeric port. */
function validAuthority(authority: string): boolean {
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  if (hostPort.startsWith("[")) {
    const close = hostPort.indexOf("]");
    return close > 0 && /^(:\d*)?$/.test(hostPort.slice(close + 1));
  }
  if (hostPort.includes("[") || hostPort.includes("]")) return false;
  const colon = hostPort.lastIndexOf(":");
  return colon < 0 || /^\d*$/.test(hostPort.slice(colon + 1));
}

/** Go's time.ParseDuration grammar: "300ms", "1.5h", "2h45m". */
function isGoDuration(text: string): boolean {
  return text === "0" || /^[+-]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/.test(text);
}
