import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { UsageError } from "../core/errors.ts";

/**
 * /metrics (Prometheus), /healthz (the process serves), /readyz (a first
 * check has finished). Plain HTTP on the pod's port, as exporters do.
 */
export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(
  port: number,
  host: string,
  handlers: { metrics(): string; ready(): boolean },
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/metrics") {
      const body = handlers.metrics();
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
      res.end(body);
    } else if (path === "/healthz") {
      res.writeHead(200).end("ok\n");
    } else if (path === "/readyz") {
      const ready = handlers.ready();
      res.writeHead(ready ? 200 : 503).end(ready ? "ok\n" : "no check finished yet\n");
    } else {
      res.writeHead(404).end("not found\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new UsageError(
          `cannot serve metrics on ${host}:${port}: ${error.code === "EADDRINUSE" ? "the port is in use" : error.message} (set --metrics-port or metricsPort in the agent config)`,
        ),
      ),
    );
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
