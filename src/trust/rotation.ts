import type { ReplaceScope } from "../node/ca-install.ts";
import { HostFs } from "../node/host-fs.ts";
import type { Certificate } from "../pki/certificate.ts";
import { readJournalAt } from "../plan/journal-store.ts";
import { type InstalledAnchors, installedAnchors } from "./installed-anchors.ts";
import type { RotationSummary } from "./report.ts";

/** What regtrust installed for the registry on the node at `root` (an absent journal = nothing). */
export async function readInstalledAnchors(root: string, registry: string): Promise<InstalledAnchors> {
  const journal = await readJournalAt(root);
  return installedAnchors(journal, registry, new HostFs(root));
}

export function replaceScope(installed: InstalledAnchors): ReplaceScope {
  return { ownedFiles: installed.ownedFiles, ever: installed.ever };
}

export function rotationSummary(
  mode: RotationSummary["mode"],
  before: readonly Certificate[],
  after: readonly Certificate[],
  notInstalled: readonly Certificate[] = [],
): RotationSummary {
  const b = before.map((c) => c.sha256);
  const a = after.map((c) => c.sha256);
  return {
    mode,
    before: b,
    after: a,
    added: a.filter((s) => !b.includes(s)),
    removed: b.filter((s) => !a.includes(s)),
    notInstalled: notInstalled.map((c) => c.sha256),
  };
}

/** The same anchors, order aside. */
export function sameAnchorSet(a: readonly Certificate[], b: readonly Certificate[]): boolean {
  const x = new Set(a.map((c) => c.sha256));
  const y = new Set(b.map((c) => c.sha256));
  return x.size === y.size && [...x].every((s) => y.has(s));
}
