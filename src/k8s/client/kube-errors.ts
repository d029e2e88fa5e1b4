import { InputError } from "../../core/errors.ts";

/**
 * A Kubernetes API call that could not be made or was refused. It is an
 * environment problem (kubeconfig, network, RBAC), not a finding about a
 * registry, so it ends the command with exit 2 like other bad input
 * (InputError), and the message says exactly what to fix: for 403 the
 * verb, resource and namespace RBAC must grant.
 */
export type KubeErrorKind =
  | "unauthorized"
  | "forbidden"
  | "not-found"
  | "timeout"
  | "unreachable"
  | "tls"
  | "server";

export class KubeApiError extends InputError {
  override name = "KubeApiError";
  constructor(
    readonly kind: KubeErrorKind,
    message: string,
    readonly request: KubeRequest,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What we asked the API for, in RBAC terms. */
export interface KubeRequest {
  verb: "get" | "list" | "create" | "delete" | "patch";
  /** Plural resource name as RBAC spells it: pods, events, nodes, pods/log. */
  resource: string;
  /** null: all namespaces, or a cluster-scoped resource. */
  namespace: string | null;
  name?: string;
}

export interface KubeTarget {
  server: string;
  context: string;
  timeoutMs: number;
}

/** The apiserver's Status object (metav1.Status) as far as we read it. */
interface StatusBody {
  message?: string;
  reason?: string;
}

export function describeRequest(req: KubeRequest): string {
  const what = req.name ? `${singular(req.resource)} "${req.name}"` : req.resource;
  return `${req.verb} ${what} ${scopeText(req)}`;
}

function scopeText(req: KubeRequest): string {
  if (req.namespace !== null) return `in namespace "${req.namespace}"`;
  return req.resource === "nodes" ? "(cluster-scoped)" : "in all namespaces";
}

function singular(resource: string): string {
  if (resource.includes("/")) return resource;
  return resource.endsWith("s") ? resource.slice(0, -1) : resource;
}

/** Any failure of a client call → a KubeApiError that names the fix. */
export function toKubeApiError(error: unknown, req: KubeRequest, target: KubeTarget): KubeApiError {
  if (error instanceof KubeApiError) return error;
  const status = httpStatusOf(error);
  if (status !== null) return fromStatus(status, statusBody(error), req, target, error);
  return fromTransport(error, req, target);
}

function fromStatus(
  status: number,
  body: StatusBody,
  req: KubeRequest,
  target: KubeTarget,
  cause: unknown,
): KubeApiError {
  const said = body.message ? ` The API server said: ${body.message}` : "";
  if (status === 401) {
    return new KubeApiError(
      "unauthorized",
      `the Kubernetes API at ${target.server} rejected the credentials of context "${target.context}" (401 Unauthorized): the token or client certificate is missing, wrong or expired.${said}`,
      req,
      { cause },
    );
  }
  if (status === 403 && /violates PodSecurity/.test(body.message ?? "")) {
    return new KubeApiError(
      "forbidden",
      `Pod Security admission refused the pod in namespace "${req.namespace}": it mounts the node's filesystem (hostPath), which only the "privileged" level allows. Run it in a namespace labelled pod-security.kubernetes.io/enforce=privileged (kubectl label namespace ${req.namespace} pod-security.kubernetes.io/enforce=privileged), or pass -n <such a namespace>.${said}`,
      req,
      { cause },
    );
  }
  if (status === 403) {
    const where = req.namespace !== null ? `in namespace "${req.namespace}"` : "cluster-wide";
    return new KubeApiError(
      "forbidden",
      `forbidden to ${describeRequest(req)} (403): RBAC must grant verb "${req.verb}" on resource "${req.resource}" (API group "") ${where} to the user of context "${target.context}".${said}`,
      req,
      { cause },
    );
  }
  if (status === 404 && req.name) {
    return new KubeApiError(
      "not-found",
      `${singular(req.resource)} "${req.name}" not found ${scopeText(req)}`,
      req,
      {
        cause,
      },
    );
  }
  return new KubeApiError(
    "server",
    `the Kubernetes API at ${target.server} answered ${status}${body.reason ? ` ${body.reason}` : ""} to ${describeRequest(req)}.${said}`,
    req,
    { cause },
  );
}

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
]);

function fromTransport(error: unknown, req: KubeRequest, target: KubeTarget): KubeApiError {
  const e = error as { name?: unknown; type?: unknown; code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  const text = typeof e?.message === "string" ? e.message : String(error);
  if (e?.name === "AbortError" || e?.type === "aborted" || e?.name === "TimeoutError") {
    return new KubeApiError(
      "timeout",
      `the Kubernetes API at ${target.server} did not answer "${describeRequest(req)}" within ${target.timeoutMs} ms (raise --timeout if the cluster is slow)`,
      req,
      { cause: error },
    );
  }
  if (UNREACHABLE_CODES.has(code)) {
    return new KubeApiError(
      "unreachable",
      `cannot reach the Kubernetes API at ${target.server} (context "${target.context}"): ${code}. Is the cluster up and the kubeconfig's server address right?`,
      req,
      { cause: error },
    );
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL/.test(code)) {
    return new KubeApiError(
      "tls",
      `TLS to the Kubernetes API at ${target.server} failed (${code}): check certificate-authority(-data) of the cluster in the kubeconfig`,
      req,
      { cause: error },
    );
  }
  return new KubeApiError(
    "unreachable",
    `cannot ${describeRequest(req)} through the Kubernetes API at ${target.server}: ${text}`,
    req,
    { cause: error },
  );
}

/** @kubernetes/client-node's ApiException carries the HTTP status as a numeric `code`. */
function httpStatusOf(error: unknown): number | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" && code >= 100 && code < 600 ? code : null;
}

function statusBody(error: unknown): StatusBody {
  const body = (error as { body?: unknown }).body;
  let parsed: unknown = body;
  if (typeof body === "string") {
    try {
      parsed = JSON.parse(body);
    } catch {
      return { message: body.slice(0, 300) };
    }
  }
  if (parsed === null || typeof parsed !== "object") return {};
  const { message, reason } = parsed as Record<string, unknown>;
  return {
    ...(typeof message === "string" ? { message } : {}),
    ...(typeof reason === "string" ? { reason } : {}),
  };
}
