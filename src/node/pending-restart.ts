import { lstatSync } from "node:fs";
import { join } from "node:path";
import type { Journal, PendingRestartRecord } from "../plan/journal.ts";
import { type RuntimeProcess, readRuntimeProcesses } from "./runtime-processes.ts";
import type { RuntimeName } from "./types.ts";

/**
 * A change regtrust made that the runtime only picks up when restarted
 * (containerd's config.toml, k3s's registries.yaml, dockerd's daemon.json on
 * reload), and that regtrust did not restart. It is node state: it stays in
 * the journal until a regtrust run restarts the unit, and every command
 * reports it while the running daemon predates the change.
 *
 * Whether the daemon restarted since is read from /proc under the root
 * (start time of the runtime's process against the time of the change;
 * containerd is matched by its --config). Without /proc the restart is
 * "unconfirmed": regtrust cannot tell, and says so.
 */
export interface PendingRestart {
  context: RuntimeName;
  unit: string;
  argv: string[];
  reason: string;
  /** When regtrust made the change (ISO-8601). */
  since: string;
  target: string;
  files: string[];
  /** pending: the running daemon started before the change; unconfirmed: regtrust cannot see the daemon. */
  status: "pending" | "unconfirmed";
  process: { pid: number; startedAt: string } | null;
}

/** Files a runtime reads only at start (or reload): what a restart is for. */
const RESTART_FILES =
  /\/(config\.toml|registries\.yaml|daemon\.json|registries\.conf)$|\/registries\.conf\.d\//;

export function isRestartFile(path: string): boolean {
  return RESTART_FILES.test(path);
}

/** The files of a run that need the restart; all of them when none is recognised. */
export function restartFiles(files: readonly string[]): string[] {
  const needing = files.filter(isRestartFile);
  return needing.length > 0 ? needing : [...files];
}

/** systemd unit → trust context (unit names regtrust plans: plan-trust.ts of each runtime). */
const UNIT_CONTEXT: Readonly<Record<string, RuntimeName>> = {
  containerd: "containerd",
  docker: "docker",
  crio: "crio",
  k3s: "k3s",
  "k3s-agent": "k3s",
  "rke2-server": "rke2",
  "rke2-agent": "rke2",
};

export function contextOfUnit(unit: string): RuntimeName | null {
  return UNIT_CONTEXT[unit] ?? null;
}

export interface PendingRestartInput {
  /** Host path of the node root. */
  root: string;
  journal: Journal | null;
  /** Node path of containerd's config.toml, to tell this node's containerd from others on the host. */
  containerdConfig: string;
  /** Host path of the node's /proc; default `<root>/proc`. */
  procRoot?: string;
}

export function pendingRestarts(input: PendingRestartInput): PendingRestart[] {
  const records = input.journal?.restarts ?? [];
  if (records.length === 0) return [];
  const processes = readRuntimeProcesses(input.procRoot ?? join(input.root, "proc"));
  const out: PendingRestart[] = [];
  for (const record of records) {
    const context = UNIT_CONTEXT[record.unit];
    if (!context) continue;
    const judged = judge(record, context, processes, input);
    if (judged) out.push(judged);
  }
  return out;
}

function judge(
  record: PendingRestartRecord,
  context: RuntimeName,
  processes: RuntimeProcess[] | null,
  input: PendingRestartInput,
): PendingRestart | null {
  const base = {
    context,
    unit: record.unit,
    argv: record.argv,
    reason: record.reason,
    since: record.since,
    target: record.target,
    files: record.files,
  };
  if (processes === null) return { ...base, status: "unconfirmed", process: null };
  const mine = processes.filter((p) => p.runtime === context && belongsToNode(p, context, input));
  // Not running: it reads the new configuration when it starts.
  if (mine.length === 0) return null;
  // A reload (SIGHUP) keeps the process and its start time: /proc cannot show it happened.
  if (record.argv[1] === "reload") return { ...base, status: "unconfirmed", process: null };
  const since = changedAt(record, input.root);
  const stale = mine.filter((p) => p.startedAt.getTime() < since);
  if (stale.length < mine.length) return null;
  const oldest = stale[0] as RuntimeProcess;
  return {
    ...base,
    status: "pending",
    process: { pid: oldest.pid, startedAt: oldest.startedAt.toISOString() },
  };
}

/**
 * When the configuration last changed: regtrust's change, or a later edit of
 * the same file (its mtime), whichever is newer.
 */
function changedAt(record: PendingRestartRecord, root: string): number {
  let newest = Date.parse(record.since);
  for (const file of restartFiles(record.files)) {
    try {
      newest = Math.max(newest, lstatSync(join(root, file)).mtimeMs);
    } catch {
      // Gone since: regtrust's own time stands.
    }
  }
  return newest;
}

/** containerd reads /etc/containerd/config.toml unless told otherwise; a daemon with another config is not this node's. */
function belongsToNode(p: RuntimeProcess, context: RuntimeName, input: PendingRestartInput): boolean {
  if (context !== "containerd") return true;
  const config = p.configArg ?? "/etc/containerd/config.toml";
  return config === input.containerdConfig || config === join(input.root, input.containerdConfig);
}
