/**
 * Builders for Kubernetes objects in the API's real JSON wire shapes (core/v1
 * Pod, Node, Event as kube-apiserver serves them; kubelet's event texts per
 * runtimes.md §7.1), for the fake API server. Plain JSON, no client models.
 */
import { createHash } from "node:crypto";

export type Json = Record<string, unknown>;

export interface FakeCluster {
  pods: Json[];
  events: Json[];
  nodes: Json[];
}

export type ContainerStateInput =
  | { running: { startedAt: string } }
  | { waiting: { reason: string; message?: string } };

export interface ContainerInput {
  name: string;
  image: string;
  pullPolicy?: "IfNotPresent" | "Always" | "Never";
  state: ContainerStateInput;
  /** For running containers: `<repo>@sha256:…` as containerd reports it. */
  imageID?: string;
}

export interface PodInput {
  namespace?: string;
  name: string;
  node: string | null;
  createdAt: string;
  containers: ContainerInput[];
  initContainers?: ContainerInput[];
  owner?: string;
}

export function uidOf(...parts: string[]): string {
  const h = createHash("sha256").update(parts.join("/")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function digestOf(image: string): string {
  return `sha256:${createHash("sha256").update(image).digest("hex")}`;
}

export function wirePod(input: PodInput): Json {
  const namespace = input.namespace ?? "default";
  const all = [...(input.initContainers ?? []), ...input.containers];
  const running = all.every((c) => "running" in c.state);
  return {
    metadata: {
      name: input.name,
      namespace,
      uid: uidOf("pod", namespace, input.name),
      resourceVersion: "4711",
      creationTimestamp: input.createdAt,
      labels: { app: input.owner ?? input.name },
      ...(input.owner
        ? {
            ownerReferences: [
              {
                apiVersion: "apps/v1",
                kind: "ReplicaSet",
                name: input.owner,
                uid: uidOf("rs", namespace, input.owner),
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      ...(input.initContainers ? { initContainers: input.initContainers.map(containerSpec) } : {}),
      containers: input.containers.map(containerSpec),
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      serviceAccountName: "default",
      ...(input.node ? { nodeName: input.node } : {}),
      schedulerName: "default-scheduler",
      enableServiceLinks: true,
      preemptionPolicy: "PreemptLowerPriority",
    },
    status: {
      phase: running ? "Running" : "Pending",
      conditions: [{ type: "PodScheduled", status: "True", lastTransitionTime: input.createdAt }],
      ...(input.node ? { hostIP: "10.0.0.10", podIP: "10.244.0.10", startTime: input.createdAt } : {}),
      ...(input.initContainers ? { initContainerStatuses: input.initContainers.map(containerStatus) } : {}),
      containerStatuses: input.containers.map(containerStatus),
      qosClass: "BestEffort",
    },
  };
}

/** A running regtrust agent pod on `node`, labelled as the DaemonSet labels it (what `k8s status` lists). */
export function wireAgentPod(node: string, image = "regtrust:test"): Json {
  const pod = wirePod({
    namespace: "regtrust",
    name: `regtrust-agent-${node}`,
    node,
    createdAt: "2026-01-10T08:00:00Z",
    containers: [{ name: "agent", image, state: { running: { startedAt: "2026-01-10T08:01:00Z" } } }],
  });
  (pod.metadata as Json).labels = { "app.kubernetes.io/name": "regtrust-agent" };
  return pod;
}

function containerSpec(c: ContainerInput): Json {
  return {
    name: c.name,
    image: c.image,
    resources: {},
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
    imagePullPolicy: c.pullPolicy ?? "IfNotPresent",
  };
}

function containerStatus(c: ContainerInput): Json {
  const running = "running" in c.state;
  return {
    name: c.name,
    state: c.state,
    lastState: {},
    ready: running,
    restartCount: 0,
    image: c.image,
    imageID: c.imageID ?? "",
    ...(running
      ? { containerID: `containerd://${digestOf(c.name).slice(7, 71)}`, started: true }
      : { started: false }),
  };
}

export function wireNode(name: string, images: string[][], createdAt = "2026-01-10T08:00:00Z"): Json {
  return {
    metadata: {
      name,
      uid: uidOf("node", name),
      resourceVersion: "815",
      creationTimestamp: createdAt,
      labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64" },
    },
    spec: { podCIDR: "10.244.0.0/24", podCIDRs: ["10.244.0.0/24"] },
    status: {
      conditions: [
        {
          type: "Ready",
          status: "True",
          lastHeartbeatTime: createdAt,
          lastTransitionTime: createdAt,
          reason: "KubeletReady",
          message: "kubelet is posting ready status",
        },
      ],
      addresses: [
        { type: "InternalIP", address: "10.0.0.10" },
        { type: "Hostname", address: name },
      ],
      nodeInfo: {
        machineID: uidOf("machine", name).replace(/-/g, ""),
        systemUUID: uidOf("system", name),
        bootID: uidOf("boot", name),
        kernelVersion: "6.1.0-18-amd64",
        osImage: "Debian GNU/Linux 12 (bookworm)",
        containerRuntimeVersion: "containerd://1.6.20",
        kubeletVersion: "v1.29.2",
        kubeProxyVersion: "v1.29.2",
        operatingSystem: "linux",
        architecture: "amd64",
      },
      images: images.map((names) => ({ names, sizeBytes: 31_457_280 })),
    },
  };
}

export interface EventInput {
  pod: Json;
  reason: string;
  type: "Normal" | "Warning";
  message: string;
  first: string;
  last?: string;
  count?: number;
  /** `spec.containers{name}` — kubelet's fieldPath for container events. */
  container?: string;
  init?: boolean;
  component?: string;
}

let eventSeq = 0;

export function wireEvent(e: EventInput): Json {
  const meta = e.pod.metadata as { name: string; namespace: string; uid: string };
  const spec = e.pod.spec as { nodeName?: string };
  const component = e.component ?? "kubelet";
  eventSeq += 1;
  return {
    metadata: {
      name: `${meta.name}.${(0x17a0000000000000n + BigInt(eventSeq)).toString(16)}`,
      namespace: meta.namespace,
      uid: uidOf("event", meta.namespace, meta.name, String(eventSeq)),
      resourceVersion: String(1000 + eventSeq),
      creationTimestamp: e.first,
    },
    involvedObject: {
      kind: "Pod",
      namespace: meta.namespace,
      name: meta.name,
      uid: meta.uid,
      apiVersion: "v1",
      resourceVersion: "4711",
      ...(e.container
        ? { fieldPath: `spec.${e.init ? "initContainers" : "containers"}{${e.container}}` }
        : {}),
    },
    reason: e.reason,
    message: e.message,
    source: component === "kubelet" ? { component, host: spec.nodeName } : { component },
    firstTimestamp: e.first,
    lastTimestamp: e.last ?? e.first,
    count: e.count ?? 1,
    type: e.type,
    eventTime: null,
    reportingComponent: component,
    reportingInstance: component === "kubelet" ? (spec.nodeName ?? "") : "",
  };
}

/**
 * The kubelet's event sequence for a pull that keeps failing (runtimes.md §7.1,
 * pkg/kubelet/images/image_manager.go): Pulling, Failed with the CRI error,
 * Failed "Error: ErrImagePull", then BackOff and Failed "Error: ImagePullBackOff".
 */
export function pullFailureEvents(
  pod: Json,
  container: string,
  image: string,
  criError: string,
  at: { first: string; last: string; attempts: number },
  init = false,
): Json[] {
  const t = (seconds: number) =>
    new Date(Date.parse(at.first) + seconds * 1000).toISOString().replace(".000Z", "Z");
  const seen = (seconds: number) => ({ pod, container, init, first: t(seconds), last: at.last });
  const meta = pod.metadata as Json;
  return [
    wireEvent({
      pod,
      reason: "Scheduled",
      type: "Normal",
      component: "default-scheduler",
      message: `Successfully assigned ${meta.namespace}/${meta.name} to ${(pod.spec as Json).nodeName}`,
      first: t(0),
    }),
    wireEvent({
      ...seen(1),
      reason: "Pulling",
      type: "Normal",
      message: `Pulling image "${image}"`,
      count: at.attempts,
    }),
    wireEvent({
      ...seen(2),
      reason: "Failed",
      type: "Warning",
      message: `Failed to pull image "${image}": ${criError}`,
      count: at.attempts,
    }),
    wireEvent({
      ...seen(2),
      reason: "Failed",
      type: "Warning",
      message: "Error: ErrImagePull",
      count: at.attempts,
    }),
    wireEvent({
      ...seen(16),
      reason: "BackOff",
      type: "Normal",
      message: `Back-off pulling image "${image}"`,
      count: at.attempts * 3,
    }),
    wireEvent({
      ...seen(16),
      reason: "Failed",
      type: "Warning",
      message: "Error: ImagePullBackOff",
      count: at.attempts * 3,
    }),
  ];
}
