import { CONFIG_PATH_SHARED } from "../node/containerd/plan-trust.ts";
import type { FileChange, FileContent, PlanCommand } from "../plan/plan.ts";
import { type ConfigPathEdit, configPathEdit } from "./config-path-step.ts";
import type { ExportPlan } from "./export-plan.ts";

/**
 * A plan's file changes as provisioning steps. Files regtrust owns are
 * written whole; an edit of a file it does not own never overwrites it:
 * containerd's config_path becomes the surgical step of config-path-step.ts,
 * and an edit of a file the fresh node did not have (k3s registries.yaml)
 * creates it only where it is still absent.
 */
export type ExportStep =
  | { kind: "file"; path: string; content: FileContent; mode: number; triggers: PlanCommand[] }
  | { kind: "create-if-absent"; path: string; content: FileContent; mode: number; triggers: PlanCommand[] }
  | { kind: "config-path"; edit: ConfigPathEdit; triggers: PlanCommand[] }
  | { kind: "mkdir"; path: string; mode: number }
  | { kind: "delete"; path: string; triggers: PlanCommand[] };

export function exportSteps(exported: ExportPlan): ExportStep[] {
  return exported.plan.changes.flatMap((change) => stepsOf(change, exported));
}

function stepsOf(change: FileChange, exported: ExportPlan): ExportStep[] {
  const triggers = exported.triggers.get(change.path) ?? [];
  if (change.kind === "mkdir") return [{ kind: "mkdir", path: change.path, mode: change.mode }];
  if (change.kind === "rmdir") return [];
  if (change.kind === "delete") return [{ kind: "delete", path: change.path, triggers }];
  const { path, content, mode } = change;
  if (change.owner === "regtrust") return [{ kind: "file", path, content, mode, triggers }];
  if (change.shared === CONFIG_PATH_SHARED) {
    return [{ kind: "config-path", edit: configPathEdit(path, textOf(content)), triggers }];
  }
  if (exported.before.get(path) === null)
    return [{ kind: "create-if-absent", path, content, mode, triggers }];
  throw new Error(`export cannot express the edit of ${path} on an unknown node`);
}

/** Refreshes first, then restarts: a runtime restarted after the refresh loads the new roots too. */
export function orderedCommands(commands: readonly PlanCommand[]): PlanCommand[] {
  return [...commands.filter((c) => c.kind === "refresh"), ...commands.filter((c) => c.kind === "restart")];
}

export function textOf(content: FileContent): string {
  return typeof content === "string" ? content : Buffer.from(content).toString("utf8");
}

export function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, "0")}`;
}
