import {
  goRefusesCertificateFinding,
  undecodableCertificateVerdict,
} from "../evaluate/certificate-message-findings.ts";
import type { ContextVerdict } from "../evaluate/evaluate-context.ts";
import { explainFailure } from "../evaluate/explain-failure.ts";
import { networkVerdict } from "../evaluate/network-findings.ts";
import { registryFindings } from "../evaluate/registry-findings.ts";
import { type Finding, finding } from "../findings/finding.ts";
import type { Certificate } from "../pki/certificate.ts";
import type { ProbeResult } from "../probe/types.ts";
import type { Target } from "../target/target.ts";

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
  found.push(...insecureFindings(inputs), ...inputs.configFindings);
  const merged = downgradeSystemOnly(mergeByContext(found), inputs.verdicts);
  return merged.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}

/** Root causes of verification failures, one per distinct cause, listing the contexts it hits. */
function chainFindings(inputs: FindingInputs): Finding[] {
  const out: Finding[] = [];
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
      ...explainFailure(result.error, inputs.presented, inputs.target),
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

function insecureFindings(inputs: FindingInputs): Finding[] {
  const out: Finding[] = [];
  for (const verdict of inputs.verdicts) {
    const setting = verdict.context.insecure;
    if (!setting) continue;
    const name = verdict.context.name;
    const without = verdict.verify?.ok
      ? "The chain verifies without it: remove it."
      : verdict.verify
        ? `Without it the pull would fail: ${verdict.verify.error.message}`
        : "";
    const expiry = setting.expiresAt
      ? ` It was set by regtrust insecure and expires at ${setting.expiresAt}.`
      : "";
    out.push(
      finding(
        "insecure-skip-verify",
        "warning",
        `${name} skips certificate verification for ${inputs.target.registry} (${setting.setting}): pulls work, but anyone on the path can impersonate the registry.${expiry}`,
        {
          contexts: [name],
          file: setting.file,
          ...(setting.line ? { line: setting.line } : {}),
          evidence: [without].filter(Boolean),
          fix: [
            `regtrust untrust ${inputs.target.registry}   # or remove ${setting.setting} from ${setting.file}, after trusting the CA`,
          ],
        },
      ),
    );
  }
  return out;
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
 * (the runtimes trust the CA through their own files) does not stop pulls:
 * it is a warning about curl and other OpenSSL/Go clients on the node.
 */
function downgradeSystemOnly(findings: Finding[], verdicts: ContextVerdict[]): Finding[] {
  const hasRuntimes = verdicts.some((v) => v.context.name !== "system");
  if (!hasRuntimes) return findings;
  return findings.map((f) =>
    f.severity === "error" && f.contexts?.length === 1 && f.contexts[0] === "system"
      ? {
          ...f,
          severity: "warning",
          message: `${f.message} (OS store only; the container runtimes verify it.)`,
        }
      : f,
  );
}
