import { Budget } from "../probe/budget.ts";
import type { Resolver } from "../probe/resolver.ts";
import { getOnce } from "./aia-http.ts";

/**
 * Bounds for AIA completion (issue 10: AIA servers that loop, hang or return
 * huge bodies must cost bounded time and memory). A CA certificate is a few
 * KiB and a .p7c bundle rarely 20 KiB, so 256 KiB is generous.
 */
export interface AiaLimits {
  /** Certificates fetched for one chain before giving up (depth). */
  maxCertificates: number;
  /** HTTP requests for one chain, redirects included. */
  maxRequests: number;
  maxBytes: number;
  maxRedirects: number;
  /** One URL, redirects included; never more than the overall time left. */
  perUrlMs: number;
}

export const DEFAULT_AIA_LIMITS: AiaLimits = {
  maxCertificates: 5,
  maxRequests: 12,
  maxBytes: 256 * 1024,
  maxRedirects: 3,
  perUrlMs: 5_000,
};

export type AiaFailureKind =
  | "bad-url"
  | "unsupported-scheme"
  | "http-status"
  | "redirects"
  | "loop"
  | "timeout"
  | "too-large"
  | "network"
  | "limit";

export type AiaFetchResult =
  | { ok: true; body: Buffer; finalUrl: string; requests: number }
  | { ok: false; kind: AiaFailureKind; message: string; requests: number };

/** Fetches one AIA URL's body; injectable so completion logic can be tested without sockets. */
export type AiaFetcher = (url: string, ctx: AiaFetchContext) => Promise<AiaFetchResult>;

export interface AiaFetchContext {
  /** The overall completion deadline. */
  budget: Budget;
  limits: AiaLimits;
  /** Every URL requested so far in this completion (redirect targets included); updated here. */
  visited: Set<string>;
  /** Requests still allowed for this completion. */
  requestsLeft: number;
}

export function isFetchableScheme(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/**
 * The HTTP fetcher: follows at most `maxRedirects` redirects (http/https only),
 * refuses a URL already requested in this completion (an AIA or redirect loop),
 * and bounds the whole URL by `perUrlMs` within the overall budget.
 */
export function httpAiaFetcher(resolver: Resolver): AiaFetcher {
  return async (url, ctx) => {
    const budget = new Budget(Math.min(ctx.budget.remainingMs(), ctx.limits.perUrlMs), ctx.budget.signal);
    const normalized = normalizeUrl(url);
    if (normalized === null) return { ok: false, kind: "bad-url", message: "not a valid URL", requests: 0 };
    let current = normalized;
    let requests = 0;
    for (let hop = 0; ; hop++) {
      const refused = refuseUrl(current, url, hop, ctx, requests);
      if (refused) return refused;
      ctx.visited.add(current);
      requests++;
      const outcome = await getOnce(new URL(current), budget, { maxBytes: ctx.limits.maxBytes }, resolver);
      if (outcome.kind === "body") return { ok: true, body: outcome.body, finalUrl: current, requests };
      if (outcome.kind === "failure") return { ok: false, ...outcome.failure, requests };
      if (hop >= ctx.limits.maxRedirects) {
        const message = `more than ${ctx.limits.maxRedirects} redirects (last: HTTP ${outcome.status} to ${outcome.location ?? "nowhere"})`;
        return { ok: false, kind: "redirects", message, requests };
      }
      const next = resolveLocation(current, outcome.location);
      if (!next) {
        const message = `HTTP ${outcome.status} redirect without a usable Location (${outcome.location ?? "none"})`;
        return { ok: false, kind: "redirects", message, requests };
      }
      current = next;
    }
  };
}

function refuseUrl(
  current: string,
  original: string,
  hop: number,
  ctx: AiaFetchContext,
  requests: number,
): AiaFetchResult | null {
  if (!isFetchableScheme(current)) {
    const what = hop === 0 ? "the URL" : `a redirect to ${current}`;
    return { ok: false, kind: "unsupported-scheme", message: `${what} is not http:// or https://`, requests };
  }
  if (ctx.visited.has(current)) {
    const message =
      hop === 0
        ? `${current} was already fetched for this chain: the AIA URLs form a loop`
        : `redirects from ${original} lead back to ${current}, which was already requested: a redirect loop`;
    return { ok: false, kind: "loop", message, requests };
  }
  if (ctx.requestsLeft - requests <= 0) {
    return {
      ok: false,
      kind: "limit",
      message: "the limit of AIA requests for one chain was reached",
      requests,
    };
  }
  return null;
}

function normalizeUrl(url: string): string | null {
  try {
    return new URL(url).href;
  } catch {
    return null;
  }
}

/** A relative Location is resolved against the URL that answered (RFC 9110 §10.2.2). */
function resolveLocation(base: string, location: string | null): string | null {
  if (!location) return null;
  try {
    return new URL(location, base).href;
  } catch {
    return null;
  }
}
