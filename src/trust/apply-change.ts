import type { Clock, Exec } from "../core/deps.ts";
import { InputError } from "../core/errors.ts";
import { type ContextPlan, type NodeChange, nodeAction } from "../node/ca-install.ts";
import { HostFs, HostFsError } from "../node/host-fs.ts";
import { readNodeView } from "../node/node-view.ts";
import { contextOfUnit } from "../node/pending-restart.ts";
import { prepareYamlFor } from "../node/yaml-parser.ts";
import { type ApplyResult, applyPlan, recoverInterrupted, runPendingRestarts } from "../plan/apply.ts";
import { blockingRefusals } from "../plan/commands.ts";
import { PlanApplyError } from "../plan/errors.ts";
import { readJournalAt } from "../plan/journal-store.ts";
import { type Plan, refreshCommand } from "../plan/plan.ts";
import { previewPlan } from "../plan/preview.ts";
import type { probe as runProbe } from "../probe/probe.ts";
import type { Target } from "../target/target.ts";
import { mergeRemovals, planOverrideRemovals } from "./override-removal.ts";
import { combineContextPlans, planContexts, type TargetContexts, targetContexts } from "./plan-contexts.ts";
import type { ContextReport, TrustReport } from "./report.ts";
import { verifyAfterApply } from "./verify-after.ts";

/** Side effects of trust/untrust/insecure, injected (tests pass a fixed clock or a fake probe). */
export interface ActionDeps {
  clock: Clock;
  exec: Exec;
  probe: typeof runProbe;
  /** One line for stderr: warnings and what happened before the result. */
  warn(line: string): void;
}

export type ActionResult =
  | { exitCode: number; report: TrustReport }
  | { exitCode: 1 | 2; report: null; message: string; target: string; dryRun: boolean };

export interface ChangeRequest {
  target: Target;
  root: string;
  runtimeFlag: string | undefined;
  change: NodeChange;
  /** Also remove every skip-verify override of the registry in the targeted runtimes (override-removal.ts). */
  removeInsecure?: boolean;
  dryRun: boolean;
  restart: boolean;
  timeoutMs: number;
  /** Filled in by the caller: the CA summary, expired overrides removed first, notes. */
  header: Pick<TrustReport, "ca" | "expiresAt" | "expiredRemoved" | "notes" | "rotation">;
}

export { assertRootDir } from "../core/root-dir.ts";

/**
 * The part trust and insecure share: plan every targeted context from a fresh
 * read of the node; refuse the whole run (nothing written) if any context
 * cannot be changed safely; preview or apply the combined plan; then verify.
 * Exit 0 only when every context verifies or waits for a named restart.
 */
