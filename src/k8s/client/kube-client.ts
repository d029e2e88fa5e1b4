import type { CoreV1Api, CoreV1Event, KubeConfig, V1Node, V1Pod } from "@kubernetes/client-node";
import { InputError } from "../../core/errors.ts";
import type { KubeApi, KubeConnection, ListQuery, NodeWriteApi, Page } from "./kube-api.ts";
import { KubeApiError, type KubeRequest, type KubeTarget, toKubeApiError } from "./kube-errors.ts";
import { chooseKubeconfig, type KubeconfigSource } from "./kubeconfig.ts";

/**
 * KubeApi on the official @kubernetes/client-node (1.x: ESM, promise API;
 * 2.x needs Node 22). The library is imported only when a k8s command
 * connects, so the rest of the CLI never loads it. Every request carries an
 * AbortSignal that fires after `timeoutMs`, so no call can hang.
 */
export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
  timeoutMs: number;
  env: Record<string, string | undefined>;
}

type ClientModule = typeof import("@kubernetes/client-node");

export async function connectKube(options: ConnectOptions): Promise<KubeConnection> {
  const source = chooseKubeconfig({ flag: options.kubeconfig, env: options.env });
  const k8s: ClientModule = await import("@kubernetes/client-node");
  const kc = loadKubeConfig(k8s, source);
  const where = describeSource(source);
  if (options.context !== undefined) {
    if (!kc.getContextObject(options.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new InputError(
        `context "${options.context}" not found in ${where} (known: ${known.join(", ") || "none"})`,
      );
    }
    kc.setCurrentContext(options.context);
  }
  const contextName = kc.getCurrentContext();
  const context = contextName ? kc.getContextObject(contextName) : null;
  if (!context) throw new InputError(`${where} sets no current-context; pass --context <name>`);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new InputError(`${where}: context "${context.name}" names no defined cluster`);
  const server = cluster.server.replace(/\/+$/, "");
  const target: KubeTarget = { server, context: context.name, timeoutMs: options.timeoutMs };
  const core = makeCoreApi(k8s, kc, server, options.timeoutMs);
  const api = new ClientKubeApi(core, target);
  return {
    api,
    nodeWriter: api,
    context: context.name,
    server,
    namespace: context.namespace || "default",
  };
}

function loadKubeConfig(k8s: ClientModule, source: KubeconfigSource): KubeConfig {
  const kc = new k8s.KubeConfig();
  if (source.kind === "in-cluster") {
    kc.loadFromCluster();
    return kc;
  }
  for (const [index, path] of source.paths.entries()) {
    // loadFromFile resolves certificate/key paths relative to the file, as kubectl does.
    const file = index === 0 ? kc : new k8s.KubeConfig();
    try {
      file.loadFromFile(path);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new InputError(`kubeconfig ${path}: ${why}`, { cause: error });
    }
    if (index > 0) mergeFirstWins(kc, file);
  }
  return kc;
}

/** kubectl merges $KUBECONFIG files so that the first file to set a value wins. */
function mergeFirstWins(into: KubeConfig, from: KubeConfig): void {
  for (const cluster of from.getClusters()) if (!into.getCluster(cluster.name)) into.addCluster(cluster);
  for (const user of from.getUsers()) if (!into.getUser(user.name)) into.addUser(user);
  for (const ctx of from.getContexts()) if (!into.getContextObject(ctx.name)) into.addContext(ctx);
  if (!into.getCurrentContext() && from.getCurrentContext()) into.setCurrentContext(from.getCurrentContext());
}

function describeSource(source: KubeconfigSource): string {
  return source.kind === "in-cluster"
    ? "the in-cluster service account"
    : `kubeconfig ${source.paths.join(", ")}`;
}

function makeCoreApi(k8s: ClientModule, kc: KubeConfig, server: string, timeoutMs: number): CoreV1Api {
  const config = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [
      {
        pre: async (request) => {
          request.setSignal(AbortSignal.timeout(timeoutMs));
          return request;
        },
        post: async (response) => response,
      },
    ],
  });
  return new k8s.CoreV1Api(config);
}

class ClientKubeApi implements KubeApi, NodeWriteApi {
  constructor(
    private readonly core: CoreV1Api,
    private readonly target: KubeTarget,
  ) {}

