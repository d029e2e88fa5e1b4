import type { PublishedState } from "../k8s/fleet/node-status.ts";
import { reconcileStartupTaint, type TaintKnowledge } from "../k8s/fleet/startup-taint.ts";
import type { AgentConfig } from "./agent-config.ts";
import { type CycleDeps, type CycleOutcome, runCycle } from "./agent-cycle.ts";

export interface LoopDeps extends CycleDeps {
  /** What is already published on this Node (read once at start); absent when not publishing. */
  readPublished?(): Promise<PublishedState | null>;
  /** True when the mounted CA changed since it was last asked (a ConfigMap/Secret update). */
  caChanged(): boolean;
  /**
   * A number in [0, 1) stretching each interval by up to JITTER_FRACTION
   * (Math.random in the agent; absent: exact intervals). Agents restarted
   * together — a rollout, a node pool created at once — drift apart instead of
   * writing to the API server in step; only ever longer, so a node still writes
   * at most once per interval.
   */
  jitter?(): number;
  /** Waits up to `ms`; returns early when `signal` aborts. */
  wait(ms: number, signal: AbortSignal): Promise<void>;
}

/** How often the wait between cycles wakes to look at the CA file. */
export const CA_POLL_MS = 5_000;
/** Intervals are stretched by up to this fraction (jitter). */
export const JITTER_FRACTION = 0.1;

/**
 * The agent's life: a cycle at start, then one every interval, and one at
 * once when the mounted CA changes. SIGTERM (the signal) ends the wait; a
 * cycle already running finishes first — its writes are atomic and
 * journaled, so stopping between cycles never leaves a partial file. A cycle
 * that fails is logged and retried at the next interval, never fatal.
 */
export async function runAgentLoop(
  config: AgentConfig,
  deps: LoopDeps,
  opts: { signal: AbortSignal; once?: boolean; onCycle?(outcome: CycleOutcome | null, error: unknown): void },
): Promise<void> {
  let published = await initialPublished(deps);
  let taint: TaintKnowledge = null;
  while (!opts.signal.aborted) {
    try {
      const outcome = await runCycle(config, deps, published);
      published = outcome.published ?? published;
      // After the condition is published, so whoever sees the taint go also sees RegistryTrustReady=True.
      if (config.gate && deps.writer) {
        const trusted = outcome.status.registries.every((r) => r.trusted);
        taint = await reconcileStartupTaint(
          deps.writer,
          { node: deps.node, mode: config.gate, trusted, known: taint },
          deps.log,
        );
        outcome.startupTaint = taint;
      }
      opts.onCycle?.(outcome, null);
    } catch (error) {
      deps.log("error", "check failed; retrying at the next interval", {
        error: error instanceof Error ? error.message : String(error),
      });
      opts.onCycle?.(null, error);
    }
    if (opts.once) return;
    await waitForNextCycle(config, deps, opts.signal);
  }
  deps.log("info", "stopping: signal received");
}

async function waitForNextCycle(config: AgentConfig, deps: LoopDeps, signal: AbortSignal): Promise<void> {
  const stretch = 1 + JITTER_FRACTION * (deps.jitter?.() ?? 0);
  const until = deps.clock.now().getTime() + Math.round(config.intervalSeconds * 1000 * stretch);
  while (!signal.aborted) {
    const left = until - deps.clock.now().getTime();
    if (left <= 0) return;
    await deps.wait(Math.min(CA_POLL_MS, left), signal);
    if (deps.caChanged()) {
      deps.log("info", "the mounted CA changed; checking now");
      return;
    }
  }
}

/**
 * The Node's own condition, so the first check after a restart continues the
 * published state instead of starting from nothing. A failed read is logged
 * and treated as "nothing published" (the cycle's own writes still go ahead).
 */
async function initialPublished(deps: LoopDeps): Promise<PublishedState | null> {
  if (!deps.readPublished) return null;
  try {
    return await deps.readPublished();
  } catch (error) {
    deps.log("warn", "could not read this Node's published condition; publishing afresh", {
      error: error instanceof Error ? error.message : String(error),
    });
    return null;
  }
}
