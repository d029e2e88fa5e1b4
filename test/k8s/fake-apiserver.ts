/**
 * A local stand-in for kube-apiserver (none can be installed here): HTTPS on
 * 127.0.0.1 with a generated CA, bearer-token auth, and the read endpoints
 * `regtrust k8s` uses, in the real API's shapes — lists with
 * `metadata.continue` paging, field selectors on the fields the real server
 * supports (it answers 400 for others, as the real one does), metav1.Status
 * bodies for 401/403/404 (texts as apiserver's responsewriters/errors.go
 * and apimachinery's NewForbidden/NewNotFound render them). It records every
 * request so tests can assert paging, and has a slow and a hanging mode.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { createPrivatePki } from "../../src/pki/generate.ts";
import type { FakeCluster, Json } from "./fake-cluster.ts";

export interface ForbidRule {
  verb: "get" | "list";
  resource: "pods" | "events" | "nodes";
  /** Namespace the rule applies to; undefined = every scope, null = only cluster scope / all namespaces. */
  namespace?: string | null;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The request body (PATCH/POST payloads), empty for GET. */
  body: string;
}

export interface FakeApiServer {
  url: string;
  caPem: string;
  token: string;
  user: string;
  requests: RecordedRequest[];
  forbid: ForbidRule[];
  /** Delay before every answer. */
  delayMs: number;
  /** Accept requests and never answer. */
  hang: boolean;
  /**
   * Extra routes tried, in order, after authentication and before the
   * read-only routes: write endpoints (nodes/status, events, pods) and
   * streaming ones (logs, watch) live in the test modules that need them.
   * A handler answers through `res` and returns true, or returns false.
   */
  extraRoutes: ExtraRoute[];
  close(): Promise<void>;
}

/** One pluggable route; `body` is the whole request body (empty for GET). */
export type ExtraRoute = (req: IncomingMessage, res: ServerResponse, url: URL, body: string) => boolean;

