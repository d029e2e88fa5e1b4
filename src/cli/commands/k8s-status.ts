import { EXIT, UsageError } from "../../core/errors.ts";
import { fleetStatus } from "../../k8s/fleet-status.ts";
import type { Io } from "../io.ts";
import { renderFleetText } from "../render/k8s-status-text.ts";
import { connectFromFlags, type KubeFlags, parseChunkSize } from "./k8s-connect.ts";

export interface K8sStatusFlags extends KubeFlags {
  namespace?: string;
  json?: boolean;
}

/** Exit 0: every node has an agent and RegistryTrustReady=True; 1 otherwise; 2: cluster unreadable. */
export async function runK8sStatus(flags: K8sStatusFlags, io: Io): Promise<number> {
  const namespace = flags.namespace ?? "regtrust";
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) {
    throw new UsageError(`--namespace ${namespace}: not a namespace name (DNS-1123 label)`);
  }
  const chunkSize = parseChunkSize(flags.chunkSize);
  const kube = await connectFromFlags(flags, io);
  const report = await fleetStatus(kube.api, { namespace, chunkSize });
  io.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderFleetText(report));
  return report.ok ? EXIT.ok : EXIT.findings;
}
