import fastJsonPatch from "fast-json-patch";
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

/** Admission of one Node write (old and patched object): null allows it, a string is the denial message. */
export type NodeAdmission = (
  oldNode: Record<string, unknown>,
  newNode: Record<string, unknown>,
  subResource: "status" | undefined,
) => string | null;

/**
 * A Node the agent can read back: GET nodes/NAME answers the stored object,
 * and the agent's patches are applied to it the way the API server applies
 * them (strategic merge of status.conditions by `type`; JSON merge patch of
 * metadata.annotations; RFC 6902 JSON patch with fast-json-patch, whose
 * failed `test` is answered 422 as the API server answers it), each write
 * bumping metadata.resourceVersion. `admit`, when given, judges every write
 * first (403 when it denies), as a ValidatingAdmissionPolicy would. Every
 * write is recorded like nodeWriteRoutes does, so a test sees exactly what the
 * agent sends.
 */
export function statefulNodeRoutes(
  nodes: Map<string, Record<string, unknown>>,
  writes: NodeWrite[],
  admit?: NodeAdmission,
): ExtraRoute {
  const record = nodeWriteRoutes(writes);
  return (req, res, url, body) => {
    const match = /^\/api\/v1\/nodes\/([^/]+)(\/status)?$/.exec(url.pathname);
    const name = match?.[1] as string;
    const node = match ? nodes.get(name) : undefined;
    if (match && node && req.method === "GET" && !match[2]) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ kind: "Node", apiVersion: "v1", ...node }));
      return true;
    }
    if (!(match && node && req.method === "PATCH")) return record(req, res, url, body);
    const subResource = match[2] ? "status" : undefined;
    const patched = structuredClone(node);
    const refused = (code: number, reason: string, message: string) => {
      writes.push({
        method: "PATCH",
        path: url.pathname,
        contentType: String(req.headers["content-type"]),
        body: { refused: code, ops: JSON.parse(body || "null") },
      });
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason, code, message }));
      return true;
    };
    try {
      applyNodePatch(
        patched,
        JSON.parse(body || "{}"),
        subResource === "status",
        String(req.headers["content-type"]),
      );
    } catch (error) {
      return refused(
        422,
        "Invalid",
        `the server rejected our request due to an error in our request: ${(error as Error).message}`,
      );
    }
    const denied = admit?.(node, patched, subResource);
    if (denied) return refused(403, "Forbidden", `nodes "${name}" is forbidden: ${denied}`);
    const holder = patched as { metadata?: Record<string, unknown> };
    holder.metadata ??= {};
    const meta = holder.metadata;
    meta.resourceVersion = String(Number(meta.resourceVersion ?? 0) + 1);
    nodes.set(name, patched);
    return record(req, res, url, body);
  };
}

// biome-ignore lint/suspicious/noExplicitAny: a stored Node navigated freely
function applyNodePatch(node: Record<string, any>, patch: any, status: boolean, contentType: string): void {
  if (contentType === "application/json-patch+json") {
    // validate=true: a failed `test` or a bad path throws (the API server answers 422).
    fastJsonPatch.applyPatch(node, patch, true, true);
    return;
  }
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
