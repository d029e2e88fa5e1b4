import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Exec } from "../../core/deps.ts";

/**
 * Fixtures for the plan tests: throwaway node roots, a checksum of a whole
 * tree (content, mode, link targets), a real process runner and the child
 * process that the crash and lock tests kill. Not used at runtime.
 */

export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));

export type TreeEntry =
  | string
  | Uint8Array
  | { content: string | Uint8Array; mode: number }
  | { symlink: string }
  | { dir: number };

/** A temp directory laid out as a node root, with /var/lib present (real nodes have it). */
export async function makeRoot(spec: Record<string, TreeEntry> = {}): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "regtrust-plan-"));
  await mkdir(join(root, "var/lib"), { recursive: true });
  await writeTree(root, spec);
  return root;
}

export async function removeRoot(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}

export async function writeTree(root: string, spec: Record<string, TreeEntry>): Promise<void> {
  for (const [rel, entry] of Object.entries(spec)) {
    const path = join(root, rel);
    await mkdir(dirname(path), { recursive: true });
    if (typeof entry === "string" || entry instanceof Uint8Array) {
      await writeFile(path, entry);
      await chmod(path, 0o644);
    } else if ("symlink" in entry) {
      await symlink(entry.symlink, path);
    } else if ("dir" in entry) {
      await mkdir(path, { recursive: true });
      await chmod(path, entry.dir);
    } else {
      await writeFile(path, entry.content);
      await chmod(path, entry.mode);
    }
  }
}

/**
 * Every path under `root` (not following links) → `type mode sha256|target`.
 * `exclude` lists root-relative directories left out (regtrust's journal).
 */
export async function treeChecksum(
  root: string,
  exclude: readonly string[] = ["var/lib/regtrust"],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string): Promise<void> {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const rel = relative(root, path);
      if (exclude.includes(rel)) continue;
      const stat = await lstat(path);
      const mode = (stat.mode & 0o7777).toString(8);
      if (stat.isSymbolicLink()) out[rel] = `link ${await readlink(path)}`;
      else if (stat.isDirectory()) {
        out[rel] = `dir ${mode}`;
        await walk(path);
      } else
        out[rel] = `file ${mode} ${createHash("sha256")
          .update(await readFile(path))
          .digest("hex")}`;
    }
  }
  await walk(root);
  return out;
}

/** The real process runner for tests: execFile, argv only, bounded. */
export const testExec: Exec = (argv, opts) =>
  new Promise((resolve) => {
    const child = execFile(
      argv[0]!,
      argv.slice(1),
      { timeout: opts?.timeoutMs ?? 30_000, encoding: "utf8" },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 127) : 0;
        resolve({ code, stdout, stderr: stderr || (error && !stdout ? error.message : stderr) });
      },
    );
    if (opts?.input !== undefined) child.stdin?.end(opts.input);
  });

/** What the child (apply-child.ts) is asked to do. */
export interface ChildJob {
  root: string;
  /** serialisePlan output. */
  plan: string;
  /** Pause forever at the n-th step hook call (0-based), printing PAUSED; omit to run through. */
  pauseAtStep?: number;
  /** Sleep this long at every change-done step (lock tests). */
  holdMs?: number;
  /** Append `start <ms>` / `end <ms>` lines here (lock tests). */
  timeline?: string;
}

export interface ChildHandle {
  pid: number;
  /** Resolves with stdout once the child prints `marker`, rejects on exit or timeout. */
  waitFor(marker: string, timeoutMs: number): Promise<string>;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

export function spawnApplyChild(job: ChildJob): ChildHandle {
  const script = fileURLToPath(new URL("./apply-child.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, JSON.stringify(job)], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    pid: child.pid!,
    exited,
    kill: (signal) => child.kill(signal),
    waitFor: (marker, timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`child: no ${marker} in ${timeoutMs} ms; ${stderr}`)),
          timeoutMs,
        );
        const check = () => {
          if (stdout.includes(marker)) {
            clearTimeout(timer);
            resolve(stdout);
          }
        };
        child.stdout.on("data", check);
        void exited.then((code) => {
          check();
          clearTimeout(timer);
          reject(new Error(`child exited (${code}) before ${marker}: ${stdout} ${stderr}`));
        });
        check();
      }),
  };
}
