/**
 * Helpers for the kill -9 loop (cli-crash-concurrency.test.ts): a seeded RNG,
 * the whole CLI as a child process, a kill timed on the journal appearing
 * under the root, the node tree as comparable state, and the journal phase a
 * kill left behind. No product test hook: the timing comes from watching the
 * files regtrust writes (var/lib/regtrust), as an outside observer would.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { type FSWatcher, watch } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { treeChecksum as rawChecksum } from "../trust/node.ts";

const run = promisify(execFile);
const CLI = join(import.meta.dirname, "regtrust.ts");

/** mulberry32: tiny, seedable, good enough to spread kill points. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface CliOutput {
  code: number;
  out: string;
}

/** The CLI to completion. TMPDIR keeps update-ca-certificates' scratch files out of the shared /tmp. */
export async function cli(args: string[], tmp: string): Promise<CliOutput> {
  try {
    const r = await run(process.execPath, ["--import", "tsx", CLI, ...args], {
      timeout: 60_000,
      env: { ...process.env, TMPDIR: tmp },
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : -1, out: `${err.stdout}${err.stderr}` };
  }
}

/**
 * When to kill: `ms` after spawn (uniform over the run), or `ms` after the
 * journal is first replaced under var/lib/regtrust (the rename that makes the
 * write-ahead entry durable: the apply window starts there).
 * `group`: SIGKILL the whole process group, as a crash or power loss stops
 * update-ca-certificates too; otherwise only the CLI, as `kill -9 <pid>` does,
 * and a running update-ca-certificates finishes on its own (waited for).
 */
export interface KillPlan {
  armed: "spawn" | "journal";
  ms: number;
  group: boolean;
}

/** The journal itself, not its temp file (`.journal.json.regtrust-….tmp`). */
function isJournal(name: string | null): boolean {
  return String(name).endsWith("regtrust/journal.json");
}

export function describeKill(k: KillPlan): string {
  return `${k.group ? "group " : ""}kill ${k.ms} ms after ${k.armed === "spawn" ? "spawn" : "the journal write"}`;
}

export async function killDuring(args: string[], root: string, tmp: string, kill: KillPlan): Promise<void> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
    stdio: "ignore",
    detached: true,
    env: { ...process.env, TMPDIR: tmp },
  });
  const pid = child.pid!;
  const timers: NodeJS.Timeout[] = [];
  const fire = () => signal(kill.group ? -pid : pid, "SIGKILL");
  let watcher: FSWatcher | null = null;
  if (kill.armed === "journal") {
    watcher = watch(join(root, "var/lib"), { recursive: true }, (_event, name) => {
      if (!isJournal(name)) return;
      watcher?.close();
      timers.push(setTimeout(fire, kill.ms));
    });
  } else timers.push(setTimeout(fire, kill.ms));
  timers.push(setTimeout(fire, 60_000));
  await new Promise<void>((resolve) => child.on("exit", () => resolve()));
  for (const t of timers) clearTimeout(t);
  watcher?.close();
  await groupGone(pid);
}

