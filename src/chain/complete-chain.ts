import type { Certificate } from "../pki/certificate.ts";
import { isIssuedBy } from "../pki/chain-problems.ts";
import type { Budget } from "../probe/budget.ts";
import { decodeIssuerBody } from "./aia-decode.ts";
import { type AiaFetchContext, type AiaFetcher, type AiaLimits, isFetchableScheme } from "./aia-fetch.ts";
import { certLabel } from "./certificate-view.ts";
import { type ChainIssue, issue } from "./chain-issue.ts";
import { type ChainLink, presentedPath, topOf } from "./chain-path.ts";

/** One AIA URL tried: what it was for and how it ended ("ok" or the issue kind). */
export interface AiaAttempt {
  url: string;
  /** The certificate whose issuer was sought. */
  forPosition: number;
  outcome: string;
  /** The certificate taken from the answer, when it was used. */
  gotPosition: number | null;
}

export interface ChainCompletion {
  /** Leaf first; each certificate's signature verified by the next one's key. */
  path: ChainLink[];
  /** The certificates in `path` that came from the network, in path order. */
  fetched: ChainLink[];
  /** The path ends at a self-signed certificate (a root). */
  reachedRoot: boolean;
  /** Why completion stopped early, as aia-* issues (empty when nothing was fetched or all went well). */
  issues: ChainIssue[];
  attempts: AiaAttempt[];
}

export interface CompletionOptions {
  fetcher: AiaFetcher;
  budget: Budget;
  limits: AiaLimits;
}

interface WalkState {
  fetcher: AiaFetcher;
  path: ChainLink[];
  /** Other certificates from answers already fetched (a .p7c may carry the next issuer too). */
  extras: { cert: Certificate; url: string }[];
  ctx: AiaFetchContext;
  issues: ChainIssue[];
  attempts: AiaAttempt[];
  nextPosition: number;
  fetchedCount: number;
}

/** The chain as sent, not completed: no network. */
export function uncompleted(presented: readonly Certificate[]): ChainCompletion {
  const path = presentedPath(presented);
  const top = path[path.length - 1];
  return { path, fetched: [], reachedRoot: top?.cert.selfSigned ?? false, issues: [], attempts: [] };
}

/**
 * Completes the chain the server sent by following AIA caIssuers URLs from
 * the top certificate upward until a self-signed root. Every fetched
 * certificate must have signed the one below it (`isIssuedBy`: name, key id
 * and signature); loops (a URL or a certificate seen twice), the depth, the
 * request count, each answer's size and the time are all bounded. Failures
 * become aia-* issues; this never throws for anything a server sends.
 */
export async function completeChain(
  presented: readonly Certificate[],
  opts: CompletionOptions,
): Promise<ChainCompletion> {
  const state: WalkState = {
    fetcher: opts.fetcher,
    path: presentedPath(presented),
    extras: [],
    ctx: {
      budget: opts.budget,
      limits: opts.limits,
      visited: new Set(),
      requestsLeft: opts.limits.maxRequests,
    },
    issues: [],
    attempts: [],
    nextPosition: presented.length + 1,
    fetchedCount: 0,
  };
  if (state.path.length === 0) return uncompleted(presented);
  while (!topOf(state.path).cert.selfSigned) {
    if (state.fetchedCount >= opts.limits.maxCertificates) {
      const message = `stopped after fetching ${opts.limits.maxCertificates} certificates without reaching a self-signed root`;
      state.issues.push(issue("aia-limit", "warning", message, topOf(state.path).position));
      break;
    }
    const next = await nextIssuer(state, topOf(state.path));
    if (!next || !acceptLink(state, next)) break;
  }
  const { path, issues, attempts } = state;
  const fetched = path.filter((l) => l.origin.source === "aia");
  return { path, fetched, reachedRoot: topOf(path).cert.selfSigned, issues, attempts };
}

