import { CERTS_D } from "../node/containerd/config-path-edit.ts";
import type { FileChange, PlanCommand } from "../plan/plan.ts";
import type { ExportPlan } from "./export-plan.ts";
import { textOf } from "./text.ts";

/** A whole file the plan writes, as a provisioning format carries it. */
export interface PlannedFile {
  path: string;
  content: string;
  mode: number;
}

/**
 * The two halves of the fix `trust` plans, taken from the plan itself so
 * every format carries exactly what `trust` would write: the OS store anchor
 * (trusted by everything on the node) and containerd's per-registry
 * directory (the CA file and hosts.toml under certs.d/<host>/).
 */
export interface TrustFiles {
  registry: string;
  /** The PEM bundle the plan installs into the OS store, or null when `system` was not planned. */
  osAnchor: PlannedFile | null;
  /** containerd's certs.d/<host>/ files the plan writes (CA bundle first, then hosts.toml). */
  registryFiles: PlannedFile[];
}

export function trustFilesOf(exported: ExportPlan): TrustFiles {
  const writes = exported.plan.changes.filter(isRegtrustWrite);
  const registryFiles = writes.filter((c) => c.path.startsWith(`${CERTS_D}/`)).map(plannedFile);
  const anchor = writes.find((c) => !c.path.startsWith(`${CERTS_D}/`) && !c.path.startsWith("/etc/docker/"));
  return {
    registry: exported.plan.target,
    osAnchor: anchor ? plannedFile(anchor) : null,
    registryFiles: registryFiles.sort((a, b) => rank(a.path) - rank(b.path)),
  };
}

/** The per-registry CA file (the one that is not hosts.toml). */
export function registryCaOf(files: TrustFiles): PlannedFile {
  const ca = files.registryFiles.find((f) => !f.path.endsWith("/hosts.toml"));
  if (!ca) throw new Error("the plan has no containerd CA file for the registry");
  return ca;
}

/**
 * The plan without containerd's config.toml edit and the restart it needs:
 * for nodes whose image already sets config_path to /etc/containerd/certs.d
 * and generates config.toml itself (AL2023's nodeadm), so an edit would be
 * overwritten or redundant.
 */
export function withoutContainerdConfigEdit(exported: ExportPlan): ExportPlan {
  const changes = exported.plan.changes.filter((c) => c.path !== "/etc/containerd/config.toml");
  const commands = exported.plan.commands.filter((c: PlanCommand) => !isContainerdRestart(c));
  return { ...exported, plan: { ...exported.plan, changes, commands } };
}

function isContainerdRestart(command: PlanCommand): boolean {
  return command.kind === "restart" && command.unit === "containerd";
}

function isRegtrustWrite(change: FileChange): change is Extract<FileChange, { kind: "write" }> {
  return change.kind === "write" && change.owner === "regtrust";
}

function plannedFile(change: Extract<FileChange, { kind: "write" }>): PlannedFile {
  return { path: change.path, content: textOf(change.content), mode: change.mode };
}

function rank(path: string): number {
  return path.endsWith("/hosts.toml") ? 1 : 0;
}
