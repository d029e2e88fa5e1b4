import type { Clock } from "../core/deps.ts";
import { InputError } from "../core/errors.ts";
import { type ContextVerdict, evaluateContext } from "../evaluate/evaluate-context.ts";
import type { LoadedSource } from "../evaluate/trust-pool.ts";
import { immutableOsFindings } from "../node/immutable-os.ts";
import type { NodeView } from "../node/node-view.ts";
import type { PendingRestart } from "../node/pending-restart.ts";
import type { RuntimeName } from "../node/types.ts";
import type { Certificate } from "../pki/certificate.ts";
import { decodeFailure } from "../pki/decode-failure.ts";
import { parseCertificate } from "../pki/parse-certificate.ts";
import type { Journal } from "../plan/journal.ts";
import { probe as runProbe } from "../probe/probe.ts";
import type { Target } from "../target/target.ts";
import { assembleFindings } from "./assemble-findings.ts";
import { buildContexts } from "./contexts.ts";
import { applyPendingRestarts } from "./pending-findings.ts";
import type { DiagnoseResult } from "./result.ts";
import { toResult } from "./to-result.ts";

export interface DiagnoseOptions {
  /** The node view and the OS store, read once (a scan shares them across targets). */
  node: {
    view: NodeView;
    systemSources: LoadedSource[];
    runtimes: RuntimeName[];
    /** regtrust's journal on the node (insecure expiries, restarts it left to run); null when absent or unreadable. */
    journal?: Journal | null;
    /** Restarts regtrust left to run, judged against the running daemons (node/pending-restart.ts). */
    pendingRestarts?: PendingRestart[];
  };
  timeoutMs: number;
  clock: Clock;
  expiringDays: number;
  /** Injected probe for tests that fake the network; the real one by default. */
  probe?: typeof runProbe;
}

/** target → probe → evaluate per trust context → findings → one typed result. */
export async function diagnose(target: Target, opts: DiagnoseOptions): Promise<DiagnoseResult> {
  const probed = await (opts.probe ?? runProbe)(target, { timeoutMs: opts.timeoutMs });
  const now = opts.clock.now();
  const chain = parseChain(probed.tls?.presented ?? [], target.registry);
  const realm = probed.realm;
  const realmChain = parseChain(
    realm?.tls?.presented ?? [],
    `the token service ${realm?.host}:${realm?.port}`,
  );
  const { contexts, findings: configFindings } = buildContexts(
    opts.node.view,
    target.registry,
    opts.node.runtimes,
    opts.node.systemSources,
    probed.dns.addresses,
  );
  const sent = probed.tls?.presented ?? [];
  const realmSent = realm?.tls?.presented ?? [];
  const verdicts: ContextVerdict[] = contexts.map((context) =>
    evaluateContext(
      context,
      sent.length > 0 ? { presented: chain.certs, presentedDer: sent, target } : null,
      realmSent.length > 0 && probed.realm
        ? { presented: realmChain.certs, presentedDer: realmSent, host: probed.realm.host }
        : null,
      now,
    ),
  );
  const tlsOk = probed.tls?.ok === true && chain.certs.length > 0;
  const findings = assembleFindings({
    probe: probed,
    target,
    presented: chain.certs,
    chainProblem: chain.problem ?? realmChain.problem,
    verdicts,
    configFindings: [...configFindings, ...immutableOsFindings(opts.node.view.distro, target.registry)],
    now,
    expiringDays: opts.expiringDays,
    timeoutMs: opts.timeoutMs,
    journalExpiry: insecureExpiry(opts.node.journal ?? null, target.registry),
  });
  const result = toResult({
    target,
    probe: probed,
    presented: chain.certs,
    chainProblem: chain.problem,
    verdicts,
    findings,
    tlsOk,
    now,
  });
  applyPendingRestarts(result, opts.node.pendingRestarts ?? []);
  return result;
}

/** Certificates exactly as sent; one that does not decode is reported, never thrown. */
function parseChain(
  ders: readonly Uint8Array[],
  sender: string,
): { certs: Certificate[]; problem: string | null } {
  const certs: Certificate[] = [];
  for (const [index, der] of ders.entries()) {
    let why: string | null;
    let cert: Certificate | null = null;
    try {
      cert = parseCertificate(der);
      // Names and verifier data decode lazily: force them here, so a hostile
      // certificate is a finding now rather than an exception later.
      why = decodeFailure(cert);
    } catch (error) {
      why = error instanceof InputError ? error.message : String(error);
    }
    if (why !== null || cert === null) {
      return { certs, problem: `certificate #${index + 1} sent by ${sender} does not decode: ${why}` };
    }
    certs.push(cert);
  }
  return { certs, problem: null };
}

/** The expiry of the newest `regtrust insecure` record for the registry (daemon.json cannot carry a marker). */
function insecureExpiry(journal: Journal | null, registry: string): string | null {
  const records = journal?.records.filter((r) => r.action === "insecure" && r.target === registry) ?? [];
  return records.at(-1)?.meta.expiresAt ?? null;
}
