import type { TLSSocket } from "node:tls";
import type { Budget } from "./budget.ts";
import { type Dialer, dialTcp } from "./dial-tcp.ts";
import { handshakeTls } from "./handshake.ts";
import { type Resolver, resolveHost } from "./resolver.ts";
import type { DnsFacts, TcpFacts, TlsFacts } from "./types.ts";

/** The network seams one probe uses; tests replace them, production uses the system ones. */
export interface NetworkDeps {
  resolver: Resolver;
  dialer: Dialer;
  budget: Budget;
}

export interface Endpoint {
  host: string;
  port: number;
  /** SNI; null for IP literals. */
  serverName: string | null;
}

export interface EndpointConnection {
  dns: DnsFacts;
  tcp: TcpFacts | null;
  tls: TlsFacts | null;
  /** Secured socket when every stage succeeded; the caller owns and must destroy it. */
  socket: TLSSocket | null;
}

/** DNS → TCP to the first address → TLS handshake; stops at the first failing stage. */
export async function connectEndpoint(endpoint: Endpoint, deps: NetworkDeps): Promise<EndpointConnection> {
  const dns = await resolveHost(endpoint.host, deps.resolver, deps.budget);
  const address = dns.addresses[0];
  if (!dns.ok || address === undefined) return { dns, tcp: null, tls: null, socket: null };
  const tcp = await dialTcp(address, endpoint.port, deps.dialer, deps.budget);
  if (!tcp.socket) return { dns, tcp: tcp.facts, tls: null, socket: null };
  const tls = await handshakeTls(tcp.socket, endpoint.serverName, deps.budget);
  return { dns, tcp: tcp.facts, tls: tls.facts, socket: tls.socket };
}
