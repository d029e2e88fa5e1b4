/**
 * Loopback servers for the probe tests: real sockets on 127.0.0.1:0, each
 * tracking its connections so `close()` never waits on a client.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createHttpsServer, type ServerOptions } from "node:https";
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TlsOptions } from "node:tls";
import type { Resolver } from "../resolver.ts";

export interface Loopback {
  port: number;
  close(): Promise<void>;
}

export interface SeenRequest {
  url: string;
  headers: IncomingMessage["headers"];
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Listens on 127.0.0.1:0 and destroys live connections on close. */
export async function listen(server: Server): Promise<Loopback> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An HTTPS server sending exactly `cert` (PEM, in the given order); records every request. */
export async function httpsServer(
  tls: ServerOptions,
  handler: Handler,
): Promise<Loopback & { requests: SeenRequest[] }> {
  const requests: SeenRequest[] = [];
  const server = createHttpsServer(tls, (req, res) => {
    requests.push({ url: req.url ?? "", headers: req.headers });
    handler(req, res);
  });
  return { ...(await listen(server)), requests };
}

/** A raw TLS server; `onSecure` gets each secured connection. */
export async function tlsServer(
  tls: TlsOptions,
  onSecure: (socket: Socket) => void = () => {},
): Promise<Loopback> {
  return listen(createTlsServer(tls, onSecure));
}

/** A TCP server whose behaviour on each connection is scripted (tarpits, resets, alerts, HTTP). */
export async function scriptedServer(onConnection: (socket: Socket) => void): Promise<Loopback> {
  return listen(createNetServer(onConnection));
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const loopback = await listen(createNetServer());
  await loopback.close();
  return loopback.port;
}

/** Maps test names to addresses; any other name fails like getaddrinfo (ENOTFOUND). */
export function fakeResolver(names: Record<string, string[]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    lookup: async (hostname) => {
      asked.push(hostname);
      const addresses = names[hostname];
      if (addresses) return addresses;
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    },
  };
}

/** A registry /v2/ answer: 401 with the given challenge and the legacy API version header. */
export function registryHandler(challenge: string | null): Handler {
  return (_req, res) => {
    res.setHeader("Docker-Distribution-API-Version", "registry/2.0");
    if (challenge) res.setHeader("WWW-Authenticate", challenge);
    res.statusCode = challenge ? 401 : 200;
    res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}\n');
  };
}
