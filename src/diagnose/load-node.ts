import { assertRootDir } from "../core/root-dir.ts";
import { HostFs } from "../node/host-fs.ts";
import type { NodeView } from "../node/node-view.ts";
import { readNodeView } from "../node/node-view.ts";
import { pendingRestarts } from "../node/pending-restart.ts";
import type { RuntimeName } from "../node/types.ts";
import { prepareYamlFor } from "../node/yaml-parser.ts";
import { readJournalAt } from "../plan/journal-store.ts";
import { loadSystemSources } from "./contexts.ts";
import type { DiagnoseOptions } from "./diagnose.ts";

/**
 * Reads the node under `root` once: its runtimes (detected, or the ones the
 * user named) and its OS trust store, parsed. Shared by every target of a run.
 */
export async function loadNode(
  root: string,
  runtimes: RuntimeName[] | undefined,
): Promise<DiagnoseOptions["node"]> {
  assertRootDir(root);
  const fs = new HostFs(root);
  await prepareYamlFor(fs, runtimes);
  const view = readNodeView(fs, runtimes ? { runtimes } : {});
  // An unreadable journal is reported by the commands that write it; reading is best effort here.
  const journal = await readJournalAt(root).catch(() => null);
  const containerdConfig = safeConfigPath(view);
  return {
    view,
    systemSources: loadSystemSources(view.system),
    runtimes: runtimes ?? view.runtimes.map((r) => r.name),
    journal,
    pendingRestarts: pendingRestarts({ root: fs.root, journal, containerdConfig }),
  };
}

function safeConfigPath(view: NodeView): string {
  try {
    return view.containerdConfig().path;
  } catch {
    return "/etc/containerd/config.toml";
  }
}
