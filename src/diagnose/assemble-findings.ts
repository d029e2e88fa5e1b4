import {
  goRefusesCertificateFinding,
  undecodableCertificateVerdict,
} from "../evaluate/certificate-message-findings.ts";
import type { ContextVerdict } from "../evaluate/evaluate-context.ts";
import { explainFailure } from "../evaluate/explain-failure.ts";
import { poolCertificates } from "../evaluate/missing-intermediate.ts";
import { networkVerdict } from "../evaluate/network-findings.ts";
import { registryFindings } from "../evaluate/registry-findings.ts";
import { type Finding, finding } from "../findings/finding.ts";
import type { Certificate } from "../pki/certificate.ts";
import type { ProbeResult } from "../probe/types.ts";
import type { Target } from "../target/target.ts";
import { insecureFindings } from "./insecure-findings.ts";

export interface FindingInputs {
  probe: ProbeResult;
  target: Target;
  presented: Certificate[];
  chainProblem: string | null;
  verdicts: ContextVerdict[];
  configFindings: Finding[];
  now: Date;
  expiringDays: number;
  timeoutMs: number;
  /** Expiry of a `regtrust insecure` override of this registry, from the journal. */
  journalExpiry?: string | null;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** Every finding of one diagnosis, deduplicated across contexts, errors first. */
export function assembleFindings(inputs: FindingInputs): Finding[] {
  const net = networkVerdict(inputs.probe, inputs.timeoutMs);
  const found: Finding[] = [];
  // An undecodable certificate is why the handshake failed (OpenSSL and Go both stop at it), so it comes first.
  if (inputs.chainProblem) {
    const goError = inputs.verdicts.find((v) => v.parseFailure)?.parseFailure?.message;
    found.push(undecodableCertificateVerdict(inputs.chainProblem, goError).finding);
  } else if (net) {
    found.push(net.finding);
  } else {
    found.push(...chainFindings(inputs), ...expiringSoon(inputs.presented, inputs.now, inputs.expiringDays));
    found.push(...registryFindings(inputs.probe, inputs.verdicts));
  }
  const tlsOk = net === null && !inputs.chainProblem && inputs.presented.length > 0;
  found.push(
    ...insecureFindings({
      registry: inputs.target.registry,
      verdicts: inputs.verdicts,
      tlsOk,
      now: inputs.now,
      journalExpiry: inputs.journalExpiry ?? null,
    }),
    ...inputs.configFindings,
  );
  const merged = downgradeSystemOnly(mergeByContext(found), inputs.verdicts);
  return merged.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}

/** Root causes of verification failures, one per distinct cause, listing the contexts it hits. */
function chainFindings(inputs: FindingInputs): Finding[] {
  const out: Finding[] = [];
  const nodeCertificates = poolCertificates(inputs.verdicts.map((v) => v.context.pool));
  for (const verdict of inputs.verdicts) {
    const refused = verdict.parseFailure;
    if (refused) {
      const subject = inputs.presented[refused.index]?.subject ?? null;
      const f = goRefusesCertificateFinding(refused.index, subject, refused.message);
      out.push({ ...f, contexts: [verdict.context.name] });
      continue;
    }
    const result = verdict.verify;
    if (!result || result.ok || verdict.context.insecure) continue;
    out.push({
      ...explainFailure(result.error, inputs.presented, inputs.target, { nodeCertificates }),
      contexts: [verdict.context.name],
    });
  }
  return out;
}

function expiringSoon(presented: Certificate[], now: Date, days: number): Finding[] {
  const horizon = now.getTime() + days * 86_400_000;
  return presented
    .filter((c) => c.notAfter.getTime() > now.getTime() && c.notAfter.getTime() <= horizon)
    .map((c) => {
      const left = Math.floor((c.notAfter.getTime() - now.getTime()) / 86_400_000);
      return finding(
        "expiring-soon",
        "warning",
        `"${c.subject}" expires in ${left} days (${c.notAfter.toISOString()}).`,
        {
          evidence: [`sha256 ${c.sha256}`],
          fix: ["Renew it before it expires; pulls fail on every node at that moment."],
        },
      );
    });
}

/** The same cause in several contexts is one finding naming all of them. */
function mergeByContext(findings: Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    const key = `${f.code}\u0000${f.message}\u0000${f.file ?? ""}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...f });
      continue;
    }
    if (seen.contexts && f.contexts) seen.contexts = [...new Set([...seen.contexts, ...f.contexts])];
    else delete seen.contexts;
  }
  return [...byKey.values()];
}

/**
 * When container runtimes are present, a failure that only the OS store sees
 * does not decide pulls: it is a warning about curl and other OpenSSL/Go
 * clients on the node. The note says what the runtimes do instead — verify
 * through their own CA files, or skip verification altogether.
 */
function downgradeSystemOnly(findings: Finding[], verdicts: ContextVerdict[]): Finding[] {
  const runtimes = verdicts.filter((v) => v.context.name !== "system");
  if (runtimes.length === 0) return findings;
  const note = runtimeNote(runtimes);
  return findings.map((f) =>
    f.severity === "error" && f.contexts?.length === 1 && f.contexts[0] === "system"
      ? { ...f, severity: "warning", message: `${f.message} (OS store only; ${note}.)` }
      : f,
  );
}

function runtimeNote(runtimes: readonly ContextVerdict[]): string {
  const skipping = runtimes.filter((v) => v.context.insecure).map((v) => v.context.name);
  const failing = runtimes
    .filter((v) => !v.context.insecure && v.verify?.ok !== true)
    .map((v) => v.context.name);
  if (skipping.length === 0 && failing.length === 0) return "the container runtimes verify it";
  const parts = [
    skipping.length > 0
      ? `${skipping.join(", ")} skip${skipping.length === 1 ? "s" : ""} verification entirely`
      : "",
    failing.length > 0
      ? `${failing.join(", ")} ${failing.length === 1 ? "has its" : "have their"} own finding`
      : "",
  ].filter(Boolean);
  return parts.join("; ");
}