export async function applyChange(req: ChangeRequest, deps: ActionDeps): Promise<ActionResult> {
  const recovered = await recoverBeforePlanning(req);
  if ("exitCode" in recovered) return recovered;
  req = { ...req, header: { ...req.header, notes: [...req.header.notes, ...recovered.notes] } };
  const fs = new HostFs(req.root);
  await prepareYamlFor(fs, req.runtimeFlag);
  const view = readNodeView(fs);
  const registry = req.target.registry;
  const { targets, systemLeftOut } = await leaveOutBlockedSystem(req, view);
  if (systemLeftOut !== null) req.header.notes.push(systemLeftOut);
  const change = req.change;
  const contextPlans =
    change.kind === "remove-insecure"
      ? []
      : planOrExplain(() => planContexts(fs, view, targets, registry, change));
  const removalNotes: string[] = [];
  if (req.removeInsecure || change.kind === "remove-insecure") {
    const removals = planOrExplain(() => planOverrideRemovals(fs, view, registry, targets.runtimes));
    mergeRemovals(fs, registry, contextPlans, removals, removalNotes);
    req = { ...req, header: { ...req.header, notes: [...req.header.notes, ...removalNotes] } };
  }
  if (contextPlans.length === 0 && change.kind === "remove-insecure") {
    const note = `nothing to change for ${registry}: no runtime under ${req.root} skips verification for it in a file`;
    const report = baseReport(req, {
      dryRun: req.dryRun,
      changed: false,
      effects: [],
      commands: [],
      notes: [note],
      preview: null,
      contexts: [],
      plan: { notes: [] },
    });
    return { exitCode: 0, report };
  }
  if (contextPlans.length === 0) {
    const message =
      req.change.kind === "insecure"
        ? `nothing to change for ${registry}: insecure mode changes container runtimes only (the OS store has no skip-verify), and none was found under ${req.root} or listed with --runtime`
        : systemLeftOut !== null
          ? `nothing to change for ${registry}: no container runtime was found under ${req.root}, and ${systemLeftOut}`
          : `nothing to change for ${registry}: no trust context selected; name one with --runtime`;
    return { exitCode: 2, report: null, message, target: registry, dryRun: req.dryRun };
  }
  const refused = contextPlans.filter((p) => p.refusal !== null);
  if (refused.length > 0) {
    return { exitCode: 1, report: null, message: refusalText(refused), target: registry, dryRun: req.dryRun };
  }
  const plan = combineContextPlans(registry, req.change, contextPlans);
  if (req.dryRun) return dryRunChange(req, deps, plan, contextPlans);
  let result: ApplyResult;
  try {
    result = await applyPlan(plan, applyOptionsOf(req, deps));
  } catch (error) {
    if (!(error instanceof PlanApplyError)) throw error;
    return { exitCode: 1, report: null, message: applyFailureText(error), target: registry, dryRun: false };
  }
  result = {
    ...result,
    commands: [...result.commands, ...(await earlierRestarts(req, deps, targets, result))],
  };
  const verified = await verifyAfterApply({
    root: req.root,
    target: req.target,
    targets,
    change: req.change,
    contextPlans,
    commands: result.commands,
    changed: new Set(result.effects.filter((e) => e.done).map((e) => e.path)),
    timeoutMs: req.timeoutMs,
    clock: deps.clock,
    probe: deps.probe,
  });
  const report = baseReport(req, { ...result, preview: null, contexts: verified.contexts, plan });
  report.diagnosis = verified.diagnosis;
  const done = verified.contexts.every((c) => c.verified || c.restart !== null);
  return { exitCode: done ? 0 : 1, report };
}

/**
 * Without --runtime the OS store is targeted only where its refresh can run
 * safely. The agent DaemonSet's /host mounts a few directories of the node,
 * not the node's update-ca-certificates or the public roots it rebuilds the
 * bundle from: the runtimes still get their own CA files (which is what image
 * pulls use), and the note says why the OS store was left alone. Named with
 * --runtime system, the store is planned and apply refuses with the reason.
 */
async function leaveOutBlockedSystem(
  req: ChangeRequest,
  view: ReturnType<typeof readNodeView>,
): Promise<{ targets: TargetContexts; systemLeftOut: string | null }> {
  const targets = targetContexts(req.runtimeFlag, view);
  const argv = view.system.refreshCommand;
  if (req.runtimeFlag !== undefined || !targets.system || req.change.kind !== "trust" || argv === null) {
    return { targets, systemLeftOut: null };
  }
  const command = refreshCommand(argv, "OS store refresh", undefined, view.system.refreshInputs);
  const [why] = await blockingRefusals([command], { root: req.root });
  if (why === undefined) return { targets, systemLeftOut: null };
  return {
    targets: { ...targets, system: false },
    systemLeftOut: `the OS store was left alone: ${why}`,
  };
}

/**
 * A run interrupted earlier (kill -9, power loss) left its write-ahead entry:
 * roll it back before the node is read, as untrust does (plan/undo.ts), so the
 * plan starts from a consistent node. Planning first would see the half-written
 * files, and applyPlan's own recovery would then make the plan stale (a
 * "changed since the plan was made" conflict). Dry runs only read.
 */
async function recoverBeforePlanning(req: ChangeRequest): Promise<{ notes: string[] } | ActionResult> {
  if (req.dryRun) return { notes: [] };
  // An unreadable journal is reported by applyPlan, as before.
  const journal = await readJournalAt(req.root).catch(() => null);
  if (!journal?.pending) return { notes: [] };
  try {
    const report = await recoverInterrupted({ root: req.root });
    if (!report) return { notes: [] };
    return {
      notes: [
        `an interrupted ${report.action} of ${report.target} (${report.startedAt}) was rolled back first`,
      ],
    };
  } catch (error) {
    if (!(error instanceof PlanApplyError)) throw error;
    const message = applyFailureText(error);
    return { exitCode: 1, report: null, message, target: req.target.registry, dryRun: false };
  }
}

