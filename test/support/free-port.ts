/**
 * Free TCP ports for services that cannot listen on port 0 themselves and tell
 * us the port (docker-registry needs a fixed `http.addr`). Asking the kernel for
 * an ephemeral port and closing it leaves a window where another test process
 * can take it, so callers start the service with `retryOnAddressInUse`.
 */
import { createServer } from "node:net";

/** Binds `host:0`, reads the port the kernel chose, closes the socket. */
export function pickFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error(`pickFreePort: no port bound on ${host}`));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** Marker error a start attempt throws when its port was taken in the meantime. */
export class AddressInUseError extends Error {}

/**
 * Calls `start(port)` with a freshly picked port; when it throws AddressInUseError
 * (a parallel test won the race for that port) tries again with a new one.
 */
export async function retryOnAddressInUse<T>(
  host: string,
  start: (port: number) => Promise<T>,
  attempts = 5,
): Promise<T> {
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = await pickFreePort(host);
    try {
      return await start(port);
    } catch (err) {
      if (!(err instanceof AddressInUseError)) throw err;
      lastError = err;
    }
  }
  throw lastError;
}
