import { createHash } from "node:crypto";
import { readAgentConfig } from "../../agent/agent-config.ts";
import type { CycleOutcome } from "../../agent/agent-cycle.ts";
import { type LoopDeps, runAgentLoop } from "../../agent/agent-loop.ts";
import { type MetricsState, renderMetrics } from "../../agent/metrics.ts";
import { startMetricsServer } from "../../agent/metrics-server.ts";
import { systemClock } from "../../core/deps.ts";
import { EXIT, UsageError } from "../../core/errors.ts";
import { type DiagnoseOptions, diagnose } from "../../diagnose/diagnose.ts";
import { loadNode } from "../../diagnose/load-node.ts";
import { connectKube } from "../../k8s/client/kube-client.ts";
import { publishedStateOf } from "../../k8s/fleet/node-status.ts";
import { readRegularFile } from "../../node/bounded-read.ts";
import { probe } from "../../probe/probe.ts";
import { parseTarget } from "../../target/parse-target.ts";
import { readCaFile } from "../../trust/ca-file.ts";
import { processExec } from "../../trust/process-exec.ts";
import { readInstalledAnchors, sameAnchorSet } from "../../trust/rotation.ts";
import { trustAction } from "../../trust/run-trust.ts";
import { parseTimeout, parseWholeNumber } from "../common-options.ts";
import type { Io } from "../io.ts";

export interface AgentFlags {
  config: string;
  root: string;
  node?: string;
  once?: boolean;
  publish: boolean;
  metricsPort?: string;
  kubeconfig?: string;
  context?: string;
  timeout: string;
}

/**
 * `regtrust agent`: the DaemonSet's entrypoint (agent/agent-loop.ts). Logs
 * are JSON lines on stderr; exits 0 on SIGTERM/SIGINT after the running
 * check finishes.
 */
export async function runAgent(flags: AgentFlags, io: Io, signal?: AbortSignal): Promise<number> {
  const config = readAgentConfig(flags.config);
  const node = flags.node ?? io.env.NODE_NAME;
  if (!node)
    throw new UsageError("the node name is needed: --node NAME or NODE_NAME (downward API spec.nodeName)");
  const timeoutMs = parseTimeout(flags.timeout);
  const log: LoopDeps["log"] = (level, msg, fields = {}) =>
    io.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, node, ...fields })}\n`);
  const writer = flags.publish ? await connectWriter(flags, io, timeoutMs) : null;
  const caState = caWatcher(config.caFile);
  const metrics: MetricsState = {
    results: new Map(),
    ca: caState.certificates(),
    lastCheck: null,
    cycles: 0,
    cycleErrors: 0,
    intervalSeconds: config.intervalSeconds,
    startupTaint: null,
  };
  const port =
    flags.metricsPort !== undefined
      ? parseWholeNumber(flags.metricsPort, "--metrics-port", 0, 65_535)
      : config.metricsPort;
  // One check and exit: nothing would scrape it, and binding 0.0.0.0 on a node is not free (issue #20 item 4).
  const server = flags.once
    ? null
    : await startMetricsServer(port, "0.0.0.0", {
        metrics: () => renderMetrics(metrics, new Date()),
        ready: () => metrics.cycles > 0,
      });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  signal?.addEventListener("abort", onSignal, { once: true });
  // Logged once the handlers are in place: a SIGTERM after this line always ends cleanly.
  log("info", "agent started", {
    mode: config.mode,
    registries: config.registries,
    metricsPort: server?.port ?? null,
    publish: writer !== null,
    gate: config.gate,
  });
  try {
    // The node view (runtime configs, OS bundle) is read once per check and shared by its registries.
    let nodeView: Promise<DiagnoseOptions["node"]> | null = null;
    const currentView = () => {
      nodeView ??= loadNode(flags.root, undefined);
      return nodeView;
    };
    const deps: LoopDeps = {
      node,
      clock: systemClock,
      writer,
      log,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      diagnose: async (registry) =>
        diagnose(parseTarget(registry), {
          node: await currentView(),
          timeoutMs,
          clock: systemClock,
          expiringDays: 30,
        }),
      trust: (registry) => {
        nodeView = null; // the fix changes what the node trusts: read it again
        return trustAction(
          {
            target: parseTarget(registry),
            root: flags.root,
            runtimeFlag: undefined,
            caFile: config.caFile,
            fromServer: false,
            expectFingerprint: undefined,
            dryRun: false,
            restart: config.restart,
            timeoutMs,
            // The node converges to the ConfigMap's bundle: retired roots leave, not just new ones arrive.
            replace: true,
          },
          { clock: systemClock, exec: processExec, probe, warn: (line) => log("warn", line) },
        );
      },
      converged: async (registry) => {
        const installed = await readInstalledAnchors(flags.root, parseTarget(registry).registry);
        return sameAnchorSet(installed.current, readCaFile(config.caFile));
      },
      ...(writer
        ? {
            readPublished: async () => {
              const current = await writer.readNode(node);
              return current ? publishedStateOf(current) : null;
            },
          }
        : {}),
      caChanged: caState.changed,
      jitter: Math.random,
      wait: (ms, s) => abortableWait(ms, s),
    };
    await runAgentLoop(config, deps, {
      signal: stop.signal,
      ...(flags.once ? { once: true } : {}),
      onCycle: (outcome: CycleOutcome | null) => {
        nodeView = null; // someone may change the node between checks
        metrics.cycles++;
        if (outcome === null) metrics.cycleErrors++;
        else {
          metrics.results = outcome.results;
          if (outcome.startupTaint !== undefined) metrics.startupTaint = outcome.startupTaint;
        }
        metrics.lastCheck = new Date();
        metrics.ca = caState.certificates();
      },
    });
  } finally {
    process.removeListener("SIGTERM", onSignal);
    process.removeListener("SIGINT", onSignal);
    await server?.close();
  }
  if (flags.once) {
    const ok = [...metrics.results.values()].every((r) => r.ok) && metrics.cycleErrors === 0;
    return ok ? EXIT.ok : EXIT.findings;
  }
  return EXIT.ok;
}

async function connectWriter(flags: AgentFlags, io: Io, timeoutMs: number) {
  const kube = await connectKube({
    ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context !== undefined ? { context: flags.context } : {}),
    timeoutMs,
    env: io.env,
  });
  return kube.nodeWriter ?? null;
}

/** The mounted CA's content hash, so a ConfigMap/Secret update (an atomic symlink swap) triggers a check. */
function caWatcher(path: string) {
  const hash = () => {
    try {
      return createHash("sha256").update(readRegularFile(path)).digest("hex");
    } catch {
      return "unreadable";
    }
  };
  let last = hash();
  return {
    changed: () => {
      const now = hash();
      const changed = now !== last;
      last = now;
      return changed;
    },
    certificates: () => {
      try {
        return readCaFile(path);
      } catch {
        return [];
      }
    },
  };
}

function abortableWait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
