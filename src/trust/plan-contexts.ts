import { UsageError } from "../core/errors.ts";
import { type ContextPlan, type NodeChange, nodeAction, type TrustChange } from "../node/ca-install.ts";
import { planContainerdTrust } from "../node/containerd/plan-trust.ts";
import { readContainerdVersion } from "../node/containerd/version.ts";
import { planContainersTrust } from "../node/containers/plan-trust.ts";
import { planDockerTrust } from "../node/docker/plan-trust.ts";
import type { HostFs } from "../node/host-fs.ts";
import { planK3sTrust } from "../node/k3s/plan-trust.ts";
import type { NodeView } from "../node/node-view.ts";
import { planSystemStoreTrust } from "../node/system/system-store-plan.ts";
import { RUNTIME_NAMES, type RuntimeName } from "../node/types.ts";
import { combinePlans, type FileChange, type Plan, sha256Hex } from "../plan/plan.ts";
import { META_ANCHORS, META_REPLACE } from "./installed-anchors.ts";
import { withRetiredFilesDeleted } from "./retire-files.ts";

/** The trust contexts one run changes: the OS store and/or some runtimes. */
export interface TargetContexts {
  system: boolean;
  runtimes: RuntimeName[];
}

/**
 * `--runtime containerd,system` names them exactly; without it, the OS store
 * and every runtime detected under the root (docs/principles.md "Common flags").
 */
export function targetContexts(runtimeFlag: string | undefined, view: NodeView): TargetContexts {
  if (runtimeFlag === undefined) return { system: true, runtimes: view.runtimes.map((r) => r.name) };
  const names = runtimeFlag
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const name of names) {
    if (name !== "system" && !RUNTIME_NAMES.includes(name as RuntimeName)) {
      throw new UsageError(
        `unknown runtime "${name}" in --runtime (known: system, ${RUNTIME_NAMES.join(", ")})`,
      );
    }
  }
  if (names.length === 0) throw new UsageError("--runtime lists no runtime");
  return {
    system: names.includes("system"),
    runtimes: [...new Set(names.filter((n): n is RuntimeName => n !== "system"))],
  };
}

/** One plan per targeted context, from the node as read now. */
export function planContexts(
  fs: HostFs,
  view: NodeView,
  targets: TargetContexts,
  registry: string,
  change: TrustChange,
): ContextPlan[] {
  const plans: ContextPlan[] = [];
  // The OS store has no "skip verification" form; insecure changes the runtimes only.
  if (targets.system && change.kind === "trust")
    plans.push(planSystemStoreTrust(view.system, registry, change.ca, change.replace !== undefined));
  for (const runtime of targets.runtimes) {
    switch (runtime) {
      case "containerd":
        plans.push(
          planContainerdTrust({
            fs,
            config: view.containerdConfig(),
            version: readContainerdVersion(fs),
            registry,
            change,
          }),
        );
        break;
      case "docker":
        plans.push(planDockerTrust(fs, registry, change));
        break;
      case "crio":
        plans.push(planContainersTrust(fs, registry, change));
        break;
      case "k3s":
      case "rke2":
        plans.push(planK3sTrust(fs, runtime, registry, change));
        break;
    }
  }
  return withRetiredFilesDeleted(fs, plans, change, view.system.anchorDir);
}

/**
 * One plan for the run. Two contexts may plan the very same file (Docker's
 * certs.d is also where containers/image looks when it has no directory of
 * its own): identical writes are kept once.
 */
export function combineContextPlans(
  registry: string,
  change: NodeChange,
  plans: readonly ContextPlan[],
): Plan {
  const seen = new Map<string, string>();
  const parts = plans.map((p) => ({
    ...p.plan,
    changes: p.plan.changes.filter((c) => {
      const key = changeKey(c);
      if (seen.get(c.path) === key) return false;
      seen.set(c.path, key);
      return true;
    }),
  }));
  const combined = combinePlans(registry, nodeAction(change), parts);
  if (change.kind === "insecure") combined.meta = { expiresAt: change.expiresAt.toISOString() };
  // The anchors this run installs, so the journal says exactly what regtrust holds (installed-anchors.ts).
  if (change.kind === "trust") {
    combined.meta = {
      [META_ANCHORS]: change.ca.certs.map((c) => c.sha256).join(","),
      ...(change.replace ? { [META_REPLACE]: "true" } : {}),
    };
  }
  return combined;
}

function changeKey(change: FileChange): string {
  return change.kind === "write" ? `write ${sha256Hex(change.content)} ${change.shared ?? ""}` : change.kind;
}
