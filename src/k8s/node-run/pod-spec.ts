import type { V1Pod } from "@kubernetes/client-node";
import { type PodMode, podFieldsFor, securityContextFor } from "../manifests/pod-privileges.ts";

/** The commands `regtrust k8s node` runs on a node. */
export const NODE_ACTIONS = ["diagnose", "trust", "untrust", "audit"] as const;
export type NodeAction = (typeof NODE_ACTIONS)[number];

/** Where the node's `/` is mounted in the pod; the inner command runs with `--root` here. */
export const HOST_MOUNT = "/host";
export const CONTAINER_NAME = "regtrust";
/** The environment variable the CA of `trust --ca` travels in (the file is on the operator's machine). */
export const CA_ENV = "REGTRUST_CA_PEM";

export interface NodePodInput {
  node: string;
  action: NodeAction;
  /** Arguments after the action, as the operator typed them (`--ca FILE` already rewritten). */
  args: readonly string[];
  namespace: string;
  image: string;
  /** Kubernetes ends the pod after this many seconds whatever happens (activeDeadlineSeconds). */
  deadlineSeconds: number;
  /** Random suffix, injected so tests see fixed names. */
  suffix: string;
  /** PEM for `trust --ca` / `untrust --ca`, passed in CA_ENV. */
  caPem?: string;
}

/**
 * The short-lived pod that runs one regtrust command on one node, with the
 * privileges that command needs and no more:
 * - pinned with spec.nodeName (no scheduler involved, so a cordoned node is
 *   reached too) and tolerating every taint;
 * - hostNetwork with the node's resolv.conf (dnsPolicy Default): the probe
 *   must see the registry as the node's runtime does, through the node's DNS
 *   and routes, not the pod network's;
 * - the node's `/` at /host: read-only for diagnose/audit; writable for
 *   trust/untrust; capabilities per mode from pod-privileges.ts (write:
 *   CHOWN, DAC_OVERRIDE, FOWNER and SYS_CHROOT, since the refresh runs as
 *   `chroot /host update-ca-certificates`; `--restart` adds hostPID,
 *   SYS_PTRACE and SYS_ADMIN to enter PID 1's namespaces with nsenter, and
 *   no AppArmor confinement — never a privileged container);
 * - root for every action: node config files such as registries.yaml are
 *   0600 root; every other capability dropped, no service-account token
 *   (the pod never talks to the API);
 * - restartPolicy Never and activeDeadlineSeconds, so a hung command ends.
 */
export function nodePod(input: NodePodInput): V1Pod {
  const writes = input.action === "trust" || input.action === "untrust";
  const restart = writes && input.args.includes("--restart");
  const mode: PodMode = restart ? "restart" : writes ? "write" : "read";
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: podName(input.action, input.node, input.suffix),
      namespace: input.namespace,
      labels: {
        "app.kubernetes.io/name": "regtrust",
        "app.kubernetes.io/component": "node-run",
        "regtrust.io/action": input.action,
        "regtrust.io/node": labelValue(input.node),
      },
      annotations: {
        "regtrust.io/node": input.node,
        "regtrust.io/command": ["regtrust", input.action, ...redactedArgs(input.args)].join(" "),
      },
    },
    spec: {
      nodeName: input.node,
      restartPolicy: "Never",
      activeDeadlineSeconds: input.deadlineSeconds,
      tolerations: [{ operator: "Exists" }],
      hostNetwork: true,
      dnsPolicy: "Default",
      ...podFieldsFor(mode),
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 5,
      containers: [
        {
          name: CONTAINER_NAME,
          image: input.image,
          imagePullPolicy: "IfNotPresent",
          args: [input.action, ...input.args, "--root", HOST_MOUNT],
          ...(input.caPem !== undefined ? { env: [{ name: CA_ENV, value: input.caPem }] } : {}),
          securityContext: securityContextFor(mode, { chroot: true }),
          volumeMounts: [{ name: "host", mountPath: HOST_MOUNT, readOnly: !writes }],
          resources: {
            requests: { cpu: "50m", memory: "64Mi" },
            limits: { memory: "256Mi" },
          },
        },
      ],
      volumes: [{ name: "host", hostPath: { path: "/", type: "Directory" } }],
    },
  };
}

/** `regtrust-<action>-<node>-<suffix>`, a DNS-1123 label of at most 63 characters. */
export function podName(action: NodeAction, node: string, suffix: string): string {
  const room = 63 - `regtrust-${action}--${suffix}`.length;
  const part = node
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .slice(0, Math.max(room, 1))
    .replace(/^-+|-+$/g, "");
  return `regtrust-${action}-${part || "node"}-${suffix}`;
}

/** Label values are at most 63 characters of [A-Za-z0-9._-]; the full name is in the annotation. */
function labelValue(node: string): string {
  return node
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}

/** The command as an annotation says it; nothing secret is passed on the command line, but values of --ca are local paths. */
function redactedArgs(args: readonly string[]): string[] {
  return args.map((arg) => (arg.startsWith("env:") ? "<CA from the operator's file>" : arg));
}
