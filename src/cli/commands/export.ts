import { systemClock } from "../../core/deps.ts";
import { UsageError } from "../../core/errors.ts";
import { ansiblePlaybook } from "../../export/ansible.ts";
import { eksUserData, karpenterManifests } from "../../export/aws.ts";
import { bottlerocketSettings } from "../../export/bottlerocket.ts";
import { cloudInitUserData } from "../../export/cloud-init.ts";
import { clusterApiTemplate } from "../../export/cluster-api.ts";
import { type ExportPlan, planForExport } from "../../export/export-plan.ts";
import { flatcarIgnition } from "../../export/flatcar.ts";
import { talosConfig, talosVariant } from "../../export/talos.ts";
import { terraformCloudInit } from "../../export/terraform.ts";
import { loadYamlParser } from "../../node/yaml-parser.ts";
import { writeOutputFile } from "../../plan/write-output.ts";
import { parseTarget } from "../../target/parse-target.ts";
import { checkCaCertificates, readCaFile } from "../../trust/ca-file.ts";
import type { Io } from "../io.ts";

export const EXPORT_FORMATS = [
  "cloud-init",
  "ansible",
  "terraform",
  "cluster-api",
  "karpenter",
  "eks",
  "bottlerocket",
  "talos",
  "flatcar",
] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Formats for nodes whose OS regtrust knows in advance: the AWS formats
 * target AL2023 (distro amzn); Bottlerocket, Talos and Flatcar run
 * containerd and take the OS store plus containerd's per-registry files.
 */
const FIXED_NODE: Partial<Record<ExportFormat, { distro: string; runtime: string }>> = {
  karpenter: { distro: "amzn", runtime: "containerd,system" },
  eks: { distro: "amzn", runtime: "containerd,system" },
  bottlerocket: { distro: "debian", runtime: "containerd,system" },
  talos: { distro: "debian", runtime: "containerd,system" },
  flatcar: { distro: "debian", runtime: "containerd,system" },
};

/** Formats that can express the startup taint of `--gate`. */
const GATE_FORMATS: readonly ExportFormat[] = ["cluster-api", "karpenter", "eks"];

export interface ExportFlags {
  format?: string;
  ca?: string;
  runtime?: string;
  distro?: string;
  output?: string;
  gate?: boolean;
  talosVersion?: string;
}

/**
 * `regtrust export`: the plan `regtrust trust` would make on a fresh node of
 * the given distro, rendered for a provisioning tool or node OS. The CA
 * file gets the same checks as for trust; the registry is not contacted.
 */
export async function runExport(
  targetText: string,
  flags: ExportFlags,
  io: Io,
  clock: { now(): Date } = systemClock,
): Promise<number> {
  const format = checkFormat(flags);
  if (flags.ca === undefined) throw new UsageError("export needs --ca FILE");
  const target = parseTarget(targetText);
  const certs = readCaFile(flags.ca);
  checkCaCertificates(certs, `--ca ${flags.ca}`, clock.now());
  // The synthetic node's k3s/rke2 planners read registries.yaml; export
  // renders YAML anyway, so the parser costs nothing extra here.
  await loadYamlParser();
  const node = FIXED_NODE[format] ?? { distro: flags.distro ?? "debian", runtime: flags.runtime };
  const exported = planForExport(target.registry, certs, node.runtime, node.distro);
  const text = render(
    format,
    exported,
    { diagnoseTarget: target.registry, gate: flags.gate === true },
    flags,
  );
  if (flags.output === undefined) io.stdout.write(text);
  else writeOutputFile(flags.output, text);
  return 0;
}

function checkFormat(flags: ExportFlags): ExportFormat {
  const format = flags.format as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) {
    const given = flags.format === undefined ? "" : ` (got "${flags.format}")`;
    throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(", ")}${given}`);
  }
  const fixed = FIXED_NODE[format];
  if (fixed && flags.runtime !== undefined && flags.runtime !== "containerd,system") {
    throw new UsageError(
      `--format ${format} configures containerd and the OS store; --runtime does not apply`,
    );
  }
  if (fixed && flags.distro !== undefined && flags.distro !== "debian") {
    throw new UsageError(`--format ${format} targets its own OS; --distro does not apply`);
  }
  if (flags.gate && !GATE_FORMATS.includes(format)) {
    throw new UsageError(`--gate needs a format that can taint new nodes: ${GATE_FORMATS.join(", ")}`);
  }
  if (flags.talosVersion !== undefined && format !== "talos") {
    throw new UsageError("--talos-version applies to --format talos only");
  }
  return format;
}

function render(
  format: ExportFormat,
  exported: ExportPlan,
  opts: { diagnoseTarget: string; gate: boolean },
  flags: ExportFlags,
): string {
  switch (format) {
    case "cloud-init":
      return cloudInitUserData(exported, opts);
    case "ansible":
      return ansiblePlaybook(exported);
    case "terraform":
      return terraformCloudInit(exported, opts);
    case "cluster-api":
      return clusterApiTemplate(exported, opts);
    case "karpenter":
      return karpenterManifests(exported, opts);
    case "eks":
      return eksUserData(exported, opts);
    case "bottlerocket":
      return bottlerocketSettings(exported);
    case "talos":
      return talosConfig(exported, talosVariant(flags.talosVersion));
    case "flatcar":
      return flatcarIgnition(exported);
  }
}
