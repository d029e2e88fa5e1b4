import type { Certificate } from "../pki/certificate.ts";
import { type Target, type TargetJson, targetJson } from "../target/target.ts";
import { type CertificateOrigin, type CertificateView, certificateView } from "./certificate-view.ts";
import { bySeverity, type ChainIssue, hasErrors } from "./chain-issue.ts";
import { type ChainLink, topOf } from "./chain-path.ts";
import type { AiaAttempt, ChainCompletion } from "./complete-chain.ts";

/** `regtrust chain --json`, schemaVersion 1; documented on runChain (src/cli/commands/chain.ts). */
export interface ChainReport {
  schemaVersion: 1;
  target: TargetJson;
  /** No error-level issue: the chain as sent is complete, in order and valid. */
  ok: boolean;
  connection: { address: string | null; protocol: string | null } | null;
  /** Every certificate the server sent, in the order sent (positions 1…n). */
  presented: CertificateView[];
  completion: {
    /** --complete was given. */
    requested: boolean;
    reachedRoot: boolean;
    /** Certificates fetched through AIA and used, in chain order (positions n+1…). */
    fetched: CertificateView[];
    attempts: AiaAttempt[];
  };
  /** Positions of the chain leaf first, each issued by the next (signatures verified). */
  path: number[];
  /** The self-signed certificate at the top of the path, if one was reached. */
  root: { position: number; subject: string; sha256: string; origin: CertificateOrigin } | null;
  issues: ChainIssue[];
  /** What -o wrote; null without -o. */
  output: ChainOutput | null;
  checkedAt: string;
}

export interface ChainOutput {
  /** The file written, or "-" for stdout. */
  file: string;
  rootOnly: boolean;
  certificates: { position: number; subject: string; sha256: string; origin: CertificateOrigin }[];
  /** Set when a self-signed root obtained from the network was written: check it out of band. */
  warning: string | null;
}

export interface ReportInputs {
  target: Target;
  connection: ChainReport["connection"];
  presented: readonly Certificate[];
  completion: ChainCompletion;
  requested: boolean;
  issues: ChainIssue[];
  now: Date;
}

export function buildChainReport(inputs: ReportInputs): ChainReport {
  const { target, completion, now } = inputs;
  const top = completion.path.length > 0 ? topOf(completion.path) : null;
  return {
    schemaVersion: 1,
    target: targetJson(target),
    ok: !hasErrors(inputs.issues),
    connection: inputs.connection,
    presented: inputs.presented.map((cert, i) => certificateView(cert, i + 1, { source: "server" }, now)),
    completion: {
      requested: inputs.requested,
      reachedRoot: completion.reachedRoot,
      fetched: completion.fetched.map((l) => certificateView(l.cert, l.position, l.origin, now)),
      attempts: completion.attempts,
    },
    path: completion.path.map((l) => l.position),
    root: top && completion.reachedRoot ? linkSummary(top) : null,
    issues: bySeverity(inputs.issues),
    output: null,
    checkedAt: now.toISOString(),
  };
}

export function linkSummary(link: ChainLink): ChainOutput["certificates"][number] {
  return {
    position: link.position,
    subject: link.cert.subject,
    sha256: link.cert.sha256,
    origin: link.origin,
  };
}
