import assert from "node:assert/strict";
import { test } from "node:test";
import { InputError } from "../../core/errors.ts";
import { type KubeRequest, toKubeApiError } from "./kube-errors.ts";

const target = { server: "https://10.0.0.1:6443", context: "prod", timeoutMs: 5000 };
const listPods: KubeRequest = { verb: "list", resource: "pods", namespace: "shop" };

/** @kubernetes/client-node ApiException: numeric code, body = the parsed metav1.Status (or raw text). */
function apiException(code: number, body: unknown) {
  return Object.assign(new Error(`HTTP-Code: ${code}`), { code, body });
}

const cases: Array<[string, unknown, KubeRequest, string, RegExp]> = [
  [
    "403 names verb, resource and namespace",
    apiException(403, {
      kind: "Status",
      message:
        'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "shop"',
      reason: "Forbidden",
      code: 403,
    }),
    listPods,
    "forbidden",
    /forbidden to list pods in namespace "shop" \(403\): RBAC must grant verb "list" on resource "pods" \(API group ""\) in namespace "shop" to the user of context "prod"\. The API server said: pods is forbidden: User "jane"/,
  ],
  [
    "403 at cluster scope",
    apiException(403, '{"message":"nodes is forbidden"}'),
    { verb: "list", resource: "nodes", namespace: null },
    "forbidden",
    /list nodes \(cluster-scoped\) \(403\): .* cluster-wide/,
  ],
  [
    "401",
    apiException(401, undefined),
    listPods,
    "unauthorized",
    /rejected the credentials of context "prod" \(401 Unauthorized\)/,
  ],
  [
    "404 of a named pod",
    apiException(404, { message: 'pods "x" not found' }),
    { verb: "get", resource: "pods", namespace: "shop", name: "x" },
    "not-found",
    /^pod "x" not found in namespace "shop"$/,
  ],
  [
    "500",
    apiException(500, "etcd down"),
    listPods,
    "server",
    /answered 500 to list pods in namespace "shop"\. The API server said: etcd down/,
  ],
  [
    "node-fetch abort (our timeout signal)",
    Object.assign(new Error("The user aborted a request."), { name: "AbortError", type: "aborted" }),
    listPods,
    "timeout",
    /did not answer "list pods in namespace "shop"" within 5000 ms/,
  ],
  [
    "connection refused",
    Object.assign(new Error("request to https://10.0.0.1:6443/api failed"), {
      code: "ECONNREFUSED",
      type: "system",
    }),
    listPods,
    "unreachable",
    /cannot reach the Kubernetes API at https:\/\/10\.0\.0\.1:6443 \(context "prod"\): ECONNREFUSED/,
  ],
  [
    "untrusted API server certificate",
    Object.assign(new Error("unable to verify the first certificate"), {
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    }),
    listPods,
    "tls",
    /TLS to the Kubernetes API .* \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/,
  ],
];

for (const [name, error, request, kind, message] of cases) {
  test(`toKubeApiError: ${name}`, () => {
    const mapped = toKubeApiError(error, request, target);
    assert.equal(mapped.kind, kind);
    assert.match(mapped.message, message);
    assert.ok(mapped instanceof InputError, "exit 2, like other environment/input problems");
    assert.equal(mapped.cause, error);
  });
}
