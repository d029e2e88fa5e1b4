import type { V1Node, V1Pod } from "@kubernetes/client-node";
import type { KubeApi, ListQuery } from "../client/kube-api.ts";
import { KubeApiError } from "../client/kube-errors.ts";
import { pages } from "../client/paging.ts";
import { imageKeys } from "./image-ref.ts";
import { podKey } from "./pod-pulls.ts";

/**
 * The image-cache effect (incident report: "the reason the existing Pods were
 * functioning normally while only the new Pods failed was due to image
 * caching"): which nodes already hold the image, so running pods there need
 * no pull, and which do not, so new pods there must pull and fail.
 *
 * Evidence comes from two places: `node.status.images` (kubelet reports at
 * most `nodeStatusMaxImages`, 50 by default, so a node may hold images it
 * does not list) and running pods that use the image (a running container
 * proves its node has it; its `imageID` adds the digest to match on).
 */
export interface NodeWithImage {
  node: string;
  /** node-status: listed in node.status.images; running-pod: a running pod there uses it. */
  evidence: Array<"node-status" | "running-pod">;
  /** namespace/name of running pods using the image there. */
  pods: string[];
}

export interface ImageCache {
  image: string;
  nodesWithImage: NodeWithImage[];
  /** Nodes known not to hold the image; null when nodes could not be listed. */
  nodesWithout: string[] | null;
  totalNodes: number | null;
  /** Whether running pods were read cluster-wide or only in one namespace. */
  podScope: "all-namespaces" | "namespace" | "none";
}

export interface CacheQuery {
  image: string;
  namespace: string;
  chunkSize: number;
}

export async function imageCache(api: KubeApi, query: CacheQuery, warnings: string[]): Promise<ImageCache> {
  const keys = new Set(imageKeys(query.image));
  const running = await runningPodsUsing(api, query, keys, warnings);
  const nodes = await nodeImages(api, query.chunkSize, keys, warnings);
  const holders = new Map<string, NodeWithImage>();
  const holder = (node: string) => {
    let h = holders.get(node);
    if (!h) {
      h = { node, evidence: [], pods: [] };
      holders.set(node, h);
    }
    return h;
  };
  for (const node of nodes?.listing ?? []) holder(node).evidence.push("node-status");
  for (const [node, pods] of running.byNode) {
    const h = holder(node);
    h.evidence.push("running-pod");
    h.pods.push(...pods.sort());
  }
  const nodesWithImage = [...holders.values()].sort((a, b) => a.node.localeCompare(b.node));
  const nodesWithout = nodes ? nodes.all.filter((n) => !holders.has(n)).sort() : null;
  return {
    image: query.image,
    nodesWithImage,
    nodesWithout,
    totalNodes: nodes ? nodes.all.length : null,
    podScope: running.scope,
  };
}

interface RunningUse {
  byNode: Map<string, string[]>;
  scope: ImageCache["podScope"];
}

async function runningPodsUsing(
  api: KubeApi,
  query: CacheQuery,
  keys: Set<string>,
  warnings: string[],
): Promise<RunningUse> {
  const byNode = new Map<string, string[]>();
  const scan = async (namespace: string | null) => {
    const list = (q: ListQuery) => api.listPods({ ...q, namespace });
    for await (const items of pages(list, { fieldSelector: "status.phase=Running" }, query.chunkSize)) {
      for (const pod of items) recordUse(pod, keys, byNode);
    }
  };
  try {
    await scan(null);
    return { byNode, scope: "all-namespaces" };
  } catch (error) {
    if (!isForbidden(error)) throw error;
  }
  try {
    await scan(query.namespace);
    warnings.push(
      `running pods were read only in namespace "${query.namespace}" (listing pods in all namespaces is forbidden)`,
    );
    return { byNode, scope: "namespace" };
  } catch (error) {
    if (!isForbidden(error)) throw error;
    warnings.push(`running pods not readable: ${(error as Error).message}`);
    return { byNode, scope: "none" };
  }
}

/** Adds the pod to its node when a running container uses the image; learns the digest from imageID. */
function recordUse(pod: V1Pod, keys: Set<string>, byNode: Map<string, string[]>): void {
  const node = pod.spec?.nodeName;
  if (!node) return;
  const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const status of statuses) {
    if (!status.state?.running) continue;
    const specImage = specs.find((c) => c.name === status.name)?.image ?? status.image;
    const statusKeys = [...imageKeys(specImage), ...imageKeys(status.imageID)];
    if (!statusKeys.some((k) => keys.has(k))) continue;
    for (const k of statusKeys) keys.add(k);
    const pods = byNode.get(node) ?? [];
    const name = podKey(pod.metadata?.namespace ?? "default", pod.metadata?.name ?? "");
    if (!pods.includes(name)) pods.push(name);
    byNode.set(node, pods);
    return;
  }
}

async function nodeImages(
  api: KubeApi,
  chunkSize: number,
  keys: ReadonlySet<string>,
  warnings: string[],
): Promise<{ all: string[]; listing: string[] } | null> {
  const all: string[] = [];
  const listing: string[] = [];
  try {
    for await (const items of pages((q) => api.listNodes(q), {}, chunkSize)) {
      for (const node of items) {
        const name = node.metadata?.name;
        if (!name) continue;
        all.push(name);
        if (listsImage(node, keys)) listing.push(name);
      }
    }
    return { all, listing };
  } catch (error) {
    if (!isForbidden(error)) throw error;
    warnings.push(
      `nodes not readable, so the cache view relies on running pods only: ${(error as Error).message}`,
    );
    return null;
  }
}

function listsImage(node: V1Node, keys: ReadonlySet<string>): boolean {
  return (node.status?.images ?? []).some((image) =>
    (image.names ?? []).some((name) => imageKeys(name).some((k) => keys.has(k))),
  );
}

function isForbidden(error: unknown): boolean {
  return error instanceof KubeApiError && error.kind === "forbidden";
}
