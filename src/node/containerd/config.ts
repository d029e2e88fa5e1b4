import { type Finding, finding } from "../../findings/finding.ts";
import type { HostFs } from "../host-fs.ts";
import { scanTomlKeyLines, type TomlKeyLines } from "../toml-lines.ts";
import { formatKeyPath, parseToml, type TomlTable, tableAt } from "../toml-values.ts";
import type { PlaintextCredential } from "../types.ts";
import { readConflictFindings } from "./config-findings.ts";
import { type LegacyMirror, type LegacyRegistryConfig, readLegacyRegistry } from "./legacy-registry.ts";

export const CONTAINERD_CONFIG = "/etc/containerd/config.toml";

/** Plugin tables that hold `registry`, per config version (runtimes.md §1.3). */
const CRI_V2 = ["plugins", "io.containerd.grpc.v1.cri"];
const CRI_V3_IMAGES = ["plugins", "io.containerd.cri.v1.images"];
const CRI_V1_SHORT = ["plugins", "cri"];

/** containerd's config.toml, reduced to what decides registry trust. */
export interface ContainerdConfig {
  /** Node path of the file. */
  path: string;
  exists: boolean;
  /** False when the file does not parse (containerd then refuses to start). */
  valid: boolean;
  /** `version`; absent means 1, which containerd reads like 2 for the CRI plugin. */
  version: number;
  /** Key path of the registry table that applies to this version, e.g. plugins."io.containerd.cri.v1.images".registry. */
  registryTable: string[];
  /** `config_path` as written, or null when unset or empty. */
  configPath: string | null;
  /** Line of the `config_path` key, even when its value is empty. */
  configPathLine: number | null;
  /** `config_path` split on ":" (Go filepath.SplitList), empty entries dropped. */
  roots: string[];
  /** Deprecated `registry.mirrors`, keyed by namespace. */
  mirrors: Map<string, LegacyMirror>;
  /** Deprecated `registry.configs`, keyed by endpoint host. */
  configs: Map<string, LegacyRegistryConfig>;
  /** Plain-text secrets under registry.configs.*.auth / registry.auths (names and lines only). */
  credentials: PlaintextCredential[];
  /** `disabled_plugins` turns the CRI plugin off (Docker's containerd.io default): kubelet cannot use it. */
  criDisabled: boolean;
  /** Problems that affect every registry: config-invalid for parse errors and conflicting settings. */
  findings: Finding[];
  lines: TomlKeyLines;
}

/** Reads and interprets config.toml; a missing file yields containerd's defaults. */
export function readContainerdConfig(fs: HostFs, path: string = CONTAINERD_CONFIG): ContainerdConfig {
  const text = fs.readText(path);
  if (text === null) return defaultsFor(path, false);
  const parsed = parseToml(text);
  if (!parsed.ok) {
    return {
      ...defaultsFor(path, true),
      valid: false,
      findings: [unparseableConfig(path, parsed.message, parsed.line)],
    };
  }
  return interpret(path, parsed.table, scanTomlKeyLines(text));
}

function defaultsFor(path: string, exists: boolean): ContainerdConfig {
  return {
    path,
    exists,
    valid: true,
    version: 1,
    registryTable: [...CRI_V2, "registry"],
    configPath: null,
    configPathLine: null,
    roots: [],
    mirrors: new Map(),
    configs: new Map(),
    credentials: [],
    criDisabled: false,
    findings: [],
    lines: { lineOf: () => null },
  };
}

function interpret(path: string, table: TomlTable, lines: TomlKeyLines): ContainerdConfig {
  const version = Number(table.version ?? 1) || 1;
  const registryTable = [...pluginTableFor(table, version), "registry"];
  const registry = tableAt(table, registryTable) ?? {};
  const findings: Finding[] = [];
  const configPath = readConfigPath(path, registry, registryTable, lines, findings);
  const legacy = readLegacyRegistry(registry, registryTable, lines);
  const config: ContainerdConfig = {
    path,
    exists: true,
    valid: true,
    version,
    registryTable,
    configPath,
    // Kept for an empty `config_path = ""` too: that is the line to edit.
    configPathLine: lines.lineOf([...registryTable, "config_path"]),
    roots: configPath === null ? [] : configPath.split(":").filter((r) => r !== ""),
    mirrors: legacy.mirrors,
    configs: legacy.configs,
    credentials: legacy.credentials.map((c) => ({ ...c, file: path })),
    criDisabled: isCriDisabled(table.disabled_plugins),
    findings,
    lines,
  };
  findings.push(...readConflictFindings(config, table));
  return config;
}

function pluginTableFor(table: TomlTable, version: number): string[] {
  if (version >= 3) return CRI_V3_IMAGES;
  if (version <= 1 && !tableAt(table, CRI_V2) && tableAt(table, CRI_V1_SHORT)) return CRI_V1_SHORT;
  return CRI_V2;
}

function readConfigPath(
  path: string,
  registry: TomlTable,
  registryTable: string[],
  lines: TomlKeyLines,
  findings: Finding[],
): string | null {
  const value = registry.config_path;
  if (value === undefined || value === "") return null;
  if (typeof value === "string") return value;
  const line = lines.lineOf([...registryTable, "config_path"]);
  findings.push(
    finding(
      "config-invalid",
      "error",
      `config_path in ${path} must be a string; containerd refuses to start.`,
      {
        file: path,
        ...(line ? { line } : {}),
        fix: [
          `Set it as a string, e.g. config_path = "/etc/containerd/certs.d", then: systemctl restart containerd`,
        ],
      },
    ),
  );
  return null;
}

function isCriDisabled(disabled: unknown): boolean {
  if (!Array.isArray(disabled)) return false;
  return disabled.some(
    (p) => p === "cri" || p === "io.containerd.grpc.v1.cri" || p === "io.containerd.cri.v1.images",
  );
}

function unparseableConfig(path: string, message: string, line: number | null): Finding {
  return finding(
    "config-invalid",
    "error",
    `${path} is not valid TOML, so containerd cannot load it: ${message}.`,
    {
      file: path,
      ...(line ? { line } : {}),
      evidence: [message],
      fix: [`Fix the syntax at ${path}${line ? `:${line}` : ""}, then: systemctl restart containerd`],
    },
  );
}

/** The config snippet that turns on certs.d for this config version. */
export function configPathSnippet(
  config: Pick<ContainerdConfig, "version">,
  roots = "/etc/containerd/certs.d",
): string {
  const table = config.version >= 3 ? CRI_V3_IMAGES : CRI_V2;
  return `[${formatKeyPath([...table, "registry"])}]\n  config_path = "${roots}"`;
}
