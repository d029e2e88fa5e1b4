import { stringify } from "yaml";
import { cloudInitParts, type WriteFile } from "./cloud-init.ts";
import type { ExportPlan } from "./export-plan.ts";
import { GATE_NOTE, GATE_TAINT, objectNameFor } from "./gate.ts";
import { commandLine } from "./shell-script.ts";

/**
 * The plan as a Cluster API `KubeadmConfigTemplate` (bootstrap.cluster.x-k8s.io
 * v1beta2, the stored version since Cluster API 1.11): cloud-init's
 * write_files become `files`, its runcmd `preKubeadmCommands`, which the
 * kubeadm bootstrap provider runs before `kubeadm join` (CAPI's field doc:
 * prepended to runcmd with cloud-init, to /etc/kubeadm.sh with Ignition).
 * With `gate`, the node joins tainted (joinConfiguration.nodeRegistration.taints).
 */
export function clusterApiTemplate(
  exported: ExportPlan,
  opts: { diagnoseTarget: string; gate: boolean },
): string {
  const { writeFiles, runcmd } = cloudInitParts(exported, opts);
  // The CRD requires at least one item in `files` when present (minItems 1): omit it when empty (k3s writes via commands).
  const spec: Record<string, unknown> = {};
  if (writeFiles.length > 0) spec.files = writeFiles.map(fileOf);
  spec.preKubeadmCommands = runcmd.map(commandLine);
  if (opts.gate) spec.joinConfiguration = { nodeRegistration: { taints: [{ ...GATE_TAINT }] } };
  const document = {
    apiVersion: "bootstrap.cluster.x-k8s.io/v1beta2",
    kind: "KubeadmConfigTemplate",
    metadata: { name: objectNameFor(exported.plan.target) },
    spec: { template: { spec } },
  };
  const header = [
    `# regtrust: the fix \`regtrust trust ${exported.plan.target}\` makes, run on every node before kubeadm join.`,
    "# Merge files and preKubeadmCommands into the KubeadmConfigTemplate your MachineDeployment references",
    "# (a MachineDeployment takes one template; keep your own entries next to these).",
  ];
  if (opts.gate) {
    header.push(...GATE_NOTE.map((n) => `# ${n}`));
    header.push("# Setting joinConfiguration taints replaces kubeadm's defaults for joining nodes.");
  }
  return `${header.map((h) => `${h}\n`).join("")}${stringify(document, { lineWidth: 0 })}`;
}

function fileOf(file: WriteFile): Record<string, string> {
  const out: Record<string, string> = {
    path: file.path,
    owner: file.owner,
    permissions: file.permissions,
    content: file.content,
  };
  if (file.encoding === "b64") out.encoding = "base64";
  return out;
}