function applyOptionsOf(req: ChangeRequest, deps: ActionDeps) {
  return { root: req.root, exec: deps.exec, restart: req.restart, now: () => deps.clock.now() };
}

/** The diff and the commands, from the same resolution a real run uses; nothing is written. */
async function dryRunChange(
  req: ChangeRequest,
  deps: ActionDeps,
  plan: Plan,
  contextPlans: readonly ContextPlan[],
): Promise<ActionResult> {
  const preview = await previewPlan(plan, {
    root: req.root,
    commandOptions: { root: req.root, restart: req.restart },
  });
  const result = await applyPlan(plan, { ...applyOptionsOf(req, deps), dryRun: true });
  const would = new Set(result.effects.map((e) => e.path));
  const contexts = contextPlans.map((cp) => dryRunContext(cp, would));
  return { exitCode: 0, report: baseReport(req, { ...result, preview, contexts, plan }) };
}

export type { TargetContexts };

/** A node path that cannot be read safely (a symlink out of the root, a loop) is bad input naming the path. */
function planOrExplain<T>(plan: () => T): T {
  try {
    return plan();
  } catch (error) {
    if (error instanceof HostFsError) throw new InputError(`refusing to plan: ${error.message}`);
    throw error;
  }
}

function dryRunContext(cp: ContextPlan, would: ReadonlySet<string>): ContextReport {
  const changes = cp.plan.changes.map((c) => c.path).filter((p) => would.has(p));
  const restart = cp.restartUnit !== null && changes.length > 0 ? cp.restartUnit : null;
  const file = cp.restartFile && changes.includes(cp.restartFile) ? { restartFile: cp.restartFile } : {};
  return { name: cp.context, changes, restart, ...file, verified: false, detail: "dry run: not applied" };
}

function baseReport(
  req: ChangeRequest,
  parts: {
    dryRun: boolean;
    changed: boolean;
    effects: TrustReport["effects"];
    commands: TrustReport["commands"];
    notes: string[];
    preview: string | null;
    contexts: ContextReport[];
    plan: { notes: string[] };
  },
): TrustReport {
  return {
    schemaVersion: 1,
    target: req.target.registry,
    dryRun: req.dryRun,
    contexts: parts.contexts,
    commands: parts.commands,
    diagnosis: null,
    action: nodeAction(req.change),
    ...req.header,
    effects: parts.effects,
    changed: parts.changed,
    notes: [...req.header.notes, ...parts.plan.notes, ...parts.notes],
    preview: parts.preview,
  };
}

/** A failed apply (lock held, file changed meanwhile, read-only disk): files were rolled back. */
export function applyFailureText(error: PlanApplyError): string {
  const state = error.rolledBack
    ? "every file regtrust touched was put back"
    : "the next regtrust run finishes putting the files back";
  return `applying failed (${error.failure}): ${error.message}; ${state}. Re-run the command.`;
}

function refusalText(refused: readonly ContextPlan[]): string {
  const parts = refused.map((p) => {
    const manual = p.refusal!.manual.map((l) => `    ${l}`).join("\n");
    return `  ${p.context}: ${p.refusal!.reason}${manual ? `\n${manual}` : ""}`;
  });
  return (
    `regtrust will not change this node; nothing was written:\n${parts.join("\n")}\n` +
    "Fix the above by hand, or leave those runtimes out with --runtime."
  );
}

/**
 * With --restart, the restarts an earlier run left pending for the targeted
 * runtimes run too (node/pending-restart.ts): "trust … --restart" ends them
 * even when nothing changes this time.
 */
async function earlierRestarts(
  req: ChangeRequest,
  deps: ActionDeps,
  targets: TargetContexts,
  result: ApplyResult,
): Promise<ApplyResult["commands"]> {
  if (!req.restart) return [];
  const ranNow = new Set(result.commands.filter((c) => c.kind === "restart").map((c) => c.planned.at(-1)));
  const journal = await readJournalAt(req.root).catch(() => null);
  const units = (journal?.restarts ?? [])
    .map((r) => r.unit)
    .filter((unit) => !ranNow.has(unit))
    .filter((unit) => {
      const context = contextOfUnit(unit);
      return context !== null && targets.runtimes.includes(context);
    });
  if (units.length === 0) return [];
  return runPendingRestarts(units, applyOptionsOf(req, deps));
}
