import type { ExtraRoute } from "./fake-apiserver.ts";

/**
 * The agent's write routes for the fake API server: PATCH nodes/NAME/status,
 * PATCH nodes/NAME and POST events. Each call is recorded with its
 * Content-Type and parsed body so tests assert the exact patches.
 */
export interface NodeWrite {
  method: string;
  path: string;
  contentType: string;
  body: Record<string, unknown>;
}

export function nodeWriteRoutes(writes: NodeWrite[]): ExtraRoute {
  return (req, res, url, body) => {
    const path = url.pathname;
    const isNode = req.method === "PATCH" && /^\/api\/v1\/nodes\/[^/]+(\/status)?$/.test(path);
    const isEvent = req.method === "POST" && /^\/api\/v1\/namespaces\/[^/]+\/events$/.test(path);
    if (!isNode && !isEvent) return false;
    const parsed = JSON.parse(body || "{}") as Record<string, unknown>;
    writes.push({
      method: req.method ?? "",
      path,
      contentType: String(req.headers["content-type"]),
      body: parsed,
    });
    res.writeHead(isEvent ? 201 : 200, { "content-type": "application/json" });
    res.end(
      JSON.stringify(
        isEvent
          ? { kind: "Event", apiVersion: "v1", ...parsed }
          : { kind: "Node", apiVersion: "v1", metadata: { name: path.split("/")[4] } },
      ),
    );
    return true;
  };
}

/**
 * A Node the agent can read back: GET nodes/NAME answers the stored object,
 * and the agent's patches are applied to it the way the API server applies
 * them (strategic merge of status.conditions by `type`; JSON merge patch of
 * metadata.annotations). Every write is recorded like nodeWriteRoutes does,
 * so a test sees exactly what a restarted agent sends.
 */
export function statefulNodeRoutes(
  nodes: Map<string, Record<string, unknown>>,
  writes: NodeWrite[],
): ExtraRoute {
  const record = nodeWriteRoutes(writes);
  return (req, res, url, body) => {
    const match = /^\/api\/v1\/nodes\/([^/]+)(\/status)?$/.exec(url.pathname);
    const node = match ? nodes.get(match[1] as string) : undefined;
    if (match && node && req.method === "GET" && !match[2]) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ kind: "Node", apiVersion: "v1", ...node }));
      return true;
    }
    if (match && node && req.method === "PATCH")
      applyNodePatch(node, JSON.parse(body || "{}"), Boolean(match[2]));
    return record(req, res, url, body);
  };
}

// biome-ignore lint/suspicious/noExplicitAny: a stored Node navigated freely
function applyNodePatch(node: Record<string, any>, patch: Record<string, any>, status: boolean): void {
  if (status) {
    node.status ??= {};
    const conditions: Array<Record<string, unknown>> = node.status.conditions ?? [];
    for (const c of patch.status?.conditions ?? []) {
      const at = conditions.findIndex((x) => x.type === c.type);
      if (at >= 0) conditions[at] = { ...conditions[at], ...c };
      else conditions.push(c);
    }
    node.status.conditions = conditions;
    return;
  }
  node.metadata ??= {};
  node.metadata.annotations = {
    ...(node.metadata.annotations ?? {}),
    ...(patch.metadata?.annotations ?? {}),
  };
}
