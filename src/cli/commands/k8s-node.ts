import { randomBytes } from "node:crypto";
import { InputError } from "../../core/errors.ts";
import type { KubeApi } from "../../k8s/client/kube-api.ts";
import { resolveImage } from "../../k8s/manifests/image.ts";
import { parseNodeInvocation, takeCaFile } from "../../k8s/node-run/node-args.ts";
import { CA_ENV, type NodeAction, type NodePodInput } from "../../k8s/node-run/pod-spec.ts";
import { allNodeNames, fleetExitCode, type NodeVerdict, runOnFleet } from "../../k8s/node-run/run-fleet.ts";
import { runOnNode } from "../../k8s/node-run/run-on-node.ts";
import { toPem } from "../../pki/read-bundle.ts";
import { checkCaCertificates, readCaFile } from "../../trust/ca-file.ts";
import { parseWholeNumber } from "../common-options.ts";
import type { Io } from "../io.ts";
import { renderNodeTable } from "../render/k8s-node-table.ts";
import { connectFromFlags, type KubeFlags, parseChunkSize } from "./k8s-connect.ts";

export interface K8sNodeFlags extends KubeFlags {
  all?: boolean;
  namespace?: string;
  image?: string;
  parallel: string;
  wait: string;
  deadline: string;
}

const POLL_MS = 250;
const DAY_SECONDS = 86_400;

/**
 * `regtrust k8s node <node|--all> <action> …`: the same command, run on the
 * node through a short-lived pod (node-run/). One node: its output and exit
 * code, as if run there. --all: one row per node.
 */
export async function runK8sNode(words: string[], flagsIn: K8sNodeFlags, io: Io): Promise<number> {
  const invocation = parseNodeInvocation(words, flagsIn.all === true);
  const flags = { ...flagsIn, ...invocation.lifted } as K8sNodeFlags;
  const image = resolveImage(flags.image, io.env);
  const { args, caPem } = caForPod(invocation.action, invocation.args);
  const waitSeconds = parseWholeNumber(flags.wait, "--wait", 1, DAY_SECONDS);
  const deadlineSeconds = parseWholeNumber(flags.deadline, "--deadline", 1, DAY_SECONDS);
  const parallel = parseWholeNumber(flags.parallel, "--parallel", 1, 50);
  const kube = await connectFromFlags(flags, io);
  const namespace = flags.namespace ?? kube.namespace;
  const inputFor = (node: string, extra: string[] = []): NodePodInput => ({
    node,
    action: invocation.action,
    args: [...args, ...extra],
    namespace,
    image,
    deadlineSeconds,
    suffix: randomBytes(3).toString("hex").slice(0, 5),
    ...(caPem !== undefined ? { caPem } : {}),
  });
  return withInterrupt(io, async (signal) => {
    const opts = { waitMs: waitSeconds * 1000, pollMs: POLL_MS, signal };
    if (invocation.node !== null) return oneNode(kube.api, inputFor(invocation.node), opts, io);
    const nodes = await allNodeNames(kube.api, parseChunkSize(flags.chunkSize));
    if (nodes.length === 0) throw new InputError("the cluster lists no nodes");
    const json = args.includes("--json");
    const extra = json ? [] : ["--json"];
    const verdicts = await runOnFleet(kube.api, nodes, (n) => inputFor(n, extra), { ...opts, parallel });
    io.stdout.write(
      json
        ? `${JSON.stringify(fleetJson(invocation.action, verdicts), null, 2)}\n`
        : renderNodeTable(verdicts),
    );
    for (const v of verdicts) if (v.leftBehind) io.stderr.write(`regtrust: ${v.leftBehind}\n`);
    return fleetExitCode(verdicts);
  });
}

async function oneNode(api: KubeApi, input: NodePodInput, opts: Parameters<typeof runOnNode>[2], io: Io) {
  io.stderr.write(
    `regtrust: running "regtrust ${input.action}" on node ${input.node} (namespace ${input.namespace}, image ${input.image})\n`,
  );
  const run = await runOnNode(api, input, opts);
  if (run.leftBehind) io.stderr.write(`regtrust: ${run.leftBehind}\n`);
  if (run.exitCode === null) throw new InputError(run.failure ?? `pod ${run.pod} ended without an exit code`);
  io.stdout.write(run.output);
  return run.exitCode;
}

/**
 * trust --ca FILE (and untrust --ca FILE, the CAs to remove): the file is
 * here, not on the node; it travels validated, in the pod's environment. A CA
 * being removed may have expired: only trust checks validity.
 */
function caForPod(action: NodeAction, args: string[]): { args: string[]; caPem?: string } {
  if (action !== "trust" && action !== "untrust") return { args };
  const taken = takeCaFile(args, `env:${CA_ENV}`);
  if (taken.file === null) return { args };
  const certs = readCaFile(taken.file);
  if (action === "trust") checkCaCertificates(certs, `--ca ${taken.file}`, new Date());
  return { args: taken.args, caPem: toPem(certs) };
}

/** Ctrl-C / SIGTERM abort the wait; the runner deletes the pods before the command returns. */
async function withInterrupt(io: Io, run: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  const abort = () => {
    io.stderr.write("regtrust: interrupted; deleting the node pod(s)…\n");
    controller.abort();
  };
  process.once("SIGINT", abort);
  process.once("SIGTERM", abort);
  try {
    return await run(controller.signal);
  } finally {
    process.removeListener("SIGINT", abort);
    process.removeListener("SIGTERM", abort);
  }
}

/** `regtrust k8s node --all … --json`, schemaVersion 1 (docs/schema/k8s-node-fleet.schema.json). */
export interface NodeFleetReport {
  schemaVersion: 1;
  action: NodeAction;
  /** The worst node's exit code; a node that could not run counts as 2. */
  exitCode: number;
  nodes: NodeVerdict[];
}

function fleetJson(action: NodeAction, verdicts: readonly NodeVerdict[]): NodeFleetReport {
  return { schemaVersion: 1, action, exitCode: fleetExitCode(verdicts), nodes: [...verdicts] };
}
