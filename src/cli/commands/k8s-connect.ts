import type { KubeConnection } from "../../k8s/client/kube-api.ts";
import { connectKube } from "../../k8s/client/kube-client.ts";
import { parseTimeout, parseWholeNumber } from "../common-options.ts";
import type { Io } from "../io.ts";

/** Flags shared by the `k8s` subcommands (k8s-register.ts addKubeOptions). */
export interface KubeFlags {
  kubeconfig?: string;
  context?: string;
  timeout: string;
  chunkSize: string;
}

export async function connectFromFlags(flags: KubeFlags, io: Io): Promise<KubeConnection> {
  const timeoutMs = parseTimeout(flags.timeout);
  return connectKube({
    ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context !== undefined ? { context: flags.context } : {}),
    timeoutMs,
    env: io.env,
  });
}

/** `--chunk-size`: 1–5000 items per list call (kubectl's default is 500). */
export function parseChunkSize(text: string): number {
  return parseWholeNumber(text, "--chunk-size", 1, 5000);
}
