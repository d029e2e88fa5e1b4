import type { Severity } from "../findings/codes.ts";
import type { Certificate } from "../pki/certificate.ts";
import { type ChainProblem, describeChainProblems, issuerLoop } from "../pki/chain-problems.ts";
import { certLabel, daysLeft } from "./certificate-view.ts";
import { type ChainIssue, issue } from "./chain-issue.ts";
import type { ChainLink } from "./chain-path.ts";
import type { ChainCompletion } from "./complete-chain.ts";

/**
 * How bad each structural problem of the chain as sent is. Errors are what
 * makes a client fail (RFC 8446 §4.4.2 order, validity); the rest is waste
 * or confusion that Go tolerates.
 */
const SEVERITY: Record<ChainProblem["kind"], Severity> = {
  duplicate: "warning",
  "wrong-order": "error",
  "unrelated-certificate": "warning",
  "root-sent": "warning",
  "missing-issuer": "error",
  "issuer-loop": "error",
  expired: "error",
  "not-yet-valid": "error",
};

export interface IssueContext {
  now: Date;
  expiringDays: number;
}

/** Everything wrong with the chain as sent, and with what completion fetched, errors first in each group. */
export function chainIssues(
  presented: readonly Certificate[],
  completion: ChainCompletion,
  ctx: IssueContext,
): ChainIssue[] {
  const structural = describeChainProblems([...presented], ctx.now)
    // The path-based check below says which issuer is missing and whether that matters.
    .filter((p) => p.kind !== "missing-issuer")
    .map((p) => issue(p.kind, SEVERITY[p.kind], p.message, p.index + 1));
  return [
    ...structural,
    ...missingIssuer(completion),
    ...notCa(completion.path),
    ...fetchedValidity(completion.fetched, ctx.now),
    ...expiringSoon([...presentedLinks(presented), ...completion.fetched], ctx),
    ...completion.issues,
  ];
}

function presentedLinks(presented: readonly Certificate[]): ChainLink[] {
  return presented.map((cert, i) => ({ cert, position: i + 1, origin: { source: "server" } }));
}

const GO_FAILURE = "x509: certificate signed by unknown authority";

/** The issuer the server should have sent, judged on the path the certificates really form. */
function missingIssuer(completion: ChainCompletion): ChainIssue[] {
  const { path } = completion;
  const lastSent = path.findLastIndex((l) => l.origin.source === "server");
  const top = path[lastSent];
  // Its issuer was sent, earlier on the path: the issuer-loop problem says so.
  if (!top || issuerLoop(path.slice(0, lastSent + 1).map((l) => l.cert))) return [];
  const label = certLabel(top.cert, top.position);
  if (top.cert.selfSigned) {
    if (lastSent > 0) return [];
    const message = `${label} is self-signed: every node must trust exactly this certificate (regtrust trust --ca with it)`;
    return [issue("self-signed-leaf", "warning", message, top.position)];
  }
  const next = path[lastSent + 1];
  const aia = top.cert.aiaIssuers.length > 0 ? ` (AIA caIssuers: ${top.cert.aiaIssuers.join(", ")})` : "";
  // After the leaf, or below a fetched certificate that is not a root, an intermediate is missing.
  if (lastSent === 0 || (next && !next.cert.selfSigned)) {
    const where =
      next && next.origin.source === "aia" ? ` (--complete fetched it from ${next.origin.url})` : aia;
    const message =
      `the server does not send the issuer of ${label}, ${top.cert.issuer}${where}. ` +
      `Browsers fetch it through AIA, Go runtimes never do: pulls fail with "${GO_FAILURE}" ` +
      "unless the node trusts it. Fix the server: configure the full chain (leaf, then intermediates).";
    return [issue("missing-issuer", "error", message, top.position)];
  }
  const message = next
    ? `the server does not send the root ${next.cert.subject}, which is normal: clients must already trust it`
    : `the issuer of ${label}, ${top.cert.issuer}, was not sent; normal when it is the root, which clients must already trust (--complete fetches it to check)${aia}`;
  return [issue("missing-issuer", "info", message, top.position)];
}

/** An intermediate without CA:TRUE: Go rejects the chain (crypto/x509 verify.go isValid). */
function notCa(path: readonly ChainLink[]): ChainIssue[] {
  return path.slice(1).flatMap((link, i) => {
    if (link.cert.isCA || link.cert.selfSigned) return [];
    const below = path[i]!;
    const message =
      `${certLabel(link.cert, link.position)} signed certificate ${below.position} but is not a CA (no basicConstraints CA:TRUE); ` +
      "Go rejects it with x509: … parent certificate cannot sign this kind of certificate";
    return [issue("not-a-ca", "error", message, link.position)];
  });
}

function fetchedValidity(fetched: readonly ChainLink[], now: Date): ChainIssue[] {
  return fetched.flatMap(({ cert, position }) => {
    const label = `${certLabel(cert, position)}, fetched through AIA,`;
    if (now < cert.notBefore) {
      return [
        issue(
          "not-yet-valid",
          "error",
          `${label} is not valid before ${cert.notBefore.toISOString()}`,
          position,
        ),
      ];
    }
    if (now > cert.notAfter) {
      return [issue("expired", "error", `${label} expired at ${cert.notAfter.toISOString()}`, position)];
    }
    return [];
  });
}

function expiringSoon(links: readonly ChainLink[], ctx: IssueContext): ChainIssue[] {
  return links.flatMap(({ cert, position }) => {
    const days = daysLeft(cert, ctx.now);
    if (ctx.now > cert.notAfter || ctx.now < cert.notBefore || days >= ctx.expiringDays) return [];
    const when = days === 0 ? "within a day" : `in ${days} day${days === 1 ? "" : "s"}`;
    const message = `${certLabel(cert, position)} expires ${when} (${cert.notAfter.toISOString()}); renew it now`;
    return [issue("expiring-soon", "warning", message, position)];
  });
}
