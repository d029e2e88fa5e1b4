/**
 * Runs one planned restart the way `trust --restart` / the agent does
 * (plan/commands.ts runPlanCommands with the real process runner) and prints
 * the outcome as JSON. Spawned by restart-layout.test.ts inside the
 * namespaces that stand in for a node and the agent's pod.
 */
import { runPlanCommands } from "../../src/plan/commands.ts";
import { restartCommand } from "../../src/plan/plan.ts";
import { processExec } from "../../src/trust/process-exec.ts";

const { root, reads } = JSON.parse(process.argv[2] ?? "{}") as { root: string; reads: string };
const command = restartCommand("containerd", "containerd reads config_path only at start", reads);
const [outcome] = await runPlanCommands([command], {
  root,
  restart: true,
  exec: processExec,
  timeoutMs: 10_000,
});
process.stdout.write(`${JSON.stringify(outcome)}\n`);
