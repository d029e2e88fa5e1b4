import { existsSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { InputError } from "../../core/errors.ts";

/**
 * Which Kubernetes configuration a command uses, in kubectl's order
 * (client-go clientcmd loading rules; @kubernetes/client-node
 * `KubeConfig.loadFromDefault` follows the same order): `--kubeconfig`,
 * then `$KUBECONFIG` (a list; files that do not exist are skipped, the first
 * file's settings win), then `~/.kube/config`, then the pod's service
 * account. Decided here from an explicit environment so tests and the
 * in-process CLI do not depend on the process's own.
 */
export type KubeconfigSource = { kind: "files"; paths: string[] } | { kind: "in-cluster" };

export const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

export interface KubeconfigInputs {
  flag?: string;
  env: Record<string, string | undefined>;
  /** Overridable for tests. */
  serviceAccountToken?: string;
}

export function chooseKubeconfig(inputs: KubeconfigInputs): KubeconfigSource {
  if (inputs.flag !== undefined) {
    if (!isFile(inputs.flag)) throw new InputError(`--kubeconfig ${inputs.flag}: no such file`);
    return { kind: "files", paths: [inputs.flag] };
  }
  const listed = (inputs.env.KUBECONFIG ?? "").split(delimiter).filter((p) => p !== "");
  if (listed.length > 0) {
    const present = listed.filter(isFile);
    if (present.length === 0) {
      throw new InputError(`$KUBECONFIG names no existing file (${listed.join(delimiter)})`);
    }
    return { kind: "files", paths: present };
  }
  const home = inputs.env.HOME;
  const homeConfig = home ? join(home, ".kube", "config") : null;
  if (homeConfig && isFile(homeConfig)) return { kind: "files", paths: [homeConfig] };
  if (inputs.env.KUBERNETES_SERVICE_HOST && existsSync(inputs.serviceAccountToken ?? SERVICE_ACCOUNT_TOKEN)) {
    return { kind: "in-cluster" };
  }
  throw new InputError(
    `no Kubernetes configuration: --kubeconfig not given, $KUBECONFIG unset, ${homeConfig ?? "~/.kube/config"} does not exist, and not running in a pod`,
  );
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
