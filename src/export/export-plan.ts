import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { UsageError } from "../core/errors.ts";
import { type ContextPlan, caBundle } from "../node/ca-install.ts";
import { HostFs } from "../node/host-fs.ts";
import { readNodeView } from "../node/node-view.ts";
import { assertRegistryName } from "../node/registry-name.ts";
import type { Certificate } from "../pki/certificate.ts";
import type { FileChange, Plan, PlanCommand } from "../plan/plan.ts";
import { combineContextPlans, planContexts, targetContexts } from "../trust/plan-contexts.ts";

/** The distributions `--distro` accepts: os-release IDs the trust-store table knows. */
export const EXPORT_DISTROS = [
  "debian",
  "ubuntu",
  "rhel",
  "fedora",
  "amzn",
  "sles",
  "alpine",
  "arch",
] as const;
export type ExportDistro = (typeof EXPORT_DISTROS)[number];

/**
 * Where each family keeps extra anchors (system-store.ts picks by family; the
 * directory only has to exist on the synthetic node so the planner sees a
 * usable store).
 */
const ANCHOR_DIRS = [
  "/usr/local/share/ca-certificates",
  "/etc/pki/ca-trust/source/anchors",
  "/etc/pki/trust/anchors",
  "/etc/ca-certificates/trust-source/anchors",
];

/**
 * containerd's packaged default before anyone set config_path: version 2, no
 * registry table. Planning against it yields the config_path edit exactly as
 * `regtrust trust` plans it on a fresh node.
 */
export const FRESH_CONTAINERD_CONFIG = "version = 2\n";

export interface ExportPlan {
  plan: Plan;
  /** Content each changed file had on the synthetic node (null = absent): what an edit was computed from. */
  before: Map<string, string | null>;
  /** The plan commands a change of each path makes necessary (see commandsTriggeredBy). */
  triggers: Map<string, PlanCommand[]>;
}

/**
 * The plan `regtrust trust` would make on a fresh node of `distro` with the
 * given runtimes, from the same planners (trust/plan-contexts.ts), run
 * against a throwaway node tree that is removed afterwards. Refusals (a
 * distro without a known store) are UsageErrors: nothing would be exported.
 */
export function planForExport(
  registry: string,
  certs: readonly Certificate[],
  runtimeFlag: string | undefined,
  distro: string,
): ExportPlan {
  assertRegistryName(registry);
  const id = checkDistro(distro);
  const root = mkdtempSync(join(tmpdir(), "regtrust-export-"));
  try {
    writeNodeFile(root, "/etc/os-release", `ID=${id}\nPRETTY_NAME="${id} (regtrust export)"\n`);
    for (const dir of ANCHOR_DIRS) mkdirSync(join(root, dir), { recursive: true });
    writeNodeFile(root, "/etc/containerd/config.toml", FRESH_CONTAINERD_CONFIG);
    const fs = new HostFs(root);
    const view = readNodeView(fs);
    const targets = targetContexts(runtimeFlag ?? "containerd,system", view);
    const change = { kind: "trust" as const, ca: caBundle(certs) };
    const contextPlans = planContexts(fs, view, targets, registry, change);
    const refused = contextPlans.filter((p) => p.refusal !== null);
    if (refused.length > 0) {
      throw new UsageError(refused.map((p) => `${p.context}: ${p.refusal!.reason}`).join("; "));
    }
    const plan = combineContextPlans(registry, change, contextPlans);
    const before = new Map<string, string | null>();
    for (const c of plan.changes) before.set(c.path, fs.readText(c.path));
    return { plan, before, triggers: triggersOf(contextPlans) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Which commands a changed file calls for, so handlers run only when needed:
 * a context's refresh follows any of its files; its restart follows only the
 * files it edits but does not own (containerd's config.toml, k3s's
 * registries.yaml) — the CA files and hosts.toml are re-read on every pull
 * (plan-trust.ts of each runtime gives the reasons).
 */
function triggersOf(contextPlans: readonly ContextPlan[]): Map<string, PlanCommand[]> {
  const triggers = new Map<string, PlanCommand[]>();
  for (const { plan } of contextPlans) {
    for (const change of plan.changes) {
      const needed = plan.commands.filter((c) => c.kind === "refresh" || isEdit(change));
      triggers.set(change.path, [...(triggers.get(change.path) ?? []), ...needed]);
    }
  }
  return triggers;
}

function isEdit(change: FileChange): boolean {
  return change.kind === "write" && change.owner === "edit";
}

function checkDistro(distro: string): ExportDistro {
  if ((EXPORT_DISTROS as readonly string[]).includes(distro)) return distro as ExportDistro;
  throw new UsageError(`unknown --distro "${distro}" (known: ${EXPORT_DISTROS.join(", ")})`);
}

function writeNodeFile(root: string, nodePath: string, content: string): void {
  const host = join(root, nodePath);
  mkdirSync(dirname(host), { recursive: true });
  writeFileSync(host, content);
}
