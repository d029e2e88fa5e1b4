import { buildContexts } from "../diagnose/contexts.ts";
import { isBuiltInOverride } from "../diagnose/insecure-findings.ts";
import { loadNode } from "../diagnose/load-node.ts";
import { evaluateContext } from "../evaluate/evaluate-context.ts";
import type { Certificate } from "../pki/certificate.ts";
import { parseCertificate } from "../pki/parse-certificate.ts";
import { type ActionDeps, type ActionResult, applyChange } from "./apply-change.ts";
import { targetContexts } from "./plan-contexts.ts";
import type { TrustRequest } from "./run-trust.ts";

/**
 * `regtrust trust <target> --remove-insecure` without --ca: the CA is already
 * trusted, only the override goes. Pre-flight first: every runtime that
 * skips verification must verify the chain the registry sends *without* the
 * override (Go's rules, its own pool), otherwise removing it would break pulls
 * and the run is refused with nothing written (give --ca to install the CA in
 * the same run).
 */
export async function removeOverridesOnly(
  req: TrustRequest,
  deps: ActionDeps,
  expiredRemoved: string[],
): Promise<ActionResult> {
  const registry = req.target.registry;
  const refuse = (message: string): ActionResult => ({
    exitCode: 1,
    report: null,
    message,
    target: registry,
    dryRun: req.dryRun,
  });
  const node = await loadNode(req.root, undefined);
  const targets = targetContexts(req.runtimeFlag, node.view);
  const probed = await deps.probe(req.target, { timeoutMs: req.timeoutMs });
  const presented = parseAll(probed.tls?.presented ?? []);
  const { contexts } = buildContexts(node.view, registry, targets.runtimes, node.systemSources);
  const now = deps.clock.now();
  const problems: string[] = [];
  for (const context of contexts) {
    if (!context.insecure || isBuiltInOverride(context.insecure)) continue;
    if (presented.length === 0) {
      problems.push(
        `${context.name}: ${registry} sent no certificate, so regtrust cannot check the chain verifies without ${context.insecure.setting}`,
      );
      continue;
    }
    const presentedDer = probed.tls?.presented ?? [];
    const verdict = evaluateContext(context, { presented, presentedDer, target: req.target }, null, now);
    if (verdict.verify && !verdict.verify.ok)
      problems.push(
        `${context.name} would fail without ${context.insecure.setting}: ${verdict.verify.error.message}`,
      );
  }
  if (problems.length > 0) {
    return refuse(
      `removing the override would break pulls; nothing was changed:\n  ${problems.join("\n  ")}\n` +
        `Install the CA in the same run: regtrust trust ${registry} --ca <root.pem> --remove-insecure`,
    );
  }
  return applyChange(
    {
      target: req.target,
      root: req.root,
      runtimeFlag: req.runtimeFlag,
      change: { kind: "remove-insecure" },
      removeInsecure: true,
      dryRun: req.dryRun,
      restart: req.restart,
      timeoutMs: req.timeoutMs,
      header: { ca: null, expiresAt: null, expiredRemoved, notes: [] },
    },
    deps,
  );
}

function parseAll(ders: readonly Uint8Array[]): Certificate[] {
  try {
    return ders.map((der) => parseCertificate(der));
  } catch {
    return [];
  }
}
