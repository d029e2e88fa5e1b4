/**
 * Clusters for the k8s triage tests. Every pull error text is a real one:
 * captured from containerd 1.6.20's CRI PullImage in this repo
 * (test/support/captured-errors.json), wrapped the way kubelet wraps a remote
 * CRI error (`rpc error: code = Unknown desc = …`, runtimes.md §7.1).
 */
import { readFileSync } from "node:fs";
import {
  digestOf,
  type FakeCluster,
  type Json,
  pullFailureEvents,
  uidOf,
  wireEvent,
  wireNode,
  wirePod,
} from "./fake-cluster.ts";

interface Captured {
  source: string;
  scenario: string;
  message: string;
}

const CAPTURED = JSON.parse(
  readFileSync(new URL("../support/captured-errors.json", import.meta.url), "utf8"),
) as Captured[];

/** containerd's message for a scenario, as kubelet's CRI client reports it. */
export function criError(scenario: string): string {
  const entry = CAPTURED.find((e) => e.scenario === scenario && e.source.startsWith("containerd"));
  if (!entry) throw new Error(`no captured containerd message for ${scenario}`);
  return `rpc error: code = Unknown desc = ${entry.message}`;
}

/** The image each captured scenario pulled (its port is part of the real text). */
export function capturedImage(scenario: string): string {
  const m = /failed to pull and unpack image "([^"]+)"/.exec(criError(scenario));
  if (!m?.[1]) throw new Error(`no image in ${scenario}`);
  return m[1];
}

export const APP_IMAGE = capturedImage("unknown-authority");
const PAUSE = [`registry.k8s.io/pause@${digestOf("registry.k8s.io/pause:3.9")}`, "registry.k8s.io/pause:3.9"];

function repoDigestName(image: string): string {
  return `${image.replace(/:[^:/]+$/, "")}@${digestOf(image)}`;
}

function running(name: string, image: string, since: string) {
  return { name, image, state: { running: { startedAt: since } }, imageID: repoDigestName(image) };
}

/**
 * The incident: node-a and node-b have run app:v1 for a month; node-c joined
 * today without the registry's CA; the Deployment's new pod lands there and
 * cannot pull — kubelet 1.29, so the waiting message is only
 * `Back-off pulling image "…"` and the cause is in the Failed event.
 */
