import type { NetworkDeps } from "./connect-endpoint.ts";
import { dialTcp } from "./dial-tcp.ts";
import { httpGet } from "./http-get.ts";
import type { ProbeResult } from "./types.ts";

/**
 * After the peer answered our ClientHello in cleartext: a fresh connection
 * and a cleartext GET /v2/ to tell "a registry without TLS" (200/401 and the
 * API version header) from some other service. Null when it does not answer HTTP.
 */
export async function probePlainHttp(
  address: string,
  port: number,
  hostHeader: string,
  deps: NetworkDeps,
): Promise<ProbeResult["plainHttp"]> {
  const tcp = await dialTcp(address, port, deps.dialer, deps.budget);
  if (!tcp.socket) return null;
  try {
    const answer = await httpGet(tcp.socket, { path: "/v2/", hostHeader }, deps.budget);
    return { status: answer.status, apiVersion: answer.apiVersion };
  } catch {
    deps.budget.signal?.throwIfAborted();
    return null;
  }
}
