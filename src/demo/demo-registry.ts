import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";

/**
 * A loopback HTTPS endpoint that answers like a registry's `/v2/` ping
 * (distribution-spec "Determining Support"): 401 with a Bearer challenge and
 * the legacy API version header. It sends exactly the chain it is given.
 */
export interface DemoRegistry {
  port: number;
  close(): Promise<void>;
}

export async function startDemoRegistry(opts: {
  certChainPem: string;
  keyPem: string;
  host: string;
}): Promise<DemoRegistry> {
  const server: Server = createServer({ cert: opts.certChainPem, key: opts.keyPem }, (req, res) => {
    res.setHeader("Docker-Distribution-API-Version", "registry/2.0");
    if (req.url?.startsWith("/v2/")) {
      res.statusCode = 401;
      res.setHeader("WWW-Authenticate", `Basic realm="${opts.host}"`);
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}\n');
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