  listPods(query: ListQuery & { namespace: string | null }) {
    const params = listParams(query);
    return this.call({ verb: "list", resource: "pods", namespace: query.namespace }, async () =>
      page(
        query.namespace === null
          ? await this.core.listPodForAllNamespaces(params)
          : await this.core.listNamespacedPod({ ...params, namespace: query.namespace }),
      ),
    );
  }

  listEvents(query: ListQuery & { namespace: string | null }) {
    const params = listParams(query);
    return this.call({ verb: "list", resource: "events", namespace: query.namespace }, async () =>
      page(
        query.namespace === null
          ? await this.core.listEventForAllNamespaces(params)
          : await this.core.listNamespacedEvent({ ...params, namespace: query.namespace }),
      ),
    );
  }

  listNodes(query: ListQuery) {
    return this.call({ verb: "list", resource: "nodes", namespace: null }, async () =>
      page(await this.core.listNode(listParams(query))),
    );
  }

  readPod(namespace: string, name: string): Promise<V1Pod> {
    return this.call({ verb: "get", resource: "pods", namespace, name }, () =>
      this.core.readNamespacedPod({ namespace, name }),
    );
  }

  createPod(namespace: string, pod: V1Pod): Promise<V1Pod> {
    return this.call({ verb: "create", resource: "pods", namespace }, () =>
      this.core.createNamespacedPod({ namespace, body: pod }),
    );
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    try {
      await this.call({ verb: "delete", resource: "pods", namespace, name }, () =>
        this.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 }),
      );
    } catch (error) {
      if (!(error instanceof KubeApiError && error.kind === "not-found")) throw error;
    }
  }

  readPodLog(namespace: string, name: string, container: string): Promise<string> {
    return this.call({ verb: "get", resource: "pods/log", namespace, name }, () =>
      this.core.readNamespacedPodLog({ namespace, name, container }),
    );
  }

  async readNode(name: string): Promise<V1Node | null> {
    try {
      return await this.call({ verb: "get", resource: "nodes", namespace: null, name }, () =>
        this.core.readNode({ name }),
      );
    } catch (error) {
      if (error instanceof KubeApiError && error.kind === "not-found") return null;
      throw error;
    }
  }

  async patchNodeStatus(name: string, patch: object): Promise<void> {
    const { setHeaderOptions } = await import("@kubernetes/client-node");
    const header = setHeaderOptions("Content-Type", "application/strategic-merge-patch+json");
    await this.call({ verb: "patch", resource: "nodes/status", namespace: null, name }, () =>
      this.core.patchNodeStatus({ name, body: patch }, header),
    );
  }

  async patchNode(name: string, patch: object): Promise<void> {
    const { setHeaderOptions } = await import("@kubernetes/client-node");
    const header = setHeaderOptions("Content-Type", "application/merge-patch+json");
    await this.call({ verb: "patch", resource: "nodes", namespace: null, name }, () =>
      this.core.patchNode({ name, body: patch }, header),
    );
  }

  async jsonPatchNode(name: string, ops: readonly object[]): Promise<void> {
    const { setHeaderOptions } = await import("@kubernetes/client-node");
    const header = setHeaderOptions("Content-Type", "application/json-patch+json");
    await this.call({ verb: "patch", resource: "nodes", namespace: null, name }, () =>
      this.core.patchNode({ name, body: ops }, header),
    );
  }

  async createEvent(namespace: string, event: CoreV1Event): Promise<void> {
    await this.call({ verb: "create", resource: "events", namespace }, () =>
      this.core.createNamespacedEvent({ namespace, body: event }),
    );
  }

  private async call<T>(request: KubeRequest, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toKubeApiError(error, request, this.target);
    }
  }
}

function listParams(query: ListQuery) {
  return {
    ...(query.fieldSelector ? { fieldSelector: query.fieldSelector } : {}),
    ...(query.labelSelector ? { labelSelector: query.labelSelector } : {}),
    ...(query.limit ? { limit: query.limit } : {}),
    ...(query.continue ? { _continue: query.continue } : {}),
  };
}

function page<T>(list: { items: T[]; metadata?: { _continue?: string } }): Page<T> {
  return { items: list.items, continue: list.metadata?._continue || null };
}
