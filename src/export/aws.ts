import { stringify } from "yaml";
import type { ExportPlan } from "./export-plan.ts";
import { GATE_NOTE, GATE_TAINT, objectNameFor } from "./gate.ts";
import { mimeMultipart } from "./mime.ts";
import { shellScript } from "./shell-script.ts";
import { withoutContainerdConfigEdit } from "./trust-files.ts";

/**
 * Why the AWS formats leave containerd's config.toml alone: on AL2023,
 * nodeadm writes config.toml itself and its templates already set
 * config_path = "/etc/containerd/certs.d:/etc/docker/certs.d"
 * (awslabs/amazon-eks-ami nodeadm/internal/containerd/config.template.toml
 * and config2.template.toml). The certs.d files alone are enough.
 */
const AL2023_NOTE =
  "AL2023's nodeadm sets containerd config_path to /etc/containerd/certs.d itself; this part writes only the files.";

/** The user-data for AL2023 nodes: the plan (distro amzn) as a shell part of a MIME multipart. */
export function al2023UserData(
  exported: ExportPlan,
  opts: { diagnoseTarget: string },
  preamble: string[],
): string {
  const script = shellScript(withoutContainerdConfigEdit(exported), {
    diagnoseTarget: opts.diagnoseTarget,
    header: [
      `regtrust: the fix \`regtrust trust ${exported.plan.target}\` makes, on an AL2023 node.`,
      AL2023_NOTE,
    ],
  });
  return mimeMultipart([{ contentType: 'text/x-shellscript; charset="us-ascii"', body: script }], preamble);
}

/**
 * Karpenter (karpenter.k8s.aws/v1 EC2NodeClass, karpenter.sh/v1 NodePool):
 * the user-data in an EC2NodeClass for the AL2023 AMI family (Karpenter
 * merges its own NodeConfig into MIME user-data), and with `gate` a NodePool
 * whose nodes start with the startup taint (`startupTaints`: pods need not
 * tolerate it for Karpenter to provision, per the NodePool field doc).
 */
export function karpenterManifests(
  exported: ExportPlan,
  opts: { diagnoseTarget: string; gate: boolean },
): string {
  const name = objectNameFor(exported.plan.target);
  const nodeClass = {
    apiVersion: "karpenter.k8s.aws/v1",
    kind: "EC2NodeClass",
    metadata: { name },
    spec: {
      amiSelectorTerms: [{ alias: "al2023@latest" }],
      role: "REPLACE-WITH-KARPENTER-NODE-ROLE",
      subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "REPLACE-WITH-CLUSTER-NAME" } }],
      securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "REPLACE-WITH-CLUSTER-NAME" } }],
      userData: al2023UserData(exported, opts, []),
    },
  };
  const header = [
    `# regtrust: the fix \`regtrust trust ${exported.plan.target}\` makes, for Karpenter nodes on AL2023.`,
    "# Replace the REPLACE-WITH values, or copy spec.userData into your own EC2NodeClass.",
  ];
  const docs = [`${header.join("\n")}\n${stringify(nodeClass, { lineWidth: 0 })}`];
  if (opts.gate) docs.push(nodePool(name));
  return docs.join("---\n");
}

function nodePool(nodeClassName: string): string {
  const pool = {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name: nodeClassName },
    spec: {
      template: {
        spec: {
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: nodeClassName },
          requirements: [{ key: "kubernetes.io/os", operator: "In", values: ["linux"] }],
          startupTaints: [{ ...GATE_TAINT }],
        },
      },
    },
  };
  const header = [...GATE_NOTE, "Copy spec.template.spec.startupTaints into your NodePool, or use this one."];
  return `${header.map((h) => `# ${h}\n`).join("")}${stringify(pool, { lineWidth: 0 })}`;
}

/** The EKS API's spelling of the taint effect (API_Taint: NO_SCHEDULE | NO_EXECUTE | PREFER_NO_SCHEDULE). */
export const EKS_GATE_TAINTS = [{ key: GATE_TAINT.key, effect: "NO_SCHEDULE" }];

/**
 * EKS managed node groups: the launch template's user-data (MIME multipart;
 * the node group adds its own bootstrap part). Base64-encode it for
 * LaunchTemplateData.UserData. With `gate`, the preamble carries the node
 * group's `taints`, in the EKS API's form.
 */
export function eksUserData(exported: ExportPlan, opts: { diagnoseTarget: string; gate: boolean }): string {
  const preamble = [
    `regtrust: the fix \`regtrust trust ${exported.plan.target}\` makes, as EKS launch template user-data (AL2023).`,
    "Base64-encode this whole file for LaunchTemplateData.UserData; the managed node group adds its own part.",
  ];
  if (opts.gate) {
    preamble.push(
      ...GATE_NOTE,
      "Give the node group this taint (aws eks create-nodegroup --taints, or the taints of your IaC):",
      `taints: ${JSON.stringify(EKS_GATE_TAINTS)}`,
    );
  }
  return al2023UserData(exported, opts, [...preamble, ""]);
}