export function incidentCluster(): FakeCluster {
  const since = "2026-02-02T09:00:00Z";
  const oldA = wirePod({
    name: "app-6c5d8f7b9-4xk2p",
    node: "node-a",
    createdAt: since,
    owner: "app-6c5d8f7b9",
    containers: [running("app", APP_IMAGE, since)],
  });
  const oldB = wirePod({
    name: "app-6c5d8f7b9-9hq7m",
    node: "node-b",
    createdAt: since,
    owner: "app-6c5d8f7b9",
    containers: [running("app", APP_IMAGE, since)],
  });
  const fresh = wirePod({
    name: "app-6c5d8f7b9-tz8wn",
    node: "node-c",
    createdAt: "2026-03-01T10:00:00Z",
    owner: "app-6c5d8f7b9",
    containers: [
      {
        name: "app",
        image: APP_IMAGE,
        state: { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${APP_IMAGE}"` } },
      },
    ],
  });
  const dns = wirePod({
    namespace: "kube-system",
    name: "coredns-5dd5756b68-7rjvq",
    node: "node-a",
    createdAt: "2026-01-10T08:05:00Z",
    containers: [running("coredns", "registry.k8s.io/coredns/coredns:v1.11.1", "2026-01-10T08:05:00Z")],
  });
  const appImages = [repoDigestName(APP_IMAGE), APP_IMAGE];
  return {
    nodes: [
      wireNode("node-a", [appImages, ["registry.k8s.io/coredns/coredns:v1.11.1"], PAUSE]),
      wireNode("node-b", [appImages, PAUSE]),
      wireNode("node-c", [PAUSE], "2026-03-01T09:30:00Z"),
    ],
    pods: [oldA, oldB, fresh, dns],
    events: [
      ...staleEventOfEarlierPod(fresh),
      wireEvent({
        pod: oldA,
        reason: "Pulled",
        type: "Normal",
        container: "app",
        message: `Successfully pulled image "${APP_IMAGE}" in 1.2s (1.2s including waiting)`,
        first: since,
      }),
      wireEvent({
        pod: oldB,
        reason: "Started",
        type: "Normal",
        container: "app",
        message: "Started container app",
        first: since,
      }),
      ...pullFailureEvents(fresh, "app", APP_IMAGE, criError("unknown-authority"), {
        first: "2026-03-01T10:00:00Z",
        last: "2026-03-01T10:04:40Z",
        attempts: 5,
      }),
    ],
  };
}

/** A Failed event left by an earlier pod of the same name (another uid): `k8s why` must ignore it. */
function staleEventOfEarlierPod(pod: Json): Json[] {
  const meta = pod.metadata as Json;
  const earlier = { ...pod, metadata: { ...meta, uid: uidOf("earlier", String(meta.name)) } };
  return [
    wireEvent({
      pod: earlier,
      reason: "Failed",
      type: "Warning",
      container: "app",
      message: `Failed to pull image "${APP_IMAGE}": ${criError("hostname-mismatch")}`,
      first: "2026-02-20T08:00:00Z",
    }),
  ];
}

/**
 * Six pods in three namespaces for `k8s pulls -A`: two pods of one Deployment
 * failing on an untrusted CA (one on kubelet 1.29 — cause in the event — one
 * on 1.32+, cause in the status message), a wrong-name certificate (ErrImagePull:
 * the status message is the CRI error itself), an init container pulling
 * from a plain-HTTP registry, and two healthy pods.
 */
export function fleetCluster(): FakeCluster {
  const incident = incidentCluster();
  const at = "2026-03-01T11:00:00Z";
  const secondNew = wirePod({
    name: "app-6c5d8f7b9-w2xjd",
    node: "node-d",
    createdAt: at,
    owner: "app-6c5d8f7b9",
    containers: [
      {
        name: "app",
        image: APP_IMAGE,
        state: {
          waiting: {
            reason: "ImagePullBackOff",
            message: `Back-off pulling image "${APP_IMAGE}": ErrImagePull: ${criError("unknown-authority")}`,
          },
        },
      },
    ],
  });
  const webImage = capturedImage("hostname-mismatch");
  const web = wirePod({
    namespace: "shop",
    name: "web-7b9d4c6f5-q8snl",
    node: "node-c",
    createdAt: at,
    owner: "web-7b9d4c6f5",
    containers: [
      {
        name: "web",
        image: webImage,
        state: { waiting: { reason: "ErrImagePull", message: criError("hostname-mismatch") } },
      },
    ],
  });
  const jobImage = capturedImage("plain-http");
  const cart = wirePod({
    namespace: "shop",
    name: "cart-5f6d7c8b9-lm4pz",
    node: "node-b",
    createdAt: at,
    owner: "cart-5f6d7c8b9",
    initContainers: [
      {
        name: "migrate",
        image: jobImage,
        state: { waiting: { reason: "ErrImagePull", message: criError("plain-http") } },
      },
    ],
    containers: [
      {
        name: "cart",
        image: "docker.io/library/nginx:1.25",
        state: { waiting: { reason: "PodInitializing" } },
      },
    ],
  });
  const [oldA, oldB, fresh, dns] = incident.pods as [Json, Json, Json, Json];
  return {
    nodes: [...incident.nodes, wireNode("node-d", [PAUSE], "2026-03-01T09:40:00Z")],
    pods: [oldA, fresh, dns, web, secondNew, cart, oldB],
    events: incident.events,
  };
}
