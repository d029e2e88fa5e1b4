import { stringify } from "yaml";
import type { GateMode } from "../../agent/agent-config.ts";
import { EVENTS_NAMESPACE } from "../fleet/node-condition.ts";
import { grafanaDashboardConfigMap } from "./grafana-dashboard.ts";
import { podMonitor, prometheusRule } from "./monitoring.ts";
import { nodeWritePolicy, nodeWritePolicyBinding } from "./node-write-policy.ts";
import { type PodMode, podFieldsFor, securityContextFor } from "./pod-privileges.ts";
import { nodeReadinessRule } from "./readiness-rule.ts";

/**
 * `regtrust k8s manifests`: the objects that run the agent as a DaemonSet,
 * as one multi-document YAML stream (kubectl apply -f -). Pure: the caller
 * reads and checks the CA file; this only lays out objects.
 */
export interface ManifestOptions {
  registries: string[];
  /** PEM of the CA (public: a ConfigMap is fine, no Secret needed). */
  caPem: string;
  mode: "enforce" | "report";
  image: string;
  namespace: string;
  /** Restart runtimes through the node's systemd when a fix needs it (enforce only): hostPID + nsenter rights. */
  restart?: boolean;
  /** Emit the ValidatingAdmissionPolicy that limits the agent to its own Node (Kubernetes ≥ 1.30); default true. */
  admissionPolicy?: boolean;
  /**
   * Gate new Nodes on registry trust (docs/gating.md): `nrc` emits a
   * NodeReadinessRule for the Node Readiness Controller; `agent` lets the agent
   * remove (and in continuous mode re-add) the startup taint itself.
   */
  gate?: { by: "nrc" | "agent"; mode: GateMode };
  /** Also emit a PrometheusRule and a Grafana dashboard ConfigMap (monitoring.ts). */
  monitoring?: boolean;
}

export const AGENT_NAME = "regtrust-agent";
export const AGENT_LABELS = { "app.kubernetes.io/name": AGENT_NAME } as const;
export const METRICS_PORT = 9464;

/**
 * Host directories the trust plan reads or writes (docs/agent.md):
 * runtime registry config, OS trust stores, k3s/rke2 registries.yaml and the
 * plan journal. Nothing else of the host is mounted.
 */
export const HOST_PATHS = [
  "/etc/containerd",
  "/etc/docker/certs.d",
  "/etc/containers",
  "/usr/local/share/ca-certificates",
  "/etc/ssl/certs",
  "/etc/pki/ca-trust",
  "/etc/rancher",
  "/var/lib/regtrust",
] as const;

/**
 * Mounted read-only: the OS trust store. The agent reads it (Go runtimes
 * verify with the system roots as well as their own CA file) and never writes
 * it: its /host has neither the node's update-ca-certificates nor the public
 * roots that tool rebuilds the bundle from, so the refresh is refused there
 * (plan/refresh-preflight.ts) and the agent leaves the OS store alone; the
 * runtimes' own CA files are what pulls use. `regtrust k8s node <node> trust`
 * (the node's / mounted, the node's own tool run with chroot) installs a CA
 * into the OS store.
 */
export const READ_ONLY_HOST_PATHS: ReadonlySet<string> = new Set([
  "/usr/local/share/ca-certificates",
  "/etc/ssl/certs",
  "/etc/pki/ca-trust",
]);

export function buildManifests(options: ManifestOptions): Record<string, unknown>[] {
  const ns = options.namespace;
  const policy =
    options.admissionPolicy === false
      ? []
      : [
          nodeWritePolicy({
            username: `system:serviceaccount:${ns}:${AGENT_NAME}`,
            labels: { ...AGENT_LABELS },
            ...(options.gate?.by === "agent" ? { startupTaint: true } : {}),
          }),
          nodeWritePolicyBinding({ ...AGENT_LABELS }),
        ];
  return [
    namespace(ns),
    serviceAccount(ns),
    clusterRole(),
    clusterRoleBinding(ns),
    eventsRole(),
    eventsRoleBinding(ns),
    ...policy,
    configMap(options),
    daemonSet(options),
    ...(options.gate?.by === "nrc" ? [nodeReadinessRule(options.gate.mode, { ...AGENT_LABELS })] : []),
    ...(options.monitoring
      ? [
          podMonitor(AGENT_NAME, ns, { ...AGENT_LABELS }),
          prometheusRule(AGENT_NAME, ns, { ...AGENT_LABELS }),
          grafanaDashboardConfigMap(`${AGENT_NAME}-dashboard`, ns, { ...AGENT_LABELS }),
        ]
      : []),
  ];
}

/** read (report), write (enforce) or restart (enforce + restart): pod-privileges.ts. */
export function agentPodMode(options: Pick<ManifestOptions, "mode" | "restart">): PodMode {
  if (options.mode === "report") return "read";
  return options.restart ? "restart" : "write";
}

export function renderManifests(options: ManifestOptions): string {
  return buildManifests(options)
    .map((doc) => `---\n${stringify(doc, { lineWidth: 0 })}`)
    .join("");
}

