import type { ContextPlan, TrustChange } from "../node/ca-install.ts";
import type { HostFs } from "../node/host-fs.ts";
import type { ContextName } from "../node/types.ts";
import { deleteFile, sha256Hex } from "../plan/plan.ts";
import { contextOfPath } from "./run-untrust.ts";

/**
 * `--replace`, the part every runtime shares: each CA file regtrust owns for
 * the registry (trust/installed-anchors.ts) that no planner rewrites now
 * holds only retired anchors, so it is deleted in the plan of its context.
 * Contexts left out with --runtime keep theirs. The delete is guarded by the
 * file's current hash, and recorded in the journal like any change, so
 * `untrust` puts it back exactly.
 */
export function withRetiredFilesDeleted(
  fs: HostFs,
  plans: ContextPlan[],
  change: TrustChange,
  systemAnchorDir: string | null,
): ContextPlan[] {
  if (change.kind !== "trust" || !change.replace) return plans;
  const written = new Set(plans.flatMap((p) => p.plan.changes.map((c) => c.path)));
  const retired = change.replace.ownedFiles.filter((path) => !written.has(path));
  for (const path of retired) {
    const plan = plans.find((p) => p.refusal === null && p.context === contextFor(path, systemAnchorDir));
    const bytes = fs.readFile(path);
    if (!plan || bytes === null) continue;
    plan.plan.changes.push({
      ...deleteFile(
        path,
        `a CA regtrust installed for ${plan.plan.target} that the new bundle no longer holds`,
      ),
      expectSha256: sha256Hex(bytes),
    });
  }
  return plans;
}

/** The OS store's anchor directory is "system"; any other path contextOfPath cannot place is containerd's certs.d. */
function contextFor(path: string, systemAnchorDir: string | null): ContextName {
  const context = contextOfPath(path);
  if (context !== "system") return context;
  return systemAnchorDir !== null && path.startsWith(`${systemAnchorDir}/`) ? "system" : "containerd";
}
