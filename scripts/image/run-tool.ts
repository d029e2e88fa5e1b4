/** Runs a build tool, argv only; its output is kept and shown only when it fails. */
import { spawn } from "node:child_process";

export interface ToolRun {
  stdout: string;
  stderr: string;
}

export function runTool(
  argv: readonly string[],
  opts: { timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd!, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`${cmd}: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout, stderr });
      const why = signal ? `killed by ${signal} (limit ${opts.timeoutMs} ms)` : `exit ${code}`;
      reject(new Error(`${argv.join(" ")}: ${why}\n${(stderr || stdout).trim().slice(-4000)}`));
    });
  });
}
