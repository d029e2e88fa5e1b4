import { appendFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { applyPlan } from "../apply.ts";
import { PlanApplyError } from "../errors.ts";
import { parsePlan } from "../plan.ts";
import type { ChildJob } from "./support.ts";

/**
 * Child process for the crash and lock tests (support.ts
 * spawnApplyChild): applies a plan, optionally pausing for ever at one step
 * so the parent can SIGKILL it there, or holding the lock for a while.
 * Prints `PAUSED <stage>` at the pause and `DONE` at the end.
 */
const job = JSON.parse(process.argv[2]!) as ChildJob;
let steps = 0;

try {
  await applyPlan(parsePlan(job.plan), {
    root: job.root,
    lockTimeoutMs: 20_000,
    onStep: async (step) => {
      const index = steps++;
      if (step.stage === "locked" && job.timeline) await appendFile(job.timeline, `start ${Date.now()}\n`);
      if (index === job.pauseAtStep) {
        process.stdout.write(`PAUSED ${step.stage}\n`);
        await new Promise(() => setInterval(() => undefined, 1000));
      }
      if (step.stage === "change-done" && job.holdMs) await sleep(job.holdMs);
      if (step.stage === "committed" && job.timeline) await appendFile(job.timeline, `end ${Date.now()}\n`);
    },
  });
  process.stdout.write("DONE\n");
} catch (error) {
  process.stdout.write(`FAILED ${error instanceof PlanApplyError ? error.failure : String(error)}\n`);
  process.exitCode = 1;
}
