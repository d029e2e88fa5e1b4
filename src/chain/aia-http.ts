import { type ClientRequest, request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { type Budget, BudgetExpired, withinBudget } from "../probe/budget.ts";
import { serverNameFor, urlEndpoint } from "../probe/host-header.ts";
import { toNetError } from "../probe/net-error.ts";
import { type Resolver, resolveHost } from "../probe/resolver.ts";

/** One GET's answer: a body within the limit, a redirect to follow, or why there is neither. */
export type HttpOutcome =
  | { kind: "body"; body: Buffer; contentType: string | null }
  | { kind: "redirect"; status: number; location: string | null }
  | { kind: "failure"; failure: HttpFailure };

export interface HttpFailure {
  kind: "http-status" | "timeout" | "too-large" | "network";
  message: string;
}

export interface HttpGetLimits {
  maxBytes: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * GET `url` (http: or https:) once, never following redirects, never sending
 * credentials, bounded by `budget` from DNS to the last body byte and by
 * `limits.maxBytes` (a body larger than that is refused as soon as it is
 * announced or seen, never buffered). TLS is not verified: what is fetched is
 * a certificate whose authenticity comes from its own signature over the one
 * below it (RFC 5280 §4.2.2.1 expects caIssuers over plain HTTP for that reason).
 */
export async function getOnce(
  url: URL,
  budget: Budget,
  limits: HttpGetLimits,
  resolver: Resolver,
): Promise<HttpOutcome> {
  const { host, port } = urlEndpoint(url);
  const dns = await resolveHost(host, resolver, budget);
  const address = dns.addresses[0];
  if (!dns.ok || address === undefined) {
    const why = dns.error?.kind === "timeout" ? "timeout" : "network";
    return failure(why, `cannot resolve ${host}: ${dns.error?.message ?? "no address"}`);
  }
  const req = startRequest(url, address, port);
  try {
    let expired = false;
    const what = `waiting for ${url.href} to answer`;
    const response = await withinBudget(budget, what, responseOf(req), () => {
      expired = true;
      req.destroy();
    }).catch((error: unknown) => {
      throw expired ? new BudgetExpired(what) : error;
    });
    return await readOutcome(response, budget, limits);
  } catch (error) {
    budget.signal?.throwIfAborted();
    if (error instanceof BudgetExpired) return failure("timeout", error.message);
    return failure("network", toNetError(error).message);
  } finally {
    req.destroy();
  }
}

function startRequest(url: URL, address: string, port: number): ClientRequest {
  const options = {
    host: address,
    port,
    method: "GET",
    path: `${url.pathname}${url.search}`,
    headers: { Host: url.host, "User-Agent": "regtrust-aia", Accept: "*/*" },
    agent: false as const,
  };
  const req =
    url.protocol === "https:"
      ? httpsRequest({
          ...options,
          rejectUnauthorized: false,
          ...(serverNameFor(url.hostname) ? { servername: url.hostname } : {}),
        })
      : httpRequest(options);
  req.on("error", () => {});
  req.end();
  return req;
}

function responseOf(req: ClientRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    req.once("response", resolve);
    req.once("error", reject);
  });
}

async function readOutcome(
  response: IncomingMessage,
  budget: Budget,
  limits: HttpGetLimits,
): Promise<HttpOutcome> {
  const status = response.statusCode ?? 0;
  if (REDIRECT_STATUSES.has(status)) {
    response.destroy();
    return { kind: "redirect", status, location: header(response, "location") };
  }
  if (status < 200 || status > 299) {
    response.destroy();
    const reason = response.statusMessage ? ` ${response.statusMessage}` : "";
    return failure("http-status", `the server answered HTTP ${status}${reason}`);
  }
  const declared = Number(header(response, "content-length") ?? Number.NaN);
  if (declared > limits.maxBytes) {
    response.destroy();
    return failure(
      "too-large",
      `the answer announces ${declared} bytes, more than the ${limits.maxBytes}-byte limit`,
    );
  }
  return readLimitedBody(response, budget, limits.maxBytes);
}

async function readLimitedBody(
  response: IncomingMessage,
  budget: Budget,
  maxBytes: number,
): Promise<HttpOutcome> {
  const chunks: Buffer[] = [];
  let size = 0;
  const done = new Promise<"complete" | "too-large">((resolve, reject) => {
    response.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) resolve("too-large");
      else chunks.push(chunk);
    });
    response.once("end", () => resolve("complete"));
    response.once("error", reject);
    response.once("aborted", () =>
      reject(Object.assign(new Error("the body was cut off"), { code: "ECONNRESET" })),
    );
  });
  let expired = false;
  try {
    const end = await withinBudget(budget, "reading the answer body", done, () => {
      // Destroying the response rejects `done` first; the cause is still the deadline.
      expired = true;
      response.destroy();
    }).catch((error: unknown) => {
      throw expired ? new BudgetExpired("reading the answer body") : error;
    });
    if (end === "too-large")
      return failure("too-large", `the answer is larger than the ${maxBytes}-byte limit`);
    return { kind: "body", body: Buffer.concat(chunks), contentType: header(response, "content-type") };
  } finally {
    response.destroy();
  }
}

function header(response: IncomingMessage, name: string): string | null {
  const value = response.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function failure(kind: HttpFailure["kind"], message: string): HttpOutcome {
  return { kind: "failure", failure: { kind, message } };
}