function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Waits (bounded) until no process of the child's group is left (an orphaned update-ca-certificates). */
async function groupGone(pgid: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (signal(-pgid, 0)) {
    if (Date.now() > deadline) {
      signal(-pgid, "SIGKILL");
      throw new Error(`process group ${pgid} still running 30 s after the kill`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

export type Tree = Record<string, string>;

/**
 * The node tree (regtrust's own var/lib/regtrust excluded) with ISO
 * timestamps blanked (insecure writes its expiry time) and the root's path in
 * symlink targets replaced by `<root>` (update-ca-certificates links
 * /etc/ssl/certs/*.pem to absolute paths under --certsdir), so trees of two
 * roots compare equal when their contents are.
 */
export async function treeState(root: string): Promise<Tree> {
  const tree = await rawChecksum(root);
  for (const [rel, v] of Object.entries(tree)) {
    if (v.startsWith("link ")) tree[rel] = v.replaceAll(root, "<root>");
    if (!v.startsWith("file ")) continue;
    const text = (await readFile(join(root, rel), "latin1")).replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "T");
    tree[rel] = `${v.split(" ").slice(0, 2).join(" ")} ${createHash("sha256").update(text).digest("hex")}`;
  }
  return tree;
}

export function sameTree(a: Tree, b: Tree): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Temp files a kill may leave beside their target: regtrust's
 * (`.<name>.regtrust-<run>.tmp`, written, fsynced, then renamed over the
 * target) and update-ca-certificates' bundle under construction
 * (`ca-certificates.crt.new`). The next run must remove them; the exact
 * comparison after untrust checks that.
 */
export function isTempBesideTarget(path: string): boolean {
  return /(^|\/)\.[^/]*\.regtrust-[^/]*\.tmp$/.test(path) || path.endsWith("/ca-certificates.crt.new");
}

/**
 * Paths that are neither their state in `start` nor in `end` (temp files
 * aside), and, apart, the OS-store links missing because the kill stopped
 * update-ca-certificates: it runs after the commit and is no atomic tool —
 * `--fresh` (untrust) removes every link to a distribution root and adds them
 * back one by one, and a `kill -9` of regtrust stops it too (SIGPIPE on its
 * next output line). The bundle file itself is replaced with `mv` and stays
 * old or new; the journal's unfinished commands make the next run re-run it.
 */
export function neitherOldNorNew(
  now: Tree,
  start: Tree,
  end: Tree,
  phase: Phase,
): { partial: string[]; linkGaps: string[] } {
  const paths = new Set([...Object.keys(now), ...Object.keys(start), ...Object.keys(end)]);
  const odd = [...paths].filter((p) => !isTempBesideTarget(p) && now[p] !== start[p] && now[p] !== end[p]);
  const isLinkGap = (p: string) =>
    phase === "commands" &&
    p.startsWith("etc/ssl/certs/") &&
    now[p] === undefined &&
    [start[p], end[p]].some((v) => v?.startsWith("link "));
  return { partial: odd.filter((p) => !isLinkGap(p)), linkGaps: odd.filter(isLinkGap) };
}

/**
 * Where in its run a kill stopped the CLI, read from the journal it left:
 * - before: the journal is as it was (no write-ahead entry yet);
 * - mid: the write-ahead entry (`pending`) is there, the run not committed;
 * - commands: committed, its commands (update-ca-certificates) not recorded;
 * - after: committed with command results (only verification or exit left).
 */
export type Phase = "before" | "mid" | "commands" | "after";

export interface JournalView {
  revision: number;
  pending: boolean;
  unfinished: boolean;
}

export async function journalView(root: string): Promise<JournalView> {
  let text: string;
  try {
    text = await readFile(join(root, "var/lib/regtrust/journal.json"), "utf8");
  } catch {
    return { revision: 0, pending: false, unfinished: false };
  }
  const j = JSON.parse(text) as { revision: number; pending: unknown; unfinishedCommands: unknown };
  return { revision: j.revision, pending: j.pending !== null, unfinished: j.unfinishedCommands !== null };
}

export function phaseOf(start: JournalView, now: JournalView): Phase {
  if (now.pending) return "mid";
  if (now.revision === start.revision) return "before";
  return now.unfinished ? "commands" : "after";
}

/**
 * One uninterrupted run, timed: the whole run, and the span from the journal's
 * first replacement (write-ahead entry) to its last write (commit, command
 * results), which is where the journal-armed kills are spread.
 */
export async function timedRun(
  args: string[],
  root: string,
  tmp: string,
): Promise<CliOutput & { fullMs: number; spanMs: number }> {
  const t0 = performance.now();
  let first = 0;
  let last = 0;
  const watcher = watch(join(root, "var/lib"), { recursive: true }, (_event, name) => {
    if (!String(name).includes("journal")) return;
    last = performance.now();
    if (isJournal(name)) first ||= last;
  });
  try {
    const result = await cli(args, tmp);
    return { ...result, fullMs: performance.now() - t0, spanMs: first ? last - first : 0 };
  } finally {
    watcher.close();
  }
}
