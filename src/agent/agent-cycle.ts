import type { Clock } from "../core/deps.ts";
import type { DiagnoseResult } from "../diagnose/result.ts";
import type { NodeWriteApi } from "../k8s/client/kube-api.ts";
import type { NodeTrustStatus, RegistryVerdict } from "../k8s/fleet/node-condition.ts";
import { type PublishedState, publishNodeStatus } from "../k8s/fleet/node-status.ts";
import type { ActionResult } from "../trust/apply-change.ts";
import type { AgentConfig } from "./agent-config.ts";

/** What one cycle needs from the outside world; all injected so tests need no module mocks. */
export interface CycleDeps {
  node: string;
  clock: Clock;
  /** null: nothing is published (no API access), the verdicts are still logged and exported as metrics. */
  writer: NodeWriteApi | null;
  /** Diagnoses one registry with a fresh node view (a fix in between changes it). */
  diagnose(registry: string): Promise<DiagnoseResult>;
  /** The `trust` fix for one registry (idempotent; removes expired insecure overrides first). */
  trust(registry: string): Promise<ActionResult>;
  /**
   * Enforce mode: whether the anchors regtrust installed for the registry are
   * exactly the configured bundle. When not, the trust fix (which replaces)
   * runs even though the registry verifies: that is how a rotation reaches
   * the node (a root added for the overlap, a retired root removed). Absent: always converged.
   */
  converged?(registry: string): Promise<boolean>;
  log(level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>): void;
  /** Pause between publish retries. */
  sleep(ms: number): Promise<void>;
}

export interface CycleOutcome {
  status: NodeTrustStatus;
  results: Map<string, DiagnoseResult>;
  published: PublishedState | null;
  /** The agent gate: whether the Node carries the startup taint after this check (null: unknown). */
  startupTaint?: boolean | null;
}

/**
 * One pass of the agent: every registry evaluated for every runtime on the
 * node; in enforce mode a registry that is not trusted gets the trust fix
 * and is evaluated again; the verdict is published on the Node. Report mode
 * writes nothing on the node.
 */
export async function runCycle(
  config: AgentConfig,
  deps: CycleDeps,
  previous: PublishedState | null,
): Promise<CycleOutcome> {
  const results = new Map<string, DiagnoseResult>();
  const registries: RegistryVerdict[] = [];
  for (const registry of config.registries) {
    let result = await deps.diagnose(registry);
    const enforce = config.mode === "enforce";
    const drifted = enforce && result.ok && deps.converged ? !(await deps.converged(registry)) : false;
    if (enforce && (!result.ok || drifted)) {
      const fix = await deps.trust(registry);
      const ok = fix.exitCode === 0;
      const what = drifted ? "CA bundle applied (rotation)" : "trust fix applied";
      deps.log(ok ? "info" : "warn", ok ? `enforce: ${what}` : "enforce: trust fix not verified", {
        registry,
        exitCode: fix.exitCode,
        detail: fixDetail(fix),
        // e.g. why the OS store was left alone in the DaemonSet's layout (trust/apply-change.ts).
        ...(fix.report && fix.report.notes.length > 0 ? { notes: fix.report.notes } : {}),
      });
      result = await deps.diagnose(registry);
    }
    results.set(registry, result);
    registries.push(verdictOf(registry, result));
    deps.log(result.ok ? "info" : "warn", "registry checked", {
      registry,
      trusted: result.ok,
      findings: result.findings.map((f) => f.code),
    });
  }
  const status: NodeTrustStatus = {
    schemaVersion: 1,
    mode: config.mode,
    checkedAt: deps.clock.now().toISOString(),
    registries,
  };
  const published = deps.writer ? await publishWithRetry(config, deps, status, previous) : null;
  return { status, results, published };
}

/** Why the fix did what it did, per context (or the refusal), for the log line. */
function fixDetail(fix: ActionResult): string {
  if (fix.report === null) return fix.message;
  return fix.report.contexts
    .map((c) => `${c.name}: ${c.verified ? "verified" : "not verified"} (${c.detail})`)
    .join("; ");
}

function verdictOf(registry: string, result: DiagnoseResult): RegistryVerdict {
  const code = result.findings.find((f) => f.severity === "error")?.code;
  const insecure = result.contexts.some((c) => c.insecure);
  return {
    registry,
    trusted: result.ok,
    ...(code && !result.ok ? { code } : {}),
    ...(insecure ? { insecureOverride: true } : {}),
  };
}

const PUBLISH_ATTEMPTS = 3;

/** Bounded retries with doubling back-off: an API server blip must not lose the verdict or end the agent. */
async function publishWithRetry(
  config: AgentConfig,
  deps: CycleDeps,
  status: NodeTrustStatus,
  previous: PublishedState | null,
): Promise<PublishedState | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      const input = {
        node: deps.node,
        status,
        heartbeatMs: config.heartbeatSeconds * 1000,
        now: deps.clock.now(),
      };
      return await publishNodeStatus(deps.writer as NodeWriteApi, input, previous);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      deps.log("error", "publishing the node condition failed", { attempt, error: why });
      if (attempt >= PUBLISH_ATTEMPTS) return previous;
      await deps.sleep(1000 * 2 ** (attempt - 1));
    }
  }
}
