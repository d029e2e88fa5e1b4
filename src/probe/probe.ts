import type { Target } from "../target/target.ts";
import { Budget } from "./budget.ts";
import { connectEndpoint, type EndpointConnection, type NetworkDeps } from "./connect-endpoint.ts";
import { type Dialer, systemDialer } from "./dial-tcp.ts";
import { authority } from "./host-header.ts";
import { probePlainHttp } from "./plain-http.ts";
import { probeRealm } from "./realm.ts";
import { pingRegistry } from "./registry-ping.ts";
import { type Resolver, systemResolver } from "./resolver.ts";
import type { ProbeResult } from "./types.ts";

export interface ProbeOptions {
  /** One deadline for every stage together (DNS, TCP, TLS, /v2/, realm). */
  timeoutMs: number;
  resolver?: Resolver;
  /** Cancels the probe; it then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Probe the token realm named by a Bearer challenge (default true). */
  realm?: boolean;
  /** Replaces the TCP connect (tests: a peer that never accepts). */
  dialer?: Dialer;
}

/**
 * Network facts about one target, never verdicts: DNS, TCP to the first
 * address, TLS handshake capturing exactly the certificates the server sent,
 * GET /v2/ on that same connection, then the token realm. A failing stage is
 * recorded and ends the walk; nothing here throws except cancellation.
 */
export async function probe(target: Target, opts: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const deps: NetworkDeps = {
    resolver: opts.resolver ?? systemResolver,
    dialer: opts.dialer ?? systemDialer,
    budget: new Budget(opts.timeoutMs, opts.signal),
  };
  const connection = await connectEndpoint(
    { host: target.host, port: target.port, serverName: target.serverName },
    deps,
  );
  const result: ProbeResult = {
    target,
    dns: connection.dns,
    tcp: connection.tcp,
    tls: connection.tls,
    registry: null,
    realm: null,
    plainHttp: null,
    durationMs: 0,
  };
  if (connection.socket) await probeRegistry(result, connection, deps, opts.realm !== false);
  else if (connection.tls?.error?.tlsKind === "plain-http" && connection.tcp) {
    const hostHeader = authority(target.host, target.explicitPort ? target.port : null);
    result.plainHttp = await probePlainHttp(connection.tcp.address, target.port, hostHeader, deps);
  }
  result.durationMs = performance.now() - started;
  return result;
}

async function probeRegistry(
  result: ProbeResult,
  connection: EndpointConnection,
  deps: NetworkDeps,
  withRealm: boolean,
): Promise<void> {
  if (!connection.socket || !connection.tls) return;
  const ping = await pingRegistry(connection.socket, result.target, deps);
  if (ping.tlsAlert) {
    result.tls = { ...connection.tls, ok: false, error: ping.tlsAlert };
    return;
  }
  result.registry = ping.facts;
  if (withRealm)
    result.realm = await probeRealm(ping.facts?.challenge ?? null, result.target, connection.dns, deps);
}
