import { type Finding, finding } from "../../findings/finding.ts";
import { formatKeyPath, type TomlTable, tableAt } from "../toml-values.ts";
import type { ContainerdConfig } from "./config-types.ts";

type ConfigFacts = Pick<
  ContainerdConfig,
  "path" | "version" | "registryTable" | "configPath" | "configPathLine" | "mirrors" | "configs" | "lines"
>;

/**
 * Registry settings containerd rejects or ignores (runtimes.md §1.4):
 * `mirrors` with `config_path` fails CRI in every version; `configs.tls`
 * with `config_path` fails it in 1.x (pkg/cri/config ValidatePluginConfig)
 * and is silently dropped in 2.x, whose RegistryConfig keeps only auth.
 */
export function readConflictFindings(config: ConfigFacts, table: TomlTable): Finding[] {
  return [...mirrorsConflict(config), ...legacyTlsFindings(config), ...misplacedRegistryTable(config, table)];
}

function mirrorsConflict(config: ConfigFacts): Finding[] {
  if (config.configPath === null || config.mirrors.size === 0) return [];
  const first = [...config.mirrors.values()][0];
  return [
    finding(
      "config-invalid",
      "error",
      `containerd's CRI plugin fails to load: ${config.path} sets both registry.mirrors and config_path ("\`mirrors\` cannot be set when \`config_path\` is provided"), so no pod image can be pulled.`,
      {
        file: config.path,
        ...(first?.line ? { line: first.line } : {}),
        evidence: [
          `config_path = "${config.configPath}"`,
          ...[...config.mirrors.keys()].map((ns) => `mirrors."${ns}"`),
        ],
        fix: [
          `Move each mirror into ${config.configPath.split(":")[0]}/<namespace>/hosts.toml as a [host."https://mirror"] table,`,
          `delete the [${formatKeyPath([...config.registryTable, "mirrors"])}] tables from ${config.path}, then: systemctl restart containerd`,
        ],
      },
    ),
  ];
}

function legacyTlsFindings(config: ConfigFacts): Finding[] {
  const withTls = [...config.configs.values()].filter((c) => c.tls !== null);
  if (withTls.length === 0) return [];
  const first = withTls[0];
  const line = first?.tls?.line ?? null;
  const hosts = withTls.map((c) => c.host);
  const move = hosts.map((h) =>
    hostsTomlFor(config.configPath?.split(":")[0] ?? "/etc/containerd/certs.d", h, config),
  );
  if (config.version >= 3) {
    return [
      finding(
        "config-invalid",
        "warning",
        `containerd 2.x ignores registry.configs.*.tls in ${config.path} (only auth is kept), so these CA and skip-verify settings have no effect: ${hosts.join(", ")}.`,
        { file: config.path, ...(line ? { line } : {}), fix: move },
      ),
    ];
  }
  if (config.configPath === null) return [];
  return [
    finding(
      "config-invalid",
      "error",
      `containerd's CRI plugin fails to load: ${config.path} sets both registry.configs.*.tls and config_path ("\`configs.tls\` cannot be set when \`config_path\` is provided").`,
      {
        file: config.path,
        ...(line ? { line } : {}),
        evidence: hosts.map((h) => `configs."${h}".tls`),
        fix: [
          ...move,
          `Then delete the configs.*.tls tables from ${config.path} and: systemctl restart containerd`,
        ],
      },
    ),
  ];
}

function hostsTomlFor(certsRoot: string, host: string, config: ConfigFacts): string {
  const tls = config.configs.get(host)?.tls;
  const settings = [
    tls?.caFile ? `  ca = "${tls.caFile}"` : null,
    tls?.certFile && tls.keyFile ? `  client = [["${tls.certFile}", "${tls.keyFile}"]]` : null,
    tls?.insecureSkipVerify ? "  skip_verify = true" : null,
  ].filter(Boolean);
  return `# ${certsRoot}/${host}/hosts.toml\nserver = "https://${host}"\n[host."https://${host}"]\n${settings.join("\n")}`;
}

const V2_REGISTRY = ["plugins", "io.containerd.grpc.v1.cri", "registry"];
const V3_REGISTRY = ["plugins", "io.containerd.cri.v1.images", "registry"];

/** A registry table written for the other config version is read by nobody. */
function misplacedRegistryTable(config: ConfigFacts, table: TomlTable): Finding[] {
  const other = config.version >= 3 ? V2_REGISTRY : V3_REGISTRY;
  const misplaced = tableAt(table, other);
  if (!misplaced || Object.keys(misplaced).length === 0) return [];
  const line = config.lines.lineOf(other);
  const daemon =
    config.version >= 3 ? "containerd 2.x (config version 3)" : "containerd 1.x (config version 2)";
  return [
    finding(
      "config-invalid",
      config.version >= 3 ? "error" : "warning",
      `${config.path} puts registry settings under [${formatKeyPath(other)}], which ${daemon} does not read; they have no effect.`,
      {
        file: config.path,
        ...(line ? { line } : {}),
        fix: [`Move them to [${formatKeyPath(config.registryTable)}] and: systemctl restart containerd`],
      },
    ),
  ];
}
