import { systemClock } from "../../core/deps.ts";
import { UsageError } from "../../core/errors.ts";
import { ansiblePlaybook } from "../../export/ansible.ts";
import { cloudInitUserData } from "../../export/cloud-init.ts";
import { planForExport } from "../../export/export-plan.ts";
import { loadYamlParser } from "../../node/yaml-parser.ts";
import { writeOutputFile } from "../../plan/write-output.ts";
import { parseTarget } from "../../target/parse-target.ts";
import { checkCaCertificates, readCaFile } from "../../trust/ca-file.ts";
import type { Io } from "../io.ts";

export const EXPORT_FORMATS = ["cloud-init", "ansible"] as const;

export interface ExportFlags {
  format?: string;
  ca?: string;
  runtime?: string;
  distro?: string;
  output?: string;
}

/**
 * `regtrust export`: the plan `regtrust trust` would make on a fresh node of
 * the given distro, as cloud-init user-data or an Ansible playbook. The CA
 * file gets the same checks as for trust; the registry is not contacted.
 */
export async function runExport(
  targetText: string,
  flags: ExportFlags,
  io: Io,
  clock: { now(): Date } = systemClock,
): Promise<number> {
  const format = flags.format;
  if (format !== "cloud-init" && format !== "ansible") {
    throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(", ")}`);
  }
  if (flags.ca === undefined) throw new UsageError("export needs --ca FILE");
  const target = parseTarget(targetText);
  const certs = readCaFile(flags.ca);
  checkCaCertificates(certs, `--ca ${flags.ca}`, clock.now());
  // The synthetic node's k3s/rke2 planners read registries.yaml; export
  // renders YAML anyway, so the parser costs nothing extra here.
  await loadYamlParser();
  const exported = planForExport(target.registry, certs, flags.runtime, flags.distro ?? "debian");
  const text =
    format === "cloud-init"
      ? cloudInitUserData(exported, { diagnoseTarget: target.registry })
      : ansiblePlaybook(exported);
  if (flags.output === undefined) io.stdout.write(text);
  else writeOutputFile(flags.output, text);
  return 0;
}
