import type { Target } from "../target/target.ts";
import { connectEndpoint, type NetworkDeps } from "./connect-endpoint.ts";
import { dialTcp } from "./dial-tcp.ts";
import { serverNameFor, urlEndpoint } from "./host-header.ts";
import { httpGet } from "./http-get.ts";
import { toNetError } from "./net-error.ts";
import { resolveHost } from "./resolver.ts";
import type { DnsFacts, NetError, RealmFacts, RegistryFacts } from "./types.ts";

/**
 * The token endpoint a Bearer challenge names. containerd (core/remotes/docker
 * auth/fetch.go) and containers/image (docker_client.go getBearerToken) fetch
 * tokens with the registry host's HTTP client and TLS config, so the realm's
 * chain matters as much as the registry's; we capture it the same way. On the
 * registry's own host:port the chain is the one already captured.
 */
export async function probeRealm(
  challenge: RegistryFacts["challenge"],
  target: Target,
  registryDns: DnsFacts,
  deps: NetworkDeps,
): Promise<RealmFacts | null> {
  if (challenge?.scheme !== "Bearer" || !challenge.realm) return null;
  let url: URL;
  try {
    url = new URL(challenge.realm);
    if (url.protocol !== "https:" && url.protocol !== "http:")
      throw new Error(`unsupported scheme ${url.protocol}`);
  } catch (error) {
    return unusableRealm(challenge.realm, error);
  }
  const { host, port } = urlEndpoint(url);
  const base = { url: url.href, host, port };
  if (host === target.host.toLowerCase() && port === target.port) {
    return { ...base, dns: registryDns, tcp: null, tls: null, status: null, error: null };
  }
  tokenQuery(url, challenge);
  return url.protocol === "https:" ? fetchOverTls(url, base, deps) : fetchCleartext(url, base, deps);
}

type RealmBase = Pick<RealmFacts, "url" | "host" | "port">;

async function fetchOverTls(url: URL, base: RealmBase, deps: NetworkDeps): Promise<RealmFacts> {
  const connection = await connectEndpoint({ ...base, serverName: serverNameFor(base.host) }, deps);
  const facts: RealmFacts = {
    ...base,
    dns: connection.dns,
    tcp: connection.tcp,
    tls: connection.tls,
    status: null,
    error: null,
  };
  if (!connection.socket) return facts;
  return { ...facts, ...(await anonymousGet(connection.socket, url, deps)) };
}

/** An http:// realm: no TLS to judge, but whether the token service answers still matters. */
async function fetchCleartext(url: URL, base: RealmBase, deps: NetworkDeps): Promise<RealmFacts> {
  const dns = await resolveHost(base.host, deps.resolver, deps.budget);
  const address = dns.addresses[0];
  if (!dns.ok || address === undefined)
    return { ...base, dns, tcp: null, tls: null, status: null, error: null };
  const tcp = await dialTcp(address, base.port, deps.dialer, deps.budget);
  const facts: RealmFacts = { ...base, dns, tcp: tcp.facts, tls: null, status: null, error: null };
  if (!tcp.socket) return facts;
  return { ...facts, ...(await anonymousGet(tcp.socket, url, deps)) };
}

async function anonymousGet(
  socket: Parameters<typeof httpGet>[0],
  url: URL,
  deps: NetworkDeps,
): Promise<{ status: number | null; error: NetError | null }> {
  try {
    const answer = await httpGet(
      socket,
      { path: url.pathname + url.search, hostHeader: url.host },
      deps.budget,
    );
    return { status: answer.status, error: null };
  } catch (error) {
    deps.budget.signal?.throwIfAborted();
    return { status: null, error: toNetError(error) };
  }
}

/** The token request of the distribution token spec: service and scope as query parameters, no credentials. */
function tokenQuery(url: URL, challenge: NonNullable<RegistryFacts["challenge"]>): void {
  if (challenge.service !== null) url.searchParams.set("service", challenge.service);
  if (challenge.scope !== null) url.searchParams.set("scope", challenge.scope);
}

function unusableRealm(realm: string, error: unknown): RealmFacts {
  const why = error instanceof Error ? error.message : String(error);
  const failure: NetError = {
    kind: "other",
    code: "ERR_INVALID_URL",
    message: `unusable token realm "${realm}": ${why}`,
  };
  return {
    url: realm,
    host: "",
    port: 0,
    dns: { ok: false, addresses: [], error: failure },
    tcp: null,
    tls: null,
    status: null,
    error: failure,
  };
}
