import { EXIT, UsageError } from "../../core/errors.ts";
import { explainPod } from "../../k8s/triage/why.ts";
import { type Io, wantsColor } from "../io.ts";
import { renderWhyText } from "../render/k8s-why-text.ts";
import { makeStyle } from "../style.ts";
import { connectFromFlags, type KubeFlags, parseChunkSize } from "./k8s-connect.ts";

export interface K8sWhyFlags extends KubeFlags {
  namespace?: string;
  json?: boolean;
}

/** Exit 0: the pod has no pull problem; 1: it has one; 2: no such pod, or the cluster could not be read. */
export async function runK8sWhy(podArg: string, flags: K8sWhyFlags, io: Io): Promise<number> {
  const pod = podName(podArg);
  const chunkSize = parseChunkSize(flags.chunkSize);
  const kube = await connectFromFlags(flags, io);
  const namespace = flags.namespace ?? kube.namespace;
  const report = await explainPod(kube.api, { namespace, pod, chunkSize });
  io.stdout.write(
    flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderWhyText(report, makeStyle(wantsColor(io))),
  );
  return report.ok ? EXIT.ok : EXIT.findings;
}

/** `app-1`, `pod/app-1` or `pods/app-1`, as kubectl accepts; validated as a DNS-1123 subdomain. */
function podName(arg: string): string {
  const name = arg.replace(/^pods?\//, "");
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(name)) {
    throw new UsageError(`"${arg}" is not a pod name (lower-case letters, digits, "-" and "." only)`);
  }
  return name;
}
