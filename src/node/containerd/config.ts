import { type Finding, finding } from "../../findings/finding.ts";
import type { HostFs } from "../host-fs.ts";
import { scanTomlKeyLines, type TomlKeyLines } from "../toml-lines.ts";
import { formatKeyPath, parseToml, type TomlTable, tableAt } from "../toml-values.ts";
import { readConflictFindings } from "./config-findings.ts";
import type { ContainerdConfig } from "./config-types.ts";
import { type ContainerdFeatures, LATEST_FEATURES } from "./features.ts";
import { readLegacyRegistry } from "./legacy-registry.ts";

export const CONTAINERD_CONFIG = "/etc/containerd/config.toml";

/** Plugin tables that hold `registry`, per config version (runtimes.md §1.3). */
const CRI_V2 = ["plugins", "io.containerd.grpc.v1.cri"];
const CRI_V3_IMAGES = ["plugins", "io.containerd.cri.v1.images"];
const CRI_V1_SHORT = ["plugins", "cri"];

export type { ContainerdConfig } from "./config-types.ts";

/** Reads and interprets config.toml; a missing file yields containerd's defaults. */
export function readContainerdConfig(
  fs: HostFs,
  path: string = CONTAINERD_CONFIG,
  features: ContainerdFeatures = LATEST_FEATURES,
): ContainerdConfig {
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
  const refused = refusedByServerConfig(parsed.table, features);
  if (refused) {
    return {
      ...defaultsFor(path, true),
      valid: false,
      refusal: refused,
      findings: [unparseableConfig(path, refused, null, "refuses")],
    };
  }
  return interpret(path, parsed.table, scanTomlKeyLines(text), features);
}

/**
 * services/server/config `ValidateV2` in 1.6.20/1.7.24: a version 2 file whose
 * plugin keys are not full URIs ("io.containerd.x.vx"), and from 1.7 a version
 * above 2, stop containerd from starting. 2.x migrates old files instead.
 */
function refusedByServerConfig(table: TomlTable, features: ContainerdFeatures): string | null {
  if (features.configVersion3 === "supported") return null;
  const version = Number(table.version ?? 1) || 1;
  if (version > 2 && features.configVersion3 === "rejected")
    return `unsupported config version \`${version}\` (this containerd reads version 2 at most)`;
  if (version < 2) return null;
  const plugins = tableAt(table, ["plugins"]) ?? {};
  const bad = Object.keys(plugins).find((key) => !isPluginUri(key, features));
  return bad ? `invalid plugin key URI "${bad}" expect io.containerd.x.vx` : null;
}

function isPluginUri(key: string, features: ContainerdFeatures): boolean {
  // 1.6: at least four dot-separated parts; 1.7 also wants the "io.containerd." prefix.
  if (features.configVersion3 === "rejected" && !key.startsWith("io.containerd.")) return false;
  return key.split(".").length >= 4;
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

function interpret(
  path: string,
  table: TomlTable,
  lines: TomlKeyLines,
  features: ContainerdFeatures,
): ContainerdConfig {
  const version = Number(table.version ?? 1) || 1;
  const registryTable = [...pluginTableFor(version, features), "registry"];
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
  // Go decodes config_path into a string field: any other type fails the CRI plugin's config.
  const mistyped = registry.config_path !== undefined && typeof registry.config_path !== "string";
  return mistyped ? { ...config, valid: false, refusal: "config_path is not a string" } : config;
}

/**
 * The table the CRI plugin decodes (services/server/config `Config.Decode`):
 * version 1 files key plugins by their short id, so only plugins.cri counts
 * and a plugins."io.containerd.grpc.v1.cri" table is ignored (1.6.20, 1.7.24);
 * version 2 by URI; version 3 is containerd 2.x's layout, which 1.6 reads
 * with version 2's table.
 */
function pluginTableFor(version: number, features: ContainerdFeatures): string[] {
  if (version >= 3 && features.configVersion3 === "supported") return CRI_V3_IMAGES;
  if (version <= 1) return CRI_V1_SHORT;
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

function unparseableConfig(
  path: string,
  message: string,
  line: number | null,
  why: "syntax" | "refuses" = "syntax",
): Finding {
  return finding(
    "config-invalid",
    "error",
    why === "syntax"
      ? `${path} is not valid TOML, so containerd cannot load it: ${message}.`
      : `containerd refuses to start with ${path}: ${message}.`,
    {
      file: path,
      ...(line ? { line } : {}),
      evidence: [message],
      fix: [
        why === "syntax"
          ? `Fix the syntax at ${path}${line ? `:${line}` : ""}, then: systemctl restart containerd`
          : `Fix ${path} (containerd config default shows this version's layout), then: systemctl restart containerd`,
      ],
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
