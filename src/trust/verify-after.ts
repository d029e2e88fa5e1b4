import type { Clock } from "../core/deps.ts";
import { buildContexts } from "../diagnose/contexts.ts";
import { diagnose } from "../diagnose/diagnose.ts";
import { isBuiltInOverride } from "../diagnose/insecure-findings.ts";
import { loadNode } from "../diagnose/load-node.ts";
import { NOT_IN_EFFECT } from "../diagnose/pending-findings.ts";
import type { DiagnoseResult } from "../diagnose/result.ts";
import { finding } from "../findings/finding.ts";
import type { ContextPlan, NodeChange } from "../node/ca-install.ts";
import type { InsecureSetting } from "../node/types.ts";
import type { CommandOutcome } from "../plan/commands.ts";
import { shellLine } from "../plan/commands.ts";
import type { probe as runProbe } from "../probe/probe.ts";
import type { Target } from "../target/target.ts";
import type { TargetContexts } from "./plan-contexts.ts";
import type { ContextReport } from "./report.ts";

export interface VerifyInput {
  root: string;
  target: Target;
  targets: TargetContexts;
  change: NodeChange;
  contextPlans: readonly ContextPlan[];
  commands: readonly CommandOutcome[];
  /** Node paths this run changed. */
  changed: ReadonlySet<string>;
  timeoutMs: number;
  clock: Clock;
  probe?: typeof runProbe;
}

/**
 * After applying: the node is read again from scratch and diagnosed, so the
 * verdict comes from the same code as `regtrust diagnose`, not from what we
 * meant to write. A context whose change waits for a service restart that
 * did not run gets a `restart-required` finding naming the unit. When the
 * registry cannot be reached, each context is checked offline: its pool now
 * holds the CA.
 */
export async function verifyAfterApply(input: VerifyInput): Promise<{
  diagnosis: DiagnoseResult;
  contexts: ContextReport[];
}> {
  const node = await loadNode(input.root, input.targets.runtimes);
  const diagnosis = await diagnose(input.target, {
    node,
    timeoutMs: input.timeoutMs,
    clock: input.clock,
    expiringDays: 30,
    ...(input.probe ? { probe: input.probe } : {}),
  });
  const reachable = diagnosis.presented.length > 0;
  const offline = reachable ? null : offlinePools(node, input.target.registry);
  const contexts = input.contextPlans.map((cp) => {
    const changes = cp.plan.changes.map((c) => c.path).filter((p) => input.changed.has(p));
    const result = diagnosis.contexts.find((c) => c.name === cp.context);
    // This run's restart, or one an earlier run left pending (journal: node/pending-restart.ts).
    const restart = pendingRestart(cp, changes, input.commands) ?? result?.restart?.unit ?? null;
    const override =
      cp.context === "system" ? null : node.view.trustFor(cp.context, input.target.registry).insecure;
    const verdict = verdictFor(input.change, result, offline?.get(cp.context) ?? null, override);
    if (restart) addRestartFinding(diagnosis, cp, restart, input.target.registry);
    const file = cp.restartFile && changes.includes(cp.restartFile) ? { restartFile: cp.restartFile } : {};
    return { name: cp.context, changes, restart, ...file, ...verdict };
  });
  return { diagnosis, contexts };
}

function verdictFor(
  change: NodeChange,
  result: DiagnoseResult["contexts"][number] | undefined,
  offlinePool: { contains(c: { sha256: string }): boolean } | null,
  override: InsecureSetting | null,
): { verified: boolean; detail: string } {
  if (!result) return { verified: false, detail: "not evaluated" };
  if (change.kind === "insecure") {
    return result.insecure
      ? { verified: true, detail: "TLS verification is off (expiring)" }
      : { verified: false, detail: "verification is still on" };
  }
  // A CA next to a skip-verify override changes nothing: the runtime checks no certificate at all.
  if (override && !isBuiltInOverride(override)) {
    return {
      verified: false,
      detail: `skips verification (${override.setting} in ${override.file}): the CA is not used while it is there`,
    };
  }
  const builtIn = override ? ` (but ${override.setting} skips verification anyway)` : "";
  if (offlinePool) {
    if (change.kind === "remove-insecure")
      return { verified: true, detail: "override removed (registry unreachable: no live handshake)" };
    const has = change.ca.certs.every((c) => offlinePool.contains(c));
    return has
      ? {
          verified: true,
          detail: `the CA is in its pool (registry unreachable: no live handshake)${builtIn}`,
        }
      : { verified: false, detail: "the CA is not in its pool" };
  }
  // Waiting for a restart: the files verify; the running daemon is what is not there yet.
  const filesOk =
    result.ok || (result.restart?.status === "pending" && result.error?.startsWith(NOT_IN_EFFECT));
  return filesOk
    ? { verified: true, detail: override ? `the CA is installed${builtIn}` : "verifies the registry's chain" }
    : { verified: false, detail: result.error ?? "does not verify" };
}

/** Trust pools per context from the fresh node view, for the offline check. */
function offlinePools(node: Awaited<ReturnType<typeof loadNode>>, registry: string) {
  const { contexts } = buildContexts(node.view, registry, node.runtimes, node.systemSources);
  return new Map(contexts.map((c) => [c.name as string, c.pool.pool]));
}

/** The unit still to restart: the plan needs one, something changed, and it did not run successfully. */
function pendingRestart(cp: ContextPlan, changes: readonly string[], commands: readonly CommandOutcome[]) {
  const unit = cp.restartUnit;
  if (unit === null || changes.length === 0) return null;
  const ran = commands.some((c) => c.kind === "restart" && c.planned.at(-1) === unit && c.status === "ok");
  return ran ? null : unit;
}

function addRestartFinding(diagnosis: DiagnoseResult, cp: ContextPlan, unit: string, registry: string): void {
  const already = diagnosis.findings.some(
    (f) => f.code === "restart-required" && (f.contexts ?? []).includes(cp.context),
  );
  if (already) return;
  const command = cp.plan.commands.find((c) => c.kind === "restart" && c.unit === unit);
  const argv = command?.argv ?? ["systemctl", "restart", unit];
  diagnosis.findings.push(
    finding(
      "restart-required",
      "warning",
      `${unit} has not picked up the change for ${registry} yet (${command?.reason ?? "it reads its configuration at start"}); run: ${shellLine(argv)}.`,
      { fix: [shellLine(argv)], contexts: [cp.context] },
    ),
  );
}
