import { systemClock } from "../../core/deps.ts";
import { EXIT, UsageError } from "../../core/errors.ts";
import { fleetStatus } from "../../k8s/fleet/fleet-status.ts";
import { parseWholeNumber } from "../common-options.ts";
import type { Io } from "../io.ts";
import { renderFleetText } from "../render/k8s-status-text.ts";
import { connectFromFlags, type KubeFlags, parseChunkSize } from "./k8s-connect.ts";

export interface K8sStatusFlags extends KubeFlags {
  namespace?: string;
  json?: boolean;
  staleAfter: string;
}

/** Exit 0: every node has an agent with a fresh heartbeat and RegistryTrustReady=True; 1 otherwise; 2: cluster unreadable. */
export async function runK8sStatus(flags: K8sStatusFlags, io: Io): Promise<number> {
  const namespace = flags.namespace ?? "regtrust";
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) {
    throw new UsageError(`--namespace ${namespace}: not a namespace name (DNS-1123 label)`);
  }
  const chunkSize = parseChunkSize(flags.chunkSize);
  const staleMinutes = parseWholeNumber(flags.staleAfter, "--stale-after", 1, 10_080);
  const kube = await connectFromFlags(flags, io);
  const now = systemClock.now();
  const report = await fleetStatus(kube.api, {
    namespace,
    chunkSize,
    now,
    staleAfterMs: staleMinutes * 60_000,
  });
  io.stdout.write(
    flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderFleetText(report, now, staleMinutes),
  );
  return report.ok ? EXIT.ok : EXIT.findings;
}
