import { parse } from "yaml";
import { type Distribution, registriesYamlPath } from "../node/k3s/registries-yaml.ts";
import type { FileChange } from "../plan/plan.ts";
import { textOf } from "./text.ts";

/**
 * k3s/RKE2's registries.yaml edit, in a form a provisioning tool can apply to
 * a file it has not seen. `regtrust trust` (node/k3s/plan-trust.ts) merges
 * into the file it read: it sets `configs."<registry>".tls.ca_file` to the CA
 * file it owns and keeps every other entry (mirrors, auth, other registries);
 * when a ca_file was already set, the certificates it held are kept in the
 * new CA file, because k3s takes one ca_file per registry. The export does
 * the same merge at provisioning time (cloud-init: registries-yaml-merge.ts;
 * Ansible: ansible-registries-yaml.ts).
 */
export interface RegistriesYamlMerge {
  dist: Distribution;
  /** Node path of registries.yaml. */
  file: string;
  /** Mode of a registries.yaml the merge creates (0600: it usually holds credentials). */
  mode: number;
  /** The configs key, as trust writes it. */
  registry: string;
  /** Node path of the CA file regtrust owns, referenced as ca_file. */
  caFile: string;
  /** The CA (PEM) for the registry. */
  caPem: string;
}

/**
 * The merge for a registries.yaml edit in `changes`, or null when `change` is
 * not one. The CA file it names is part of the merge (its content depends on
 * what the node already trusted), so isAbsorbedCaFile drops its plain write.
 */
export function registriesYamlMerge(
  change: FileChange,
  changes: readonly FileChange[],
  registry: string,
): RegistriesYamlMerge | null {
  if (change.kind !== "write" || change.owner !== "edit") return null;
  const dist = (["k3s", "rke2"] as const).find((d) => registriesYamlPath(d) === change.path);
  if (dist === undefined) return null;
  const planned = parse(textOf(change.content)) as PlannedYaml | null;
  const caFile = planned?.configs?.[registry]?.tls?.ca_file;
  if (typeof caFile !== "string") return null;
  const ca = changes.find((c) => c.kind === "write" && c.path === caFile);
  if (ca === undefined || ca.kind !== "write") return null;
  return { dist, file: change.path, mode: change.mode, registry, caFile, caPem: textOf(ca.content) };
}

interface PlannedYaml {
  configs?: Record<string, { tls?: { ca_file?: unknown } } | undefined>;
}

export function isAbsorbedCaFile(path: string, merges: readonly RegistriesYamlMerge[]): boolean {
  return merges.some((m) => m.caFile === path);
}
