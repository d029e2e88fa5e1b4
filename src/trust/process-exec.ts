import { execFile } from "node:child_process";
import type { Exec } from "../core/deps.ts";

/**
 * The process runner `trust`/`untrust`/`insecure` hand to applyPlan for the
 * refresh and restart commands: argv only (never a shell), bounded, output
 * captured; a failure to start becomes exit code 127 with the reason.
 */
export const processExec: Exec = (argv, opts) =>
  new Promise((resolve) => {
    const child = execFile(
      argv[0]!,
      argv.slice(1),
      { timeout: opts?.timeoutMs ?? 120_000, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve({ code: 0, stdout, stderr });
        const code = typeof error.code === "number" ? error.code : 127;
        resolve({ code, stdout, stderr: stderr || error.message });
      },
    );
    if (opts?.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