const SUPPORTED_FIELDS: Record<string, readonly string[]> = {
  pods: ["metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "status.phase"],
  events: [
    "metadata.name",
    "metadata.namespace",
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
  ],
  nodes: ["metadata.name", "spec.unschedulable"],
};

const KINDS: Record<string, string> = { pods: "PodList", events: "EventList", nodes: "NodeList" };

export async function startFakeApiServer(cluster: FakeCluster): Promise<FakeApiServer> {
  const pki = await createPrivatePki({ hostnames: ["localhost"], ipAddresses: ["127.0.0.1"] });
  // createPrivatePki's PEM strings carry no trailing newline.
  const cert = `${pki.leaf.certPem}\n${pki.intermediate.certPem}\n`;
  const index = indexCluster(cluster);
  const sockets = new Set<Duplex>();
  const state: Omit<FakeApiServer, "url" | "close"> = {
    caPem: `${pki.root.certPem}\n`,
    token: "regtrust-test-token",
    user: "system:serviceaccount:default:triage",
    requests: [],
    forbid: [],
    delayMs: 0,
    hang: false,
    extraRoutes: [],
  };
  const server: Server = createServer({ cert, key: pki.leaf.keyPem }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const requestBody = Buffer.concat(chunks).toString("utf8");
      state.requests.push({
        method: req.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: requestBody,
      });
      if (state.hang) return;
      const answer = () => {
        const authorised = req.headers.authorization === `Bearer ${state.token}`;
        if (authorised && state.extraRoutes.some((extra) => extra(req, res, url, requestBody))) return;
        const { code, body } = handle(req, url, index, state);
        res.writeHead(code, {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        });
        res.end(body);
      };
      if (state.delayMs > 0) setTimeout(answer, state.delayMs).unref();
      else answer();
    });
  });
  server.on("connection", (socket: Duplex) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `https://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** Objects pre-serialised once, so serving 5,000 pods costs a string join, not a JSON.stringify per page. */
interface Stored {
  object: Json;
  json: string;
}

type ClusterIndex = Record<"pods" | "events" | "nodes", Stored[]>;

function indexCluster(cluster: FakeCluster): ClusterIndex {
  const store = (objects: Json[]) => objects.map((object) => ({ object, json: JSON.stringify(object) }));
  return { pods: store(cluster.pods), events: store(cluster.events), nodes: store(cluster.nodes) };
}

interface Route {
  verb: "get" | "list";
  resource: "pods" | "events" | "nodes";
  namespace: string | null;
  name?: string;
}

function route(path: string): Route | null {
  const list = /^\/api\/v1\/(pods|events|nodes)$/.exec(path);
  if (list) return { verb: "list", resource: list[1] as Route["resource"], namespace: null };
  const namespaced = /^\/api\/v1\/namespaces\/([^/]+)\/(pods|events)(?:\/([^/]+))?$/.exec(path);
  if (!namespaced) return null;
  const [, namespace, resource, name] = namespaced;
  return name
    ? { verb: "get", resource: resource as Route["resource"], namespace: namespace ?? null, name }
    : { verb: "list", resource: resource as Route["resource"], namespace: namespace ?? null };
}

/** An HTTP answer: status code and JSON body. */
interface Answer {
  code: number;
  body: string;
}

function handle(
  req: IncomingMessage,
  url: URL,
  index: ClusterIndex,
  state: Pick<FakeApiServer, "token" | "forbid" | "user">,
): Answer {
  if (req.headers.authorization !== `Bearer ${state.token}`) {
    return status(401, "Unauthorized", "Unauthorized");
  }
  const r = route(url.pathname);
  if (!r || req.method !== "GET")
    return status(404, "NotFound", "the server could not find the requested resource");
  if (isForbidden(state.forbid, r)) return status(403, "Forbidden", forbiddenMessage(r, state.user), r);
  if (r.verb === "get") return getOne(index, r);
  let items = index[r.resource];
  if (r.namespace !== null) items = items.filter((s) => metadataOf(s.object).namespace === r.namespace);
  const selector = url.searchParams.get("fieldSelector");
  if (selector) {
    const match = fieldMatcher(selector, r.resource);
    if (typeof match === "string") return status(400, "BadRequest", match);
    items = items.filter((s) => match(s.object));
  }
  const labels = url.searchParams.get("labelSelector");
  if (labels) items = items.filter((s) => labelsMatch(s.object, labels));
  return listPage(r.resource, items, url.searchParams);
}

function getOne(index: ClusterIndex, r: Route): Answer {
  const found = index[r.resource].find((s) => {
    const m = metadataOf(s.object);
    return m.name === r.name && m.namespace === r.namespace;
  });
  if (!found) return status(404, "NotFound", `${r.resource} "${r.name}" not found`, r);
  return { code: 200, body: `{"kind":"Pod","apiVersion":"v1",${found.json.slice(1)}` };
}

function listPage(resource: Route["resource"], items: Stored[], params: URLSearchParams): Answer {
  const offset = params.get("continue") ? decodeContinue(params.get("continue") as string) : 0;
  if (offset === null) return status(400, "BadRequest", "continue key is not valid");
  const limit = Number(params.get("limit") ?? "0");
  const end = limit > 0 ? Math.min(items.length, offset + limit) : items.length;
  const more = end < items.length;
  const meta = more
    ? `{"resourceVersion":"4711","continue":"${encodeContinue(end)}","remainingItemCount":${items.length - end}}`
    : `{"resourceVersion":"4711"}`;
  const body = items
    .slice(offset, end)
    .map((s) => s.json)
    .join(",");
  return {
    code: 200,
    body: `{"kind":"${KINDS[resource]}","apiVersion":"v1","metadata":${meta},"items":[${body}]}`,
  };
}

function encodeContinue(offset: number): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: 4711, start: offset })).toString("base64url");
}

function decodeContinue(token: string): number | null {
  try {
    const start = (JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { start?: unknown }).start;
    return typeof start === "number" ? start : null;
  } catch {
    return null;
  }
}

/** `a=b,c!=d` (also `==`), only on the fields the real API server allows for the resource. */
function fieldMatcher(selector: string, resource: string): ((o: Json) => boolean) | string {
  const terms: Array<{ path: string; value: string; negate: boolean }> = [];
  for (const term of selector.split(",")) {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) return `invalid field selector "${term}"`;
    const [, path = "", op, value = ""] = m;
    if (!SUPPORTED_FIELDS[resource]?.includes(path)) {
      return `field label not supported: ${path}`;
    }
    terms.push({ path, value, negate: op === "!=" });
  }
  return (o) => terms.every((t) => (fieldValue(o, t.path) === t.value) !== t.negate);
}

function fieldValue(o: Json, path: string): string {
  if (path === "source")
    return String(((o.source as Json | undefined)?.component as string | undefined) ?? "");
  let value: unknown = o;
  for (const key of path.split(".")) value = (value as Json | undefined)?.[key];
  return value === undefined || value === null ? "" : String(value);
}

function labelsMatch(o: Json, selector: string): boolean {
  const labels = (metadataOf(o).labels ?? {}) as Record<string, string>;
  return selector.split(",").every((term) => {
    const [key = "", value] = term.split("=");
    return value === undefined ? key in labels : labels[key] === value;
  });
}

function metadataOf(o: Json): { name?: string; namespace?: string; labels?: unknown } {
  return (o.metadata ?? {}) as { name?: string; namespace?: string };
}

function isForbidden(rules: ForbidRule[], r: Route): boolean {
  return rules.some(
    (rule) =>
      rule.verb === r.verb &&
      rule.resource === r.resource &&
      (rule.namespace === undefined || rule.namespace === r.namespace),
  );
}

/** apiserver responsewriters/errors.go forbiddenMessage, wrapped by apierrors.NewForbidden. */
function forbiddenMessage(r: Route, user: string): string {
  const scope = r.namespace !== null ? `in the namespace "${r.namespace}"` : "at the cluster scope";
  const subject = r.name ? `${r.resource} "${r.name}"` : r.resource;
  return `${subject} is forbidden: User "${user}" cannot ${r.verb} resource "${r.resource}" in API group "" ${scope}`;
}

export function status(code: number, reason: string, message: string, r?: Route): Answer {
  const details = r ? { ...(r.name ? { name: r.name } : {}), kind: r.resource } : undefined;
  const body = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    details,
    code,
  };
  return { code, body: JSON.stringify(body) };
}
