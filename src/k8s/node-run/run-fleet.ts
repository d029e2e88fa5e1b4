import type { KubeApi } from "../client/kube-api.ts";
import type { NodePodInput } from "./pod-spec.ts";
import { type NodeRunOptions, type NodeRunResult, runOnNode } from "./run-on-node.ts";

/** One row of the fleet view: the node, the command's verdict and the detail behind it. */
export interface NodeVerdict {
  node: string;
  pod: string | null;
  exitCode: number | null;
  /** ok | fail | error (bad input or internal error on the node) | not-run (the pod never ran the command). */
  verdict: "ok" | "fail" | "error" | "not-run";
  /** First error finding code, or why the command did not run. */
  detail: string;
  /** The command's --json result on that node, when it printed one. */
  result: unknown;
  leftBehind: string | null;
}

/** Every node's name, through the paged list. */
export async function allNodeNames(api: KubeApi, chunkSize: number): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await api.listNodes({ limit: chunkSize, ...(token ? { continue: token } : {}) });
    for (const node of page.items) if (node.metadata?.name) names.push(node.metadata.name);
    token = page.continue ?? undefined;
  } while (token);
  return names.sort();
}

/**
 * Runs the same command on every node, at most `parallel` pods at a time.
 * A node whose pod cannot be created or never finishes is a row, not the end
 * of the run; only an interrupt stops it.
 */
export async function runOnFleet(
  api: KubeApi,
  nodes: readonly string[],
  inputFor: (node: string) => NodePodInput,
  opts: NodeRunOptions & { parallel: number },
): Promise<NodeVerdict[]> {
  const verdicts: NodeVerdict[] = new Array(nodes.length);
  let next = 0;
  const worker = async () => {
    while (next < nodes.length && !opts.signal?.aborted) {
      const index = next++;
      const node = nodes[index] as string;
      verdicts[index] = await verdictOf(api, inputFor(node), opts);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.parallel, nodes.length) }, worker));
  return verdicts.filter((v) => v !== undefined);
}

async function verdictOf(api: KubeApi, input: NodePodInput, opts: NodeRunOptions): Promise<NodeVerdict> {
  try {
    return fromRun(await runOnNode(api, input, opts));
  } catch (error) {
    if (opts.signal?.aborted) throw error;
    const why = error instanceof Error ? error.message : String(error);
    return {
      node: input.node,
      pod: null,
      exitCode: null,
      verdict: "not-run",
      detail: why,
      result: null,
      leftBehind: null,
    };
  }
}

export function fromRun(run: NodeRunResult): NodeVerdict {
  const base = { node: run.node, pod: run.pod, exitCode: run.exitCode, leftBehind: run.leftBehind };
  if (run.exitCode === null) {
    return { ...base, verdict: "not-run", detail: run.failure ?? "no exit code", result: null };
  }
  const result = parseJsonOutput(run.output);
  const verdict = run.exitCode === 0 ? "ok" : run.exitCode === 1 ? "fail" : "error";
  return { ...base, verdict, detail: detailOf(result, run), result };
}

/**
 * The `--json` document in a pod log that interleaves stderr with stdout.
 * regtrust prints it indented, so its outer braces are the only ones at the
 * start of a line: a stderr line holding "{" elsewhere, or lines after the
 * document, do not hide it.
 */
export function parseJsonOutput(output: string): unknown {
  const lines = output.split("\n");
  for (let open = 0; open < lines.length; open++) {
    if (!lines[open]?.startsWith("{")) continue;
    const close = lines[open]?.trimEnd().endsWith("}") ? open : lines.indexOf("}", open);
    if (close < 0) return null;
    try {
      return JSON.parse(lines.slice(open, close + 1).join("\n"));
    } catch {
      // not the document: a stderr line that starts with "{"; look further
    }
  }
  return null;
}

function detailOf(result: unknown, run: NodeRunResult): string {
  const findings = (result as { findings?: Array<{ code?: string; severity?: string }> } | null)?.findings;
  const errors = findings?.filter((f) => f.severity === "error").map((f) => f.code ?? "?") ?? [];
  if (errors.length > 0) return [...new Set(errors)].join(", ");
  if (run.exitCode === 0) return findings?.some((f) => f.severity === "warning") ? "ok (warnings)" : "ok";
  const lastLine = run.output.trim().split("\n").at(-1) ?? "";
  return lastLine.replace(/^regtrust: /, "").slice(0, 160) || `exit ${run.exitCode}`;
}

/** The fleet's exit code: the worst node; a node not checked counts as bad input (2). */
export function fleetExitCode(verdicts: readonly NodeVerdict[]): number {
  return verdicts.reduce((worst, v) => Math.max(worst, v.exitCode ?? 2), 0);
}