/** Agent config (src/agent reads it from /etc/regtrust/agent.yaml). */
export function agentConfig(options: ManifestOptions): Record<string, unknown> {
  return {
    registries: options.registries,
    caFile: "/etc/regtrust/ca.crt",
    mode: options.mode,
    intervalSeconds: 300,
    heartbeatSeconds: 60,
    // Restarting a runtime on every node is an operator decision: off by default.
    restart: agentPodMode(options) === "restart",
    ...(options.gate?.by === "agent" ? { gate: options.gate.mode } : {}),
  };
}

function meta(name: string, namespace?: string): Record<string, unknown> {
  const labels = { ...AGENT_LABELS };
  return namespace ? { name, namespace, labels } : { name, labels };
}

/**
 * hostPath volumes (and hostPID for restarts) are forbidden by the
 * "baseline" and "restricted" Pod Security levels; the namespace must allow
 * "privileged" or the DaemonSet's pods are rejected at admission. The
 * container itself is never privileged (pod-privileges.ts).
 */
function namespace(name: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: { ...AGENT_LABELS, "pod-security.kubernetes.io/enforce": "privileged" } },
  };
}

function serviceAccount(ns: string): Record<string, unknown> {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(AGENT_NAME, ns) };
}

/**
 * Only the calls the agent makes (k8s/fleet/node-status.ts): get its Node at start
 * (to continue the condition already published), patch nodes/status (the
 * RegistryTrustReady condition) and patch nodes (the regtrust.io/status
 * annotation — annotations are not in the status subresource). No list, no
 * watch, no secrets. RBAC cannot name "its own Node": the
 * ValidatingAdmissionPolicy (node-write-policy.ts) narrows these patches to
 * the agent's own Node and regtrust's own keys.
 */
function clusterRole(): Record<string, unknown> {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: meta(AGENT_NAME),
    rules: [
      { apiGroups: [""], resources: ["nodes"], verbs: ["get", "patch"] },
      { apiGroups: [""], resources: ["nodes/status"], verbs: ["patch"] },
    ],
  };
}

/** Node Events go to "default", as kubelet records them: create there, nowhere else. */
function eventsRole(): Record<string, unknown> {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: meta(AGENT_NAME, EVENTS_NAMESPACE),
    rules: [{ apiGroups: [""], resources: ["events"], verbs: ["create"] }],
  };
}

function eventsRoleBinding(ns: string): Record<string, unknown> {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: meta(AGENT_NAME, EVENTS_NAMESPACE),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: AGENT_NAME },
    subjects: [{ kind: "ServiceAccount", name: AGENT_NAME, namespace: ns }],
  };
}

function clusterRoleBinding(ns: string): Record<string, unknown> {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: meta(AGENT_NAME),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: AGENT_NAME },
    subjects: [{ kind: "ServiceAccount", name: AGENT_NAME, namespace: ns }],
  };
}

function configMap(options: ManifestOptions): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(AGENT_NAME, options.namespace),
    data: { "agent.yaml": stringify(agentConfig(options)), "ca.crt": options.caPem },
  };
}

function volumeName(path: string): string {
  return `host${path.replace(/[^a-z0-9]+/g, "-")}`;
}

function daemonSet(options: ManifestOptions): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: meta(AGENT_NAME, options.namespace),
    spec: {
      selector: { matchLabels: { ...AGENT_LABELS } },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
      template: { metadata: { labels: { ...AGENT_LABELS } }, spec: podSpec(options) },
    },
  };
}

function podSpec(options: ManifestOptions): Record<string, unknown> {
  return {
    serviceAccountName: AGENT_NAME,
    // Every node, including tainted control-plane and NoExecute-tainted nodes.
    tolerations: [{ operator: "Exists" }],
    // Only restarts see the node's processes: they nsenter into PID 1 (pod-privileges.ts).
    ...podFieldsFor(agentPodMode(options)),
    priorityClassName: "system-node-critical",
    terminationGracePeriodSeconds: 60,
    containers: [container(options)],
    volumes: [
      { name: "config", configMap: { name: AGENT_NAME } },
      ...HOST_PATHS.map((path) => ({
        name: volumeName(path),
        hostPath: { path, type: "DirectoryOrCreate" },
      })),
      // The root filesystem is read-only; tools such as update-ca-certificates mktemp in /tmp.
      { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
    ],
  };
}

function container(options: ManifestOptions): Record<string, unknown> {
  const probe = (path: string) => ({ httpGet: { path, port: "metrics" }, periodSeconds: 20 });
  return {
    name: "agent",
    image: options.image,
    args: ["agent", "--config", "/etc/regtrust/agent.yaml", "--root", "/host"],
    env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
    ports: [{ name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" }],
    livenessProbe: probe("/healthz"),
    readinessProbe: probe("/readyz"),
    resources: {
      requests: { cpu: "10m", memory: "64Mi" },
      limits: { cpu: "200m", memory: "128Mi" },
    },
    // Per mode, each right with its reason: pod-privileges.ts (docs/agent.md lists them).
    securityContext: securityContextFor(agentPodMode(options)),
    volumeMounts: [
      { name: "config", mountPath: "/etc/regtrust", readOnly: true },
      ...HOST_PATHS.map((path) => ({
        name: volumeName(path),
        mountPath: `/host${path}`,
        ...(READ_ONLY_HOST_PATHS.has(path) ? { readOnly: true } : {}),
      })),
      { name: "tmp", mountPath: "/tmp" },
    ],
  };
}
