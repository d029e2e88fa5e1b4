/**
 * Runs the shipped artifact, dist/regtrust.mjs (built by `npm run build`;
 * bootstrap.sh builds it before the tests), as a real process — what users
 * run — and captures its output. Bounded: a hung child is killed.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const DIST_CLI = join(import.meta.dirname, "../../dist/regtrust.mjs");

export interface DistRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runDist(
  argv: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<DistRun> {
  if (!existsSync(DIST_CLI)) throw new Error(`${DIST_CLI} is missing: run \`npm run build\` first`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [DIST_CLI, ...argv],
      {
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...opts.env },
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 3) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
