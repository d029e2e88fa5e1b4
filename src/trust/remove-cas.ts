import { DEFAULT_TIMEOUT_MS } from "../cli/common-options.ts";
import { caBundle } from "../node/ca-install.ts";
import type { Certificate } from "../pki/certificate.ts";
import type { Target } from "../target/target.ts";
import { type ActionDeps, type ActionResult, applyChange } from "./apply-change.ts";
import type { InstalledAnchors } from "./installed-anchors.ts";
import { type RotationSummary, type TrustReport, unchangedUntrustReport } from "./report.ts";
import { readInstalledAnchors, replaceScope, rotationSummary } from "./rotation.ts";

export interface RemoveCasRequest {
  target: Target;
  root: string;
  caFile: string;
  /** The certificates in caFile, already read (bad input is refused before anything changes). */
  removing: Certificate[];
  dryRun: boolean;
  restart: boolean;
  expiredRemoved: string[];
}

/**
 * `regtrust untrust <registry> --ca old.pem`: the CAs in the file leave the
 * set regtrust installed for the registry; the others stay. Planned as a
 * `--replace` to the remaining set (trust/rotation.ts), so every runtime
 * context and the OS store lose exactly those anchors, through the journal
 * like any change. `removeAll` when nothing remains: the caller then removes
 * everything regtrust installed (plain untrust). No pre-flight against the
 * registry: retiring a compromised root must work even while the server
 * still uses it; the verification after applying says whether it still
 * verifies.
 */
export async function removeCas(
  req: RemoveCasRequest,
  deps: ActionDeps,
): Promise<ActionResult | { removeAll: RotationSummary }> {
  const registry = req.target.registry;
  const removing = req.removing;
  const installed = await readInstalledAnchors(req.root, registry);
  const hit = (c: Certificate) => removing.some((r) => r.sha256 === c.sha256);
  const notInstalled = removing.filter((r) => !installed.current.some((c) => c.sha256 === r.sha256));
  const remaining = installed.current.filter((c) => !hit(c));
  if (remaining.length === installed.current.length) return nothingToRemove(req, installed, notInstalled);
  if (remaining.length === 0)
    return { removeAll: rotationSummary("remove", installed.current, [], notInstalled) };
  const rotation = rotationSummary("remove", installed.current, remaining, notInstalled);
  const result = await applyChange(
    {
      target: req.target,
      root: req.root,
      runtimeFlag: undefined,
      change: { kind: "trust", ca: caBundle(remaining), replace: replaceScope(installed) },
      dryRun: req.dryRun,
      restart: req.restart,
      timeoutMs: DEFAULT_TIMEOUT_MS,
      header: {
        ca: {
          source: `the CAs regtrust installed for ${registry}, without ${req.caFile}`,
          certificates: summary(remaining),
        },
        expiresAt: null,
        expiredRemoved: req.expiredRemoved,
        notes: notInstalledNotes(notInstalled, registry),
        rotation,
      },
    },
    deps,
  );
  if (result.report) result.report.action = "untrust";
  return result;
}

/** Exit 0, nothing changed: the file names no CA regtrust installed for the registry. */
function nothingToRemove(
  req: RemoveCasRequest,
  installed: InstalledAnchors,
  notInstalled: readonly Certificate[],
): ActionResult {
  const registry = req.target.registry;
  const report: TrustReport = {
    ...unchangedUntrustReport(registry, {
      dryRun: req.dryRun,
      expiredRemoved: req.expiredRemoved,
      notes: [
        ...notInstalledNotes(notInstalled, registry),
        installed.current.length === 0
          ? `regtrust has installed no CA for ${registry} on this node; nothing was changed`
          : `nothing was changed; regtrust has installed for ${registry}: ${installed.current.map((c) => `${c.subject} (SHA-256 ${c.sha256})`).join(", ")}`,
      ],
    }),
    rotation: rotationSummary("remove", installed.current, installed.current, notInstalled),
  };
  return { exitCode: 0, report };
}

function notInstalledNotes(certs: readonly Certificate[], registry: string): string[] {
  return certs.map(
    (c) =>
      `${c.subject} (SHA-256 ${c.sha256}) was not installed by regtrust for ${registry}; left alone (remove it by hand if another tool installed it)`,
  );
}

function summary(certs: readonly Certificate[]) {
  return certs.map((c) => ({ subject: c.subject, sha256: c.sha256, notAfter: c.notAfter.toISOString() }));
}
