import { type IncomingMessage, request } from "node:http";
import type { Socket } from "node:net";
import { type Budget, BudgetExpired, withinBudget } from "./budget.ts";

/** Enough of any answer body to show an error document; the rest is never read. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface HttpAnswer {
  status: number;
  /** Docker-Distribution-API-Version (legacy, optional: distribution-spec "Legacy Docker support"). */
  apiVersion: string | null;
  /** Every WWW-Authenticate field line, unjoined. */
  challenges: string[];
  location: string | null;
  /** At most BODY_LIMIT_BYTES; cut short when the budget ran out. */
  body: Buffer;
}

export interface HttpGetRequest {
  /** Path plus query, e.g. "/v2/" or "/token?service=registry". */
  path: string;
  /** host[:port], as a Go client derives it from the URL. */
  hostHeader: string;
}

/**
 * One GET on an already-connected socket (TLS or cleartext), so the probe
 * never opens a second connection for the request. No credentials, ever.
 * The socket is consumed: it is destroyed when the answer has been read.
 */
export async function httpGet(socket: Socket, req: HttpGetRequest, budget: Budget): Promise<HttpAnswer> {
  const outgoing = request({
    createConnection: () => socket,
    method: "GET",
    path: req.path,
    headers: { Host: req.hostHeader, "User-Agent": "regtrust-probe", Accept: "*/*" },
  });
  outgoing.on("error", () => {});
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    outgoing.once("response", resolve);
    outgoing.once("error", reject);
  });
  outgoing.end();
  try {
    const response = await withinBudget(budget, `waiting for the answer to GET ${req.path}`, answered, () =>
      outgoing.destroy(),
    );
    return {
      status: response.statusCode ?? 0,
      apiVersion: headerValue(response, "docker-distribution-api-version"),
      challenges: response.headersDistinct["www-authenticate"] ?? [],
      location: headerValue(response, "location"),
      body: await readBody(response, budget),
    };
  } finally {
    outgoing.destroy();
    socket.destroy();
  }
}

function headerValue(response: IncomingMessage, name: string): string | null {
  const value = response.headers[name];
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

/** Reads up to the limit; the status is already known, so a stalled body is cut short, not an error. */
async function readBody(response: IncomingMessage, budget: Budget): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const done = new Promise<void>((resolve) => {
    response.on("data", (chunk: Buffer) => {
      if (size >= BODY_LIMIT_BYTES) return;
      chunks.push(chunk.subarray(0, BODY_LIMIT_BYTES - size));
      size += chunk.length;
      if (size >= BODY_LIMIT_BYTES) resolve();
    });
    response.once("end", resolve);
    response.once("error", () => resolve());
    response.once("close", resolve);
  });
  try {
    await withinBudget(budget, "reading the answer body", done);
  } catch (error) {
    if (!(error instanceof BudgetExpired)) throw error;
  }
  response.destroy();
  return Buffer.concat(chunks);
}
