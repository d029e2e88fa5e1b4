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
