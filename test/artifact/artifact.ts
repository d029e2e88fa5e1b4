/**
 * The artifact tier's one way to run regtrust: the *built* file as a real
 * process (argv, env, stdin, exit code, stdout, stderr), never main() in
 * this process. Which artifact runs comes from the environment, so the same
 * scenarios prove the bundle on the machine's Node, the bundle on another
 * Node line (Node 24 from scripts/node24.sh) and the single executable:
 *
 *   REGTRUST_ARTIFACT  the file to run; default dist/regtrust.mjs. A .mjs/.js/.cjs file runs
 *                      under REGTRUST_NODE; anything else (dist/regtrust, the single
 *                      executable) runs directly.
 *   REGTRUST_NODE      the node binary for a script artifact; default the one running the tests.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

import { assertCliJson } from "../support/json-schema.ts";

export const REPO = resolve(import.meta.dirname, "../..");
export const BUNDLE = join(REPO, "dist/regtrust.mjs");
export const SEA_BINARY = join(REPO, "dist/regtrust");

export interface Artifact {
  /** Shown in test names, e.g. "dist/regtrust.mjs on node v24.22.3". */
  label: string;
  /** The program exec'd and the arguments before regtrust's own. */
  command: string;
  prefix: string[];
  /** The file that ships. */
  file: string;
  /** Environment every run of this artifact gets, e.g. a PATH without node for the single executable. */
  env?: Record<string, string>;
}

export interface ArtifactRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Added to the minimal environment (PATH, HOME, LANG, TZ). */
  env?: Record<string, string>;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  stdin?: string;
  cwd?: string;
  /** Kill (SIGKILL) and fail after this long; default 60 s. */
  timeoutMs?: number;
}

function nodeVersion(node: string): string {
  const run = spawnSync(node, ["--version"], { encoding: "utf8", timeout: 20_000 });
  if (run.status !== 0) throw new Error(`${node} --version failed: ${run.stderr || run.error}`);
  return run.stdout.trim();
}

/** The artifact a script names: the bundle under a node binary, or an executable run as is. */
export function artifactAt(file: string, node: string = process.execPath): Artifact {
  const path = resolve(REPO, file);
  if (!existsSync(path)) {
    throw new Error(`${path} does not exist: run \`npm run build\` (or build:sea) first`);
  }
  const short = path.startsWith(`${REPO}/`) ? path.slice(REPO.length + 1) : path;
  if (/\.(mjs|cjs|js)$/.test(path)) {
    if (!existsSync(node)) throw new Error(`REGTRUST_NODE=${node} does not exist`);
    return { label: `${short} on node ${nodeVersion(node)}`, command: node, prefix: [path], file: path };
  }
  return { label: short, command: path, prefix: [], file: path };
}

/** The artifact this run of the tier is about (REGTRUST_ARTIFACT, REGTRUST_NODE). */
export function selectedArtifact(): Artifact {
  return artifactAt(process.env.REGTRUST_ARTIFACT ?? BUNDLE, process.env.REGTRUST_NODE ?? process.execPath);
}

/** The environment a user's shell would give it; nothing of the test runner's leaks in. */
function baseEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: process.env.HOME ?? "/root",
    LANG: "C.UTF-8",
    TZ: "UTC",
  };
}

/** Starts `regtrust <argv>` through the artifact and hands back the process (long-running commands). */
export function spawnArtifact(artifact: Artifact, argv: string[], opts: RunOptions = {}): ChildProcess {
  return spawn(artifact.command, [...artifact.prefix, ...argv], {
    env: { ...baseEnv(), ...artifact.env, ...opts.env },
    cwd: opts.cwd ?? REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs `regtrust <argv>` through the artifact; resolves with its exit code and output. */
export function runArtifact(artifact: Artifact, argv: string[], opts: RunOptions = {}): Promise<ArtifactRun> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(artifact.command, [...artifact.prefix, ...argv], {
      env: { ...baseEnv(), ...artifact.env, ...opts.env },
      cwd: opts.cwd ?? REPO,
      stdio: [opts.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `regtrust ${argv.join(" ")} (${artifact.label}) ran over ${timeoutMs} ms\n${stdout}\n${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === null) {
        reject(new Error(`regtrust ${argv.join(" ")} died of ${signal}\n${stderr}`));
        return;
      }
      try {
        // What the shipped artifact prints with --json must match docs/schema too.
        if (code !== 2 && code !== 3) assertCliJson(argv, stdout);
        resolvePromise({ code, stdout, stderr });
      } catch (error) {
        reject(error);
      }
    });
    if (opts.stdin !== undefined && child.stdin) child.stdin.end(opts.stdin);
  });
}

/** An exit-code assertion message with everything the process printed. */
export function transcript(run: ArtifactRun): string {
  return `exit ${run.code}\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
}

/**
 * Every artifact run is exit 0–2 (exit 3 is an internal error: the k3s crash
 * was exit 3), and Node itself prints nothing: a runtime warning such as
 * `(node:123) [DEP0040] DeprecationWarning` on a newer Node line is noise in
 * an SRE's terminal and a sign of an API about to go.
 */
export function assertNoInternalError(run: ArtifactRun): void {
  if (run.code === 3 || /internal error/i.test(run.stderr)) {
    throw new Error(`internal error from the artifact:\n${transcript(run)}`);
  }
  if (/^\(node:\d+\) /m.test(run.stderr) || /\bat .*\(node:internal/.test(run.stderr)) {
    throw new Error(`Node printed a warning or a stack trace:\n${transcript(run)}`);
  }
}
