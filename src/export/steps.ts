import { CERTS_D } from "../node/containerd/config-path-edit.ts";
import { CONFIG_PATH_SHARED } from "../node/containerd/plan-trust.ts";
import type { FileChange, FileContent, PlanCommand } from "../plan/plan.ts";
import { type ConfigPathEdit, configPathEdit } from "./config-path-step.ts";
import type { ExportPlan } from "./export-plan.ts";
import { isAbsorbedCaFile, type RegistriesYamlMerge, registriesYamlMerge } from "./registries-yaml-step.ts";
import { textOf } from "./text.ts";

export { octal, textOf } from "./text.ts";

/**
 * A plan's file changes as provisioning steps. Files regtrust owns are
 * written whole; an edit of a file it does not own never overwrites it:
 * containerd's config_path becomes the surgical step of config-path-step.ts,
 * k3s/RKE2's registries.yaml the merge of registries-yaml-step.ts (which
 * also writes the CA file it names), and containerd's hosts.toml, like any
 * other edit of a file the fresh node did not have, is created only where it
 * is still absent.
 */
export type ExportStep =
  | { kind: "file"; path: string; content: FileContent; mode: number; triggers: PlanCommand[] }
  | { kind: "create-if-absent"; path: string; content: FileContent; mode: number; triggers: PlanCommand[] }
  | { kind: "config-path"; edit: ConfigPathEdit; triggers: PlanCommand[] }
  | { kind: "registries-yaml"; merge: RegistriesYamlMerge; triggers: PlanCommand[] }
  | { kind: "mkdir"; path: string; mode: number }
  | { kind: "delete"; path: string; triggers: PlanCommand[] };

export function exportSteps(exported: ExportPlan): ExportStep[] {
  const { changes, target } = exported.plan;
  const merges = changes.flatMap((c) => registriesYamlMerge(c, changes, target) ?? []);
  return changes
    .filter((change) => !isAbsorbedCaFile(change.path, merges))
    .flatMap((change) => stepsOf(change, exported, merges));
}

function stepsOf(change: FileChange, exported: ExportPlan, merges: RegistriesYamlMerge[]): ExportStep[] {
  const triggers = exported.triggers.get(change.path) ?? [];
  const merge = merges.find((m) => m.file === change.path);
  if (merge) return [{ kind: "registries-yaml", merge, triggers }];
  if (change.kind === "mkdir") return [{ kind: "mkdir", path: change.path, mode: change.mode }];
  if (change.kind === "rmdir") return [];
  if (change.kind === "delete") return [{ kind: "delete", path: change.path, triggers }];
  const { path, content, mode } = change;
  if (isHostsToml(path)) return [{ kind: "create-if-absent", path, content, mode, triggers }];
  if (change.owner === "regtrust") return [{ kind: "file", path, content, mode, triggers }];
  if (change.shared === CONFIG_PATH_SHARED) {
    const edit = configPathEdit(path, textOf(content), hostDirOf(exported.plan.changes));
    return [{ kind: "config-path", edit, triggers }];
  }
  if (exported.before.get(path) === null)
    return [{ kind: "create-if-absent", path, content, mode, triggers }];
  throw new Error(`export cannot express the edit of ${path} on an unknown node`);
}

/**
 * containerd's hosts.toml: regtrust creates it on the synthetic node, but a
 * node may already have one for the registry (mirrors, other settings) that
 * `trust` would edit surgically; the export never replaces it.
 */
function isHostsToml(path: string): boolean {
  return path.startsWith(`${CERTS_D}/`) && path.endsWith("/hosts.toml");
}

/** The registry's directory under certs.d the plan writes hosts.toml into (the synthetic node's config_path). */
function hostDirOf(changes: readonly FileChange[]): string | null {
  const hosts = changes.find((c) => isHostsToml(c.path));
  return hosts ? hosts.path.slice(0, -"/hosts.toml".length) : null;
}

/** Refreshes first, then restarts: a runtime restarted after the refresh loads the new roots too. */
export function orderedCommands(commands: readonly PlanCommand[]): PlanCommand[] {
  return [...commands.filter((c) => c.kind === "refresh"), ...commands.filter((c) => c.kind === "restart")];
}
