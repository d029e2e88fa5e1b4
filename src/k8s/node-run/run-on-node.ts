import type { V1Pod } from "@kubernetes/client-node";
import { InputError } from "../../core/errors.ts";
import type { KubeApi } from "../client/kube-api.ts";
import { pendingDetail, podOutcome } from "./pod-outcome.ts";
import { CONTAINER_NAME, type NodePodInput, nodePod } from "./pod-spec.ts";

export interface NodeRunOptions {
  /** How long to wait for the command to finish on the node. */
  waitMs: number;
  /** Pause between status reads. */
  pollMs: number;
  /** Aborted on Ctrl-C / SIGTERM: stop waiting, delete the pod, report. */
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

export interface NodeRunResult {
  node: string;
  pod: string;
  /** The command's exit code on the node; null when it never ran to the end. */
  exitCode: number | null;
  /** Its output (stdout and stderr as the container log has them). */
  output: string;
  /** Why the pod did not produce an exit code (image pull, deadline, timeout, interrupted). */
  failure: string | null;
  /** Set when the pod could not be deleted: the operator must remove it. */
  leftBehind: string | null;
}

/** Ctrl-C or a signal: the pod was deleted, the command did not finish. */
export class NodeRunInterrupted extends InputError {
  override name = "NodeRunInterrupted";
}

/**
 * One regtrust command on one node: create the pod, wait for its container
 * to end (bounded), read its log, and always delete the pod — also when
 * waiting fails, times out or is interrupted. A pod that cannot be created
 * (RBAC, Pod Security) throws the API's error: nothing exists to clean up.
 */
export async function runOnNode(
  api: KubeApi,
  input: NodePodInput,
  opts: NodeRunOptions,
): Promise<NodeRunResult> {
  const spec = nodePod(input);
  const name = spec.metadata?.name ?? "";
  await api.createPod(input.namespace, spec);
  const result: NodeRunResult = {
    node: input.node,
    pod: name,
    exitCode: null,
    output: "",
    failure: null,
    leftBehind: null,
  };
  try {
    const outcome = await waitForEnd(api, input, name, opts);
    if (outcome.kind === "finished") {
      result.exitCode = outcome.exitCode;
      result.output = await api.readPodLog(input.namespace, name, CONTAINER_NAME);
    } else {
      result.failure = outcome.message;
    }
  } finally {
    result.leftBehind = await deleteQuietly(api, input.namespace, name);
  }
  if (opts.signal?.aborted) {
    throw new NodeRunInterrupted(
      `interrupted: pod ${name} on node ${input.node} was deleted${result.leftBehind ? ` (${result.leftBehind})` : ""}`,
    );
  }
  return result;
}

type EndOutcome = { kind: "finished"; exitCode: number } | { kind: "failed"; message: string };

async function waitForEnd(
  api: KubeApi,
  input: NodePodInput,
  name: string,
  opts: NodeRunOptions,
): Promise<EndOutcome> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? abortableSleep;
  const deadline = now() + opts.waitMs;
  let last: V1Pod | null = null;
  while (!opts.signal?.aborted) {
    last = await api.readPod(input.namespace, name);
    const outcome = podOutcome(last, input.node);
    if (outcome.kind === "finished") return outcome;
    if (outcome.kind === "failed") return { kind: "failed", message: outcome.message };
    if (now() + opts.pollMs > deadline) break;
    await sleep(opts.pollMs, opts.signal);
  }
  if (opts.signal?.aborted) return { kind: "failed", message: "interrupted" };
  return {
    kind: "failed",
    message: `pod ${name} did not finish on node ${input.node} within ${Math.round(opts.waitMs / 1000)} s (${pendingDetail(last)}); is the node Ready and does it exist?`,
  };
}

async function deleteQuietly(api: KubeApi, namespace: string, name: string): Promise<string | null> {
  try {
    await api.deletePod(namespace, name);
    return null;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return `could not delete pod ${name} in namespace ${namespace}: ${why}; delete it with kubectl delete pod -n ${namespace} ${name}`;
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
