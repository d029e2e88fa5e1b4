import type { Socket } from "node:net";
import type { Target } from "../target/target.ts";
import { connectEndpoint, type NetworkDeps } from "./connect-endpoint.ts";
import { authority, serverNameFor, urlEndpoint } from "./host-header.ts";
import { type HttpAnswer, httpGet } from "./http-get.ts";
import { isTlsAlert, type TlsError, toNetError, toTlsError } from "./net-error.ts";
import { parseChallenges, preferredChallenge } from "./parse-challenge.ts";
import type { NetError, RegistryFacts } from "./types.ts";

/** Go's http.Client stops at 10; a registry ping that needs more than a few is broken anyway. */
export const MAX_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface RegistryPing {
  /** Null when the server refused the connection with a TLS alert before answering HTTP. */
  facts: RegistryFacts | null;
  /**
   * A TLS 1.3 server asks for a client certificate after the client considers
   * the handshake done, so the alert ("certificate required") only arrives
   * with the first read. It is a handshake failure all the same.
   */
  tlsAlert: TlsError | null;
}

/**
 * GET /v2/ on the registry's secured socket, following at most MAX_REDIRECTS
 * https redirects, never sending credentials. The OCI "Determining Support"
 * check (distribution-spec, "end-1": GET /v2/): 200 or 401 mean a registry.
 * Always the API base, whatever path a pasted URL carries: a manifest or blob
 * URL answers 404 for a missing tag or a 401 for its scope, which says nothing
 * about whether the host is a registry (issue #17 item 3).
 */
export async function pingRegistry(socket: Socket, target: Target, deps: NetworkDeps): Promise<RegistryPing> {
  const path = "/v2/";
  const hostHeader = authority(target.host, target.explicitPort ? target.port : null);
  let url = new URL(path, `https://${hostHeader}`);
  let answer: HttpAnswer;
  try {
    answer = await httpGet(socket, { path, hostHeader }, deps.budget);
  } catch (error) {
    deps.budget.signal?.throwIfAborted();
    const failure = toNetError(error);
    if (isTlsAlert(failure)) return { facts: null, tlsAlert: toTlsError(error, new Uint8Array()) };
    return { facts: failed(null, failure), tlsAlert: null };
  }
  const visited = new Set([url.href]);
  for (let redirects = 0; isRedirect(answer); redirects += 1) {
    const next = new URL(answer.location ?? "", url);
    const refusal = redirectRefusal(next, visited, redirects);
    if (refusal) return { facts: failed(answer, refusal), tlsAlert: null };
    visited.add(next.href);
    url = next;
    const hop = await followRedirect(url, deps);
    if ("error" in hop) return { facts: failed(null, hop.error), tlsAlert: null };
    answer = hop.answer;
  }
  return { facts: answered(answer), tlsAlert: null };
}

function isRedirect(answer: HttpAnswer): boolean {
  return REDIRECT_STATUSES.has(answer.status) && answer.location !== null;
}

function redirectRefusal(next: URL, visited: ReadonlySet<string>, redirects: number): NetError | null {
  if (visited.has(next.href)) {
    return { kind: "other", code: "ERR_REDIRECT_LOOP", message: `redirect loop at ${next.href}` };
  }
  if (redirects >= MAX_REDIRECTS) {
    return { kind: "other", code: "ERR_TOO_MANY_REDIRECTS", message: `more than ${MAX_REDIRECTS} redirects` };
  }
  if (next.protocol !== "https:") {
    return {
      kind: "other",
      code: "ERR_REDIRECT_NOT_HTTPS",
      message: `redirect to a non-HTTPS URL: ${next.href}`,
    };
  }
  return null;
}

/** A redirect to another place needs its own connection (ours said Connection: close). */
async function followRedirect(
  url: URL,
  deps: NetworkDeps,
): Promise<{ answer: HttpAnswer } | { error: NetError }> {
  const { host, port } = urlEndpoint(url);
  const connection = await connectEndpoint({ host, port, serverName: serverNameFor(host) }, deps);
  if (!connection.socket) {
    const error = connection.dns.error ?? connection.tcp?.error ?? connection.tls?.error;
    return { error: error ?? { kind: "other", code: "UNKNOWN", message: `cannot connect to ${url.host}` } };
  }
  try {
    return {
      answer: await httpGet(
        connection.socket,
        { path: url.pathname + url.search, hostHeader: url.host },
        deps.budget,
      ),
    };
  } catch (error) {
    deps.budget.signal?.throwIfAborted();
    return { error: toNetError(error) };
  }
}

function answered(answer: HttpAnswer): RegistryFacts {
  const challenge = preferredChallenge(parseChallenges(answer.challenges));
  return {
    ok: true,
    status: answer.status,
    apiVersion: answer.apiVersion,
    challenge: challenge
      ? {
          scheme: canonicalScheme(challenge.scheme),
          realm: challenge.params.realm ?? null,
          service: challenge.params.service ?? null,
          scope: challenge.params.scope ?? null,
        }
      : null,
    error: null,
  };
}

/** A redirect that cannot be followed keeps no status: there is no final answer to report. */
function failed(last: HttpAnswer | null, error: NetError): RegistryFacts {
  return { ok: false, status: null, apiVersion: last?.apiVersion ?? null, challenge: null, error };
}

/** Schemes are case-insensitive (RFC 7235 §2.1); report the two registries use in their usual spelling. */
function canonicalScheme(scheme: string): string {
  const lower = scheme.toLowerCase();
  if (lower === "bearer") return "Bearer";
  if (lower === "basic") return "Basic";
  return scheme;
}
