import { type Finding, finding } from "../findings/finding.ts";
import { type PendingRestart, restartFiles } from "../node/pending-restart.ts";
import { shellLine } from "../plan/commands.ts";
import type { ContextResult, DiagnoseResult } from "./result.ts";

/**
 * A restart regtrust left to run is part of what the node *will do*: until it
 * happens the running daemon does not use the change. Confirmed (the daemon
 * predates the change): the context does not pull as configured and the
 * finding is an error. Unconfirmed (no /proc under the root): a warning that
 * says regtrust cannot tell.
 */
export function applyPendingRestarts(result: DiagnoseResult, pending: readonly PendingRestart[]): void {
  for (const restart of pending) {
    const context = result.contexts.find((c) => c.name === restart.context);
    if (!context) continue;
    context.restart = {
      unit: restart.unit,
      command: shellLine(restart.argv),
      status: restart.status,
      since: restart.since,
    };
    if (restart.status === "pending" && context.ok) {
      context.ok = false;
      context.error = `${NOT_IN_EFFECT}: ${restart.context} (pid ${restart.process?.pid}) started before regtrust's change at ${restart.since}; run: ${shellLine(restart.argv)}`;
    }
    if (!result.findings.some((f) => f.code === "restart-required" && f.contexts?.includes(restart.context)))
      result.findings.push(restartFinding(restart));
  }
  if (pending.some((p) => p.status === "pending" && result.contexts.some((c) => c.name === p.context)))
    result.ok = false;
  result.findings.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}

const ORDER = { error: 0, warning: 1, info: 2 } as const;

export function restartFinding(restart: PendingRestart): Finding {
  const command = shellLine(restart.argv);
  const changed = `regtrust changed ${restartFiles(restart.files).join(", ") || "the configuration"} for ${restart.target} at ${restart.since}`;
  if (restart.status === "pending") {
    return finding(
      "restart-required",
      "error",
      `${restart.context} has not restarted since ${changed} (${restart.reason}): the running ${restart.context} (pid ${restart.process?.pid}, started ${restart.process?.startedAt}) does not use the change.`,
      {
        contexts: [restart.context],
        evidence: [
          `pending since ${restart.since}`,
          `pid ${restart.process?.pid} started ${restart.process?.startedAt}`,
        ],
        fix: [command],
      },
    );
  }
  return finding(
    "restart-required",
    "warning",
    `${changed} and did not run \`${command}\` (${restart.reason}); a restart since is not confirmed (regtrust cannot see ${restart.context}'s process under the node root). Until ${restart.unit} restarts, ${restart.context} does not use the change.`,
    {
      contexts: [restart.context],
      evidence: [`pending since ${restart.since}`],
      fix: [command],
    },
  );
}

/** Start of a context's `error` while its change waits for the restart. */
export const NOT_IN_EFFECT = "not in effect yet";

export type ContextRestart = NonNullable<ContextResult["restart"]>;
