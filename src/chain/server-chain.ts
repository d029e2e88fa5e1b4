import type { Clock } from "../core/deps.ts";
import { networkVerdict } from "../evaluate/network-findings.ts";
import type { Certificate } from "../pki/certificate.ts";
import { decodeFailure } from "../pki/decode-failure.ts";
import { parseCertificate } from "../pki/parse-certificate.ts";
import { Budget } from "../probe/budget.ts";
import { probe as runProbe } from "../probe/probe.ts";
import { type Resolver, systemResolver } from "../probe/resolver.ts";
import type { ProbeResult } from "../probe/types.ts";
import type { Target } from "../target/target.ts";
import { type AiaFetcher, type AiaLimits, DEFAULT_AIA_LIMITS, httpAiaFetcher } from "./aia-fetch.ts";
import { type ChainIssue, issue } from "./chain-issue.ts";
import { chainIssues } from "./chain-issues.ts";
import { buildChainReport, type ChainReport } from "./chain-report.ts";
import { type ChainCompletion, completeChain, uncompleted } from "./complete-chain.ts";

export interface ServerChainOptions {
  /** One bound for everything: the handshake and then all AIA fetching together. */
  timeoutMs: number;
  /** Follow AIA caIssuers URLs to a root. */
  complete: boolean;
  clock: Clock;
  expiringDays: number;
  resolver?: Resolver;
  /** Replaces the HTTP fetcher (tests). */
  fetcher?: AiaFetcher;
  limits?: AiaLimits;
}

export interface ServerChain {
  report: ChainReport;
  /** The verified path with its certificates, for -o and for `trust --from-server`. */
  completion: ChainCompletion;
}

/**
 * The chain a registry presents, what is wrong with it and, on request, the
 * same chain completed through AIA. Network failures are issues in the report
 * (dns-failure, connection-refused, timeout, plain-http, tls-handshake-failed: diagnose's codes), never exceptions.
 */
export async function examineServerChain(target: Target, opts: ServerChainOptions): Promise<ServerChain> {
  const started = performance.now();
  const resolver = opts.resolver ?? systemResolver;
  const probed = await runProbe(target, { timeoutMs: opts.timeoutMs, resolver, realm: false });
  const { certs, issues } = parsePresented(probed);
  let completion = uncompleted(certs);
  if (opts.complete && certs.length > 0) {
    const budget = new Budget(opts.timeoutMs - (performance.now() - started));
    completion = await completeChain(certs, {
      fetcher: opts.fetcher ?? httpAiaFetcher(resolver),
      budget,
      limits: opts.limits ?? DEFAULT_AIA_LIMITS,
    });
  }
  const now = opts.clock.now();
  const found =
    certs.length > 0 ? chainIssues(certs, completion, { now, expiringDays: opts.expiringDays }) : [];
  const report = buildChainReport({
    target,
    connection: probed.tcp ? { address: probed.tcp.address, protocol: probed.tls?.protocol ?? null } : null,
    presented: certs,
    completion,
    requested: opts.complete,
    issues: [...connectionIssues(probed, opts.timeoutMs, certs, issues), ...issues, ...found],
    now,
  });
  return { report, completion };
}

/** The certificates as sent; one that does not decode is reported and left out. */
function parsePresented(probed: ProbeResult): { certs: Certificate[]; issues: ChainIssue[] } {
  const certs: Certificate[] = [];
  const issues: ChainIssue[] = [];
  (probed.tls?.presented ?? []).forEach((der, i) => {
    try {
      const cert = parseCertificate(der);
      const failure = decodeFailure(cert);
      if (failure !== null) throw new Error(failure);
      certs.push(cert);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      const message = `certificate ${i + 1} sent by the server does not decode (${why}); it is left out and the rest renumbered. Go clients fail the handshake on it.`;
      issues.push(issue("undecodable", "error", message, i + 1));
    }
  });
  return { certs, issues };
}

function connectionIssues(
  probed: ProbeResult,
  timeoutMs: number,
  certs: Certificate[],
  decodeIssues: readonly ChainIssue[],
): ChainIssue[] {
  // The handshake failed on a certificate that does not decode: its own issue
  // says so and names it; OpenSSL's ASN.1 text ("too long") would only mislead.
  if (decodeIssues.length > 0) return [];
  const verdict = networkVerdict(probed, timeoutMs);
  // The same code diagnose gives (docs/findings.md), so chain and diagnose name a failure alike.
  if (verdict) return [issue(verdict.finding.code, "error", verdict.finding.message)];
  if (certs.length === 0 && (probed.tls?.presented.length ?? 0) === 0) {
    return [issue("tls-handshake-failed", "error", `${probed.target.registry} sent no certificate`)];
  }
  return [];
}
