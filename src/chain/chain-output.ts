import { toPem } from "../pki/read-bundle.ts";
import { type ChainIssue, issue } from "./chain-issue.ts";
import { topOf } from "./chain-path.ts";
import { type ChainOutput, linkSummary } from "./chain-report.ts";
import type { ChainCompletion } from "./complete-chain.ts";

export type OutputSelection = { pem: string; output: ChainOutput } | { refusal: ChainIssue };

/**
 * What `-o` writes: the verified path leaf first (duplicates and unrelated
 * certificates left out, fetched issuers included), or with `rootOnly` just
 * the self-signed root at its top. Never a non-root as "root": without a
 * reached root the selection is refused.
 */
export function selectOutput(
  completion: ChainCompletion,
  file: string,
  rootOnly: boolean,
  completed: boolean,
): OutputSelection {
  if (completion.path.length === 0) {
    return {
      refusal: issue("no-root", "error", "the server sent no usable certificate; nothing was written"),
    };
  }
  const top = topOf(completion.path);
  if (rootOnly && !completion.reachedRoot) {
    const how = completed
      ? "AIA completion did not reach it (see the aia-* problems)"
      : "the server does not send it; add --complete to fetch it through AIA";
    const message =
      `no self-signed root at the top of the chain, so --root-only wrote nothing: ${how}. ` +
      `The top certificate is ${top.cert.subject}, issued by ${top.cert.issuer}; get that root from your PKI team.`;
    return { refusal: issue("no-root", "error", message, top.position) };
  }
  const links = rootOnly ? [top] : completion.path;
  const root = completion.reachedRoot ? top : null;
  return {
    pem: toPem(links.map((l) => l.cert)),
    output: {
      file,
      rootOnly,
      certificates: links.map(linkSummary),
      warning: root
        ? networkRootWarning(root.cert.sha256, root.origin.source === "aia" ? root.origin.url : null)
        : null,
    },
  };
}

/** docs/principles.md: trusting a certificate fetched from the network needs a pinned fingerprint. */
function networkRootWarning(sha256: string, url: string | null): string {
  const from = url ? `was downloaded from ${url}` : "was sent by the server";
  return (
    `The root certificate ${from}: anyone on the network path could have substituted it. ` +
    `Compare its SHA-256 fingerprint ${sha256} with a copy you already trust (your PKI team, the CA's published value) ` +
    "before giving it to `regtrust trust --ca` (or use `regtrust trust --from-server --expect-fingerprint`)."
  );
}
