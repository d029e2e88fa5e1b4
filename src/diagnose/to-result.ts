import { undecodableCertificateVerdict } from "../evaluate/certificate-message-findings.ts";
import type { ContextVerdict } from "../evaluate/evaluate-context.ts";
import { contextOk, type ParseFailure } from "../evaluate/evaluate-context.ts";
import { networkVerdict } from "../evaluate/network-findings.ts";
import { sourceOf } from "../evaluate/trust-pool.ts";
import type { Finding } from "../findings/finding.ts";
import type { Certificate } from "../pki/certificate.ts";
import { type GoRules, type GoToolchainSource, tlsErrorText } from "../pki/go-rules.ts";
import type { ProbeResult } from "../probe/types.ts";
import { type Target, targetJson } from "../target/target.ts";
import type { ContextGo, ContextResult, DiagnoseResult, PresentedCertificate } from "./result.ts";

export interface ResultInputs {
  target: Target;
  probe: ProbeResult;
  presented: Certificate[];
  /** Why a certificate the registry sent does not decode; the handshake failed on it. */
  chainProblem?: string | null;
  verdicts: ContextVerdict[];
  findings: Finding[];
  tlsOk: boolean;
  now: Date;
}

/** Shapes the evaluation into the `diagnose --json` contract (docs/schema/diagnose.schema.json, schemaVersion 1). */
export function toResult(inputs: ResultInputs): DiagnoseResult {
  const { target, probe } = inputs;
  const goError = inputs.verdicts.find((v) => v.parseFailure)?.parseFailure?.message;
  const transport = inputs.chainProblem
    ? undecodableCertificateVerdict(inputs.chainProblem, goError)
    : networkVerdict(probe, 0);
  const transportError = transport?.runtimeError ?? (inputs.tlsOk ? null : "no certificate received");
  const contexts = inputs.verdicts.map((v) => contextResult(v, inputs.tlsOk, transportError));
  const deciding = contexts.length > 1 ? contexts.filter((c) => c.name !== "system") : contexts;
  const ok = deciding.every((c) => c.ok) && !inputs.findings.some((f) => f.severity === "error");
  return {
    schemaVersion: 1,
    target: targetJson(target),
    ok,
    presented: inputs.presented.map(presentedCertificate),
    contexts,
    registry: probe.registry
      ? {
          status: probe.registry.status,
          apiVersion: probe.registry.apiVersion,
          // Only a Bearer challenge names a token service; a Basic realm is just a label.
          authRealm:
            probe.registry.challenge?.scheme.toLowerCase() === "bearer"
              ? (probe.registry.challenge.realm ?? null)
              : null,
        }
      : null,
    findings: inputs.findings,
    connection: probe.tcp
      ? {
          address: probe.tcp.address,
          protocol: probe.tls?.protocol ?? null,
          durationMs: Math.round(probe.durationMs),
        }
      : null,
    checkedAt: inputs.now.toISOString(),
  };
}

function contextResult(
  verdict: ContextVerdict,
  tlsOk: boolean,
  transportError: string | null,
): ContextResult {
  const { context } = verdict;
  // Config the runtime cannot load (a client pair, a host directory that is a file) fails every pull before any TLS.
  const configError = context.view?.resolved?.error ?? null;
  const ok = configError === null && contextOk(verdict, tlsOk);
  const { rules } = context;
  const parsed = (f: ParseFailure) => tlsErrorText(rules, { kind: "parse-failure", message: f.message });
  let error: string | null = null;
  if (configError !== null) error = configError;
  else if (verdict.parseFailure) error = parsed(verdict.parseFailure);
  else if (!tlsOk) error = transportError;
  else if (!context.insecure && verdict.verify && !verdict.verify.ok) {
    error = tlsErrorText(rules, verdict.verify.error);
  } else if (verdict.realmParseFailure) {
    error = `failed to fetch anonymous token: ${parsed(verdict.realmParseFailure)}`;
  } else if (!context.insecure && verdict.realmVerify && !verdict.realmVerify.ok) {
    error = `failed to fetch anonymous token: ${tlsErrorText(rules, verdict.realmVerify.error)}`;
  }
  return {
    name: context.name,
    ok,
    anchors: anchorsOf(verdict),
    insecure: context.insecure !== null,
    ...(context.insecure?.expiresAt ? { insecureExpiresAt: context.insecure.expiresAt } : {}),
    error,
    ...(context.view ? { summary: context.view.summary } : {}),
    ...(context.view?.mirrors ? { mirrors: context.view.mirrors } : {}),
    ...(context.view?.resolved ? { resolved: context.view.resolved } : {}),
    go: goJson(context.go, rules),
  };
}

/** Which Go's rules produced `error`, and how regtrust knows (additive to schemaVersion 1). */
function goJson(go: GoToolchainSource, rules: GoRules): ContextGo {
  return {
    version: go.version,
    defaultGodebug: go.defaultGodebug,
    source: go.source,
    assumed: go.assumed,
    rules: {
      verifyErrorPrefix: rules.verifyErrorPrefix,
      sha1GodebugHint: rules.sha1GodebugHint,
      rejectsNegativeSerial: rules.rejectsNegativeSerial,
      rsaMinimumBits: rules.rsaMinimumBits,
    },
  };
}

/** The file that anchored the verified chain; otherwise the files this context trusts for the registry. */
function anchorsOf(verdict: ContextVerdict): string[] {
  const { pool, view } = verdict.context;
  if (verdict.verify?.ok) {
    const chain = verdict.verify.chains[0] ?? [];
    const anchor = chain[chain.length - 1];
    const file = anchor ? sourceOf(pool, anchor) : null;
    if (file) return [file];
  }
  // A configured CA file that cannot be read anchors nothing; its finding names it.
  const specific = view ? view.caFiles.filter((s) => s.bytes !== null).map((s) => s.path) : [];
  const systemFile = pool.sources.find((s) => s.source.origin.startsWith("system"))?.source.path;
  return [...specific, ...(systemFile && (view === null || view.usesSystemRoots) ? [systemFile] : [])];
}

function presentedCertificate(c: Certificate): PresentedCertificate {
  return {
    subject: c.subject,
    issuer: c.issuer,
    serial: c.serial,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    sans: [...c.sans.dns, ...c.sans.ip],
    isCA: c.isCA,
    selfSigned: c.selfSigned,
    sha256: c.sha256,
  };
}
