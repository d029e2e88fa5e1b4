import { contextOfUnit, isRestartFile } from "../node/pending-restart.ts";
import { assertRegistryName } from "../node/registry-name.ts";
import type { ContextName } from "../node/types.ts";
import { applyPlan } from "../plan/apply.ts";
import { PlanApplyError } from "../plan/errors.ts";
import { readJournalAt } from "../plan/journal-store.ts";
import { previewPlan } from "../plan/preview.ts";
import { undoPlanFor } from "../plan/undo.ts";
import type { Target } from "../target/target.ts";
import { type ActionDeps, type ActionResult, applyFailureText, assertRootDir } from "./apply-change.ts";
import { readCaFile } from "./ca-file.ts";
import { removeExpiredInsecureLoudly } from "./expire-insecure.ts";
import { removeCas } from "./remove-cas.ts";
import { type ContextReport, type TrustReport, unchangedUntrustReport } from "./report.ts";

export interface UntrustRequest {
  target: Target;
  root: string;
  dryRun: boolean;
  restart: boolean;
  force: boolean;
  /** --ca FILE: remove only these CAs from what regtrust installed (trust/remove-cas.ts). */
  caFile?: string | undefined;
}

/**
 * `regtrust untrust`: the journal's undo plan for the target (plan/undo.ts):
 * files regtrust created removed, files it edited put back, refresh commands
 * re-run in their undo form, so the node is byte-for-byte as before outside
 * /var/lib/regtrust. config_path stays while another target still claims it.
 */
export async function untrustAction(req: UntrustRequest, deps: ActionDeps): Promise<ActionResult> {
  assertRootDir(req.root);
  const registry = req.target.registry;
  assertRegistryName(req.target.registry);
  const now = deps.clock.now();
  // A bad --ca file is bad input (exit 2) before anything on the node changes.
  const removing = req.caFile === undefined ? null : readCaFile(req.caFile);
  const expiredRemoved = await removeExpiredInsecureLoudly(
    { root: req.root, now, exec: deps.exec, restart: req.restart, dryRun: req.dryRun },
    deps.warn,
  );
  let rotation: TrustReport["rotation"];
  if (req.caFile !== undefined && removing) {
    const removed = await removeCas({ ...req, caFile: req.caFile, removing, expiredRemoved }, deps);
    if (!("removeAll" in removed)) return removed;
    rotation = removed.removeAll;
    deps.warn(
      `regtrust: ${req.caFile} holds every CA regtrust installed for ${registry}: removing everything regtrust changed for it, as plain untrust does`,
    );
  }
  const plan = await undoPlanFor(registry, req.root, { force: req.force, recover: !req.dryRun });
  // Nothing recorded for the target, and no earlier run's commands left to finish (applyPlan re-runs those).
  if ((plan.undo?.recordIds.length ?? 0) === 0 && !(await unfinishedWork(req.root)))
    return nothingInstalled(req, plan.notes, expiredRemoved);
  const options = { root: req.root, exec: deps.exec, restart: req.restart, now: () => deps.clock.now() };
  const preview = req.dryRun
    ? await previewPlan(plan, { root: req.root, commandOptions: { root: req.root, restart: req.restart } })
    : null;
  let result: Awaited<ReturnType<typeof applyPlan>>;
  try {
    result = await applyPlan(plan, { ...options, dryRun: req.dryRun });
  } catch (error) {
    if (!(error instanceof PlanApplyError)) throw error;
    return {
      exitCode: 1,
      report: null,
      message: applyFailureText(error),
      target: registry,
      dryRun: req.dryRun,
    };
  }
  const paths = result.effects.filter((e) => e.done || req.dryRun).map((e) => e.path);
  const pending = result.commands
    .filter((c) => c.kind === "restart" && c.status !== "ok")
    .map((c) => c.planned.at(-1) ?? "");
  const report: TrustReport = {
    schemaVersion: 1,
    target: registry,
    dryRun: req.dryRun,
    contexts: contextsOf(paths, pending, req.dryRun),
    commands: result.commands,
    diagnosis: null,
    action: "untrust",
    ca: null,
    expiresAt: null,
    effects: result.effects,
    changed: result.changed,
    expiredRemoved,
    notes: [...plan.notes, ...result.notes],
    preview,
    ...(rotation ? { rotation } : {}),
  };
  return { exitCode: 0, report };
}

/** Which context a node path belongs to, for the per-context report (undo plans are per target, not per context). */
export function contextOfPath(path: string): ContextName {
  if (path.startsWith("/etc/containerd/")) return "containerd";
  if (path.startsWith("/etc/docker/")) return "docker";
  if (path.startsWith("/etc/containers/") || path.startsWith("/root/.config/containers/")) return "crio";
  if (path.startsWith("/etc/rancher/k3s/")) return "k3s";
  if (path.startsWith("/etc/rancher/rke2/")) return "rke2";
  return "system";
}

function contextsOf(
  paths: readonly string[],
  pendingUnits: readonly string[],
  dryRun: boolean,
): ContextReport[] {
  const byContext = new Map<ContextName, string[]>();
  for (const path of paths) {
    const name = contextOfPath(path);
    byContext.set(name, [...(byContext.get(name) ?? []), path]);
  }
  for (const unit of pendingUnits) {
    const name = contextOfUnit(unit);
    if (name && !byContext.has(name)) byContext.set(name, []);
  }
  return [...byContext].map(([name, changes]) => {
    const restart = pendingUnits.find((u) => contextOfUnit(u) === name) ?? null;
    // The restart note belongs on the file the runtime reads only at start.
    const restartFile = restart ? changes.find(isRestartFile) : undefined;
    return {
      name,
      changes,
      restart,
      ...(restartFile ? { restartFile } : {}),
      verified: !dryRun,
      detail: dryRun ? "dry run: not applied" : "reverted to the state recorded before regtrust",
    };
  });
}

/** untrust of a registry regtrust never changed anything for: say so, change nothing, exit 0. */
function nothingInstalled(req: UntrustRequest, planNotes: string[], expiredRemoved: string[]): ActionResult {
  const registry = req.target.registry;
  const report = unchangedUntrustReport(registry, {
    dryRun: req.dryRun,
    expiredRemoved,
    notes: [
      ...planNotes.filter((n) => !n.startsWith("regtrust has no record")),
      `regtrust installed nothing for ${registry} on this node (its journal has no record of it); nothing was removed`,
    ],
  });
  return { exitCode: 0, report };
}

async function unfinishedWork(root: string): Promise<boolean> {
  const journal = await readJournalAt(root);
  return journal.unfinishedCommands !== null || journal.pending !== null;
}