/** A certificate already in the chain means the issuers form a cycle (cross-signing gone wrong). */
function acceptLink(state: WalkState, link: ChainLink): boolean {
  const again = state.path.find((l) => l.cert.sha256 === link.cert.sha256);
  if (again) {
    const url = link.origin.source === "aia" ? link.origin.url : undefined;
    const message = `${url ?? "an AIA answer"} serves ${certLabel(again.cert, again.position)} again: the issuers form a loop`;
    state.issues.push(issue("aia-loop", "warning", message, topOf(state.path).position, url));
    return false;
  }
  state.path.push(link);
  state.fetchedCount++;
  state.nextPosition++;
  return true;
}

async function nextIssuer(state: WalkState, top: ChainLink): Promise<ChainLink | null> {
  const known = state.extras.findIndex((e) => isIssuedBy(top.cert, e.cert));
  const extra = state.extras[known];
  if (extra) {
    state.extras.splice(known, 1);
    return { cert: extra.cert, position: state.nextPosition, origin: { source: "aia", url: extra.url } };
  }
  const label = certLabel(top.cert, top.position);
  if (top.cert.aiaIssuers.length === 0) {
    const message = `${label} names no AIA caIssuers URL, so its issuer (${top.cert.issuer}) cannot be fetched`;
    state.issues.push(issue("aia-no-url", "warning", message, top.position));
    return null;
  }
  const urls = top.cert.aiaIssuers.filter(isFetchableScheme);
  if (urls.length === 0) {
    const message = `${label} names only AIA URLs regtrust does not fetch (${top.cert.aiaIssuers.join(", ")}); only http:// and https:// are followed`;
    state.issues.push(issue("aia-unsupported-scheme", "warning", message, top.position));
    return null;
  }
  const failedBefore = state.issues.length;
  for (const url of urls) {
    const link = await tryUrl(state, top, url);
    if (link) {
      // Another URL of the same certificate worked: earlier failures are only notes.
      for (const i of state.issues.slice(failedBefore)) i.severity = "info";
      return link;
    }
  }
  return null;
}

async function tryUrl(state: WalkState, top: ChainLink, url: string): Promise<ChainLink | null> {
  const fail = (kind: string, why: string): null => {
    const message = `fetching the issuer of ${certLabel(top.cert, top.position)} from ${url} failed: ${why}`;
    state.issues.push(issue(`aia-${kind}`, "warning", message, top.position, url));
    state.attempts.push({ url, forPosition: top.position, outcome: `aia-${kind}`, gotPosition: null });
    return null;
  };
  const normalized = normalizedUrl(url);
  if (normalized === null) return fail("bad-url", "it is not a valid URL");
  if (state.ctx.visited.has(normalized)) {
    return fail("loop", "it was already fetched for this chain: the AIA URLs form a loop");
  }
  if (state.ctx.requestsLeft <= 0) {
    return fail(
      "limit",
      `the limit of ${state.ctx.limits.maxRequests} AIA requests for one chain was reached`,
    );
  }
  const result = await state.fetcher(normalized, state.ctx);
  state.ctx.visited.add(normalized);
  state.ctx.requestsLeft -= result.requests;
  if (!result.ok) return fail(result.kind, result.message);
  const decoded = decodeIssuerBody(result.body);
  if ("error" in decoded) return fail("undecodable", decoded.error);
  const found = decoded.certs.find((c) => isIssuedBy(top.cert, c));
  if (!found) {
    const sameName = decoded.certs.find((c) => c.subjectKey === top.cert.issuerKey);
    if (sameName) {
      return fail(
        "signature-mismatch",
        `it serves ${sameName.subject}, whose name matches the issuer but whose key did not sign this certificate`,
      );
    }
    const served = decoded.certs.map((c) => c.subject).join("; ");
    return fail("wrong-certificate", `it serves ${served}, not the issuer ${top.cert.issuer}`);
  }
  for (const other of decoded.certs) if (other !== found) state.extras.push({ cert: other, url });
  state.attempts.push({ url, forPosition: top.position, outcome: "ok", gotPosition: state.nextPosition });
  return { cert: found, position: state.nextPosition, origin: { source: "aia", url } };
}

function normalizedUrl(url: string): string | null {
  try {
    return new URL(url).href;
  } catch {
    return null;
  }
}
