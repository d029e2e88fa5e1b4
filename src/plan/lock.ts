import { readlinkSync } from "node:fs";
import { lstat, open, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { InputError } from "../core/errors.ts";
import { BoundedReadError, readRegularFile } from "../node/bounded-read.ts";
import { classifyFsError, describeFailure, errnoCode, PlanApplyError, shortErrno } from "./errors.ts";

/**
 * One regtrust run at a time per node root: an exclusive lock file created
 * with O_CREAT|O_EXCL (`open(…, "wx")`), holding who owns it.
 *
 * A lock left by a dead process is stale and broken, judged by PID liveness
 * plus the process start time (so a recycled PID does not keep a dead lock
 * alive). A holder in another PID namespace (the DaemonSet agent versus a
 * shell on the host) cannot be judged: we wait and then fail with a message
 * naming it, never break it. Breaking is itself serialised by a short-lived
 * `<lock>.break` file so two waiters cannot both break and then both enter.
 */

export interface LockOwner {
  pid: number;
  /** `/proc/self/ns/pid` link text, e.g. `pid:[4026531836]`; null when unknown. */
  pidNamespace: string | null;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot). */
  startTime: string | null;
  host: string;
  acquiredAt: string;
}

export interface LockOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  pollMs?: number;
  now?: () => Date;
}

export interface HeldLock {
  path: string;
  release(): Promise<void>;
}

/** A lock file holds one LockOwner as JSON (about 150 bytes). */
const MAX_LOCK_BYTES = 4096;

/**
 * The lock path is not a lock regtrust made (a FIFO, device, directory or
 * symlink in its place, or an oversized file). Bad input (exit 2), refused at
 * once: waiting would not change it, and reading a FIFO would block forever.
 */
export class LockRefusal extends InputError {
  override name = "LockRefusal";
}

/** A `.break` file older than this belongs to a breaker that died; breaking takes milliseconds. */
const BREAK_FILE_STALE_MS = 10_000;
/** An empty lock file is a holder between open and write; older than this, it died there. */
const EMPTY_LOCK_STALE_MS = 10_000;

export async function acquireLock(path: string, opts: LockOptions = {}): Promise<HeldLock> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const owner = currentOwner(opts.now?.() ?? new Date());
  const content = JSON.stringify(owner);
  for (;;) {
    if (await tryCreate(path, content)) return { path, release: () => releaseLock(path, content) };
    const holder = await readHolder(path);
    if (holder.kind === "stale") await breakStale(path, holder.raw);
    else if (Date.now() >= deadline) throw busy(path, holder, timeoutMs);
    else await sleep(opts.pollMs ?? 50);
  }
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "wx", 0o600);
  } catch (error) {
    if (errnoCode(error) === "EEXIST") return false;
    const failure = classifyFsError(error);
    const message = `cannot create the lock ${path}: ${describeFailure(failure)} (${shortErrno(error)}); nothing was changed`;
    throw new PlanApplyError(failure, message, path, true, { cause: error });
  }
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

type Holder =
  | { kind: "alive" | "unknown"; owner: LockOwner | null }
  | { kind: "stale"; raw: string }
  | { kind: "gone" };

async function readHolder(path: string): Promise<Holder> {
  const raw = readLockText(path);
  if (raw === null) return { kind: "gone" };
  if (raw === "")
    return (await ageMs(path)) > EMPTY_LOCK_STALE_MS
      ? { kind: "stale", raw }
      : { kind: "alive", owner: null };
  let owner: LockOwner;
  try {
    owner = JSON.parse(raw) as LockOwner;
  } catch {
    return { kind: "stale", raw };
  }
  return judgeOwner(owner, raw);
}

/**
 * The lock's text; null when it is gone. Opened without blocking and without
 * following a link, checked to be a small regular file (bounded-read.ts).
 */
function readLockText(path: string): string | null {
  try {
    return readRegularFile(path, { maxBytes: MAX_LOCK_BYTES, finalSymlink: "refuse" }).toString("utf8");
  } catch (error) {
    if (!(error instanceof BoundedReadError)) throw error;
    if (error.failure === "missing") return null;
    if (error.failure === "errno") {
      const failure = classifyFsError(error.code === null ? error : { code: error.code });
      throw new PlanApplyError(failure, `cannot read the lock ${path}: ${error.detail}`, path, true);
    }
    throw new LockRefusal(
      `refusing regtrust's lock ${path}: it ${error.detail}, not a lock regtrust made. Nothing was changed; move it aside`,
    );
  }
}

/** For break and release: the text when it is a readable lock file, else null. */
function readLockQuietly(path: string): string | null {
  try {
    return readLockText(path);
  } catch {
    return null;
  }
}

function judgeOwner(owner: LockOwner, raw: string): Holder {
  const ours = currentOwner(new Date());
  if (owner.host !== ours.host || owner.pidNamespace !== ours.pidNamespace || ours.pidNamespace === null) {
    return { kind: "unknown", owner };
  }
  if (!processExists(owner.pid)) return { kind: "stale", raw };
  if (owner.startTime !== null && processStartTime(owner.pid) !== owner.startTime)
    return { kind: "stale", raw };
  return { kind: "alive", owner };
}

async function breakStale(path: string, staleRaw: string): Promise<void> {
  const breakPath = `${path}.break`;
  if (!(await tryCreate(breakPath, String(process.pid)))) {
    if ((await ageMs(breakPath)) > BREAK_FILE_STALE_MS) await unlinkQuietly(breakPath);
    return;
  }
  try {
    const again = readLockQuietly(path);
    if (again === staleRaw) await unlinkQuietly(path);
  } finally {
    await unlinkQuietly(breakPath);
  }
}

async function releaseLock(path: string, content: string): Promise<void> {
  const current = readLockQuietly(path);
  if (current === content) await unlinkQuietly(path);
}

function busy(path: string, holder: Holder, timeoutMs: number): PlanApplyError {
  const owner = "owner" in holder ? holder.owner : null;
  const who = owner
    ? `pid ${owner.pid} on ${owner.host} since ${owner.acquiredAt}`
    : "a process that is starting";
  const hint =
    holder.kind === "unknown"
      ? "; it runs in another PID namespace or host, so regtrust cannot tell whether it is alive — if it is not, remove the lock file"
      : "";
  return new PlanApplyError(
    "locked",
    `another regtrust run (${who}) holds ${path}; waited ${timeoutMs} ms${hint}`,
    path,
    true,
  );
}

export function currentOwner(now: Date): LockOwner {
  return {
    pid: process.pid,
    pidNamespace: pidNamespace(),
    startTime: processStartTime(process.pid),
    host: hostname(),
    acquiredAt: now.toISOString(),
  };
}

function pidNamespace(): string | null {
  try {
    return readlinkSync("/proc/self/ns/pid");
  } catch {
    return null;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === "EPERM";
  }
}

/** proc(5): field 22 `starttime`; the comm field (2) may contain spaces, so parse after the last ')'. */
function processStartTime(pid: number): string | null {
  try {
    const text = readRegularFile(`/proc/${pid}/stat`, { maxBytes: MAX_LOCK_BYTES }).toString("utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

async function ageMs(path: string): Promise<number> {
  try {
    return Date.now() - (await lstat(path)).mtimeMs;
  } catch {
    return 0;
  }
}

async function unlinkQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}
