/**
 * One bounded `GET /v2/` used as a readiness probe. Any HTTP status counts:
 * a registry with auth answers 401, which still means "up". Certificates are
 * not checked here on purpose; what the server presents is the test's subject.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export function pingV2(url: string, timeoutMs = 1000): Promise<number> {
  const target = new URL("/v2/", url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(target, { method: "GET", rejectUnauthorized: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${target.href} timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}
