import type { CoreV1Event, V1Node, V1Pod } from "@kubernetes/client-node";

/**
 * The slice of the Kubernetes API regtrust uses, behind our own interface
 * (style.md: "wrap it behind our own KubeApi") so triage logic is tested
 * with plain objects and the client library can be swapped. The object
 * types are the official client's models (type-only imports: nothing is
 * loaded at run time). Every call is bounded by the client's timeout and
 * fails with a KubeApiError (kube-errors.ts).
 */
export interface KubeApi {
  /** Pods of one namespace, or of all namespaces when `namespace` is null. */
  listPods(query: ListQuery & { namespace: string | null }): Promise<Page<V1Pod>>;
  /** Core/v1 events (what kubelet records) of one namespace, or all when null. */
  listEvents(query: ListQuery & { namespace: string | null }): Promise<Page<CoreV1Event>>;
  listNodes(query: ListQuery): Promise<Page<V1Node>>;
  /** Throws KubeApiError kind "not-found" when the pod does not exist. */
  readPod(namespace: string, name: string): Promise<V1Pod>;
  /** Creates a pod; a 403 names the RBAC grant, or the Pod Security level the namespace must allow. */
  createPod(namespace: string, pod: V1Pod): Promise<V1Pod>;
  /** Deletes a pod at once (grace period 0); a pod already gone is not an error. */
  deletePod(namespace: string, name: string): Promise<void>;
  /** The container's log (stdout and stderr interleaved, as kubectl logs prints it). */
  readPodLog(namespace: string, name: string, container: string): Promise<string>;
}

/**
 * The writes only the DaemonSet agent makes (its own Node's condition,
 * annotation, and Events): a separate interface so read-only triage fakes
 * need not implement them.
 */
export interface NodeWriteApi {
  /** GET nodes/NAME; null when the Node does not exist. */
  readNode(name: string): Promise<V1Node | null>;
  /** Strategic merge patch of nodes/NAME/status (conditions merge by `type`, as node-problem-detector patches). */
  patchNodeStatus(name: string, patch: object): Promise<void>;
  /** JSON merge patch (RFC 7386) of nodes/NAME, e.g. an annotation. */
  patchNode(name: string, patch: object): Promise<void>;
  /** RFC 6902 JSON patch of nodes/NAME (test-and-change of spec.taints: k8s/fleet/startup-taint.ts). */
  jsonPatchNode(name: string, ops: readonly object[]): Promise<void>;
  /** Creates a core/v1 Event. */
  createEvent(namespace: string, event: CoreV1Event): Promise<void>;
}

export interface ListQuery {
  fieldSelector?: string;
  labelSelector?: string;
  /** Page size (the API's `limit`); the server may return fewer. */
  limit?: number;
  /** The `continue` token of the previous page. */
  continue?: string;
}

export interface Page<T> {
  items: T[];
  /** Set when more pages follow. */
  continue: string | null;
}

/** The connection a command works through, with what the kubeconfig says about it. */
export interface KubeConnection {
  api: KubeApi;
  /** The context in use ("inClusterContext" inside a pod). */
  context: string;
  /** The API server URL. */
  server: string;
  /** The namespace of the context, "default" when it names none. */
  namespace: string;
  /** Node status/annotation/event writes (the agent); set by connectKube. */
  nodeWriter?: NodeWriteApi;
}
