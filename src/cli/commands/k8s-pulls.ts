import { EXIT } from "../../core/errors.ts";
import { collectPulls } from "../../k8s/triage/pulls.ts";
import { type Io, wantsColor } from "../io.ts";
import { renderPullsText } from "../render/k8s-pulls-text.ts";
import { makeStyle } from "../style.ts";
import { connectFromFlags, type KubeFlags, parseChunkSize } from "./k8s-connect.ts";

export interface K8sPullsFlags extends KubeFlags {
  namespace?: string;
  allNamespaces?: boolean;
  json?: boolean;
}

/** Exit 0: no container waits on a pull; 1: some do; 2: the cluster could not be read. */
export async function runK8sPulls(flags: K8sPullsFlags, io: Io): Promise<number> {
  const chunkSize = parseChunkSize(flags.chunkSize);
  const kube = await connectFromFlags(flags, io);
  const namespace = flags.allNamespaces ? null : (flags.namespace ?? kube.namespace);
  const report = await collectPulls(kube.api, { namespace, chunkSize });
  io.stdout.write(
    flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderPullsText(report, makeStyle(wantsColor(io))),
  );
  return report.ok ? EXIT.ok : EXIT.findings;
}
