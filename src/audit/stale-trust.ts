import { readdirSync } from "node:fs";
import { join } from "node:path";
import { finding } from "../findings/finding.ts";
import { readRegularFile } from "../node/bounded-read.ts";
import type { SystemStore } from "../node/types.ts";
import type { AuditContext } from "./context.ts";

/** Linux USER_HZ: /proc/<pid>/stat counts start time in these ticks (proc(5)). */
const CLOCK_TICKS_PER_SECOND = 100;

/** Runtime daemons by /proc/<pid>/comm (15 characters at most). */
const RUNTIME_COMMS: Readonly<Record<string, string>> = {
  containerd: "containerd",
  dockerd: "docker",
  crio: "crio",
  "k3s-server": "k3s",
  "k3s-agent": "k3s",
  k3s: "k3s",
  rke2: "rke2",
};

export interface RuntimeProcess {
  pid: number;
  comm: string;
  runtime: string;
  startedAt: Date;
}

/**
 * Runtime processes and their start time, from /proc/<pid>/stat field 22
 * (starttime, ticks after boot) plus /proc/stat `btime`. Empty when /proc is
 * not readable: stale trust is then simply not judged.
 */
export function readRuntimeProcesses(procRoot: string): RuntimeProcess[] {
  const bootSeconds = readBootTime(procRoot);
  if (bootSeconds === null) return [];
  const out: RuntimeProcess[] = [];
  for (const entry of safeReadDir(procRoot).filter((e) => /^\d+$/.test(e))) {
    const comm = safeRead(join(procRoot, entry, "comm"))?.trim();
    const runtime = comm ? RUNTIME_COMMS[comm] : undefined;
    if (!comm || !runtime) continue;
    const ticks = startTicks(safeRead(join(procRoot, entry, "stat")));
    if (ticks === null) continue;
    const startedAt = new Date((bootSeconds + ticks / CLOCK_TICKS_PER_SECOND) * 1000);
    out.push({ pid: Number(entry), comm, runtime, startedAt });
  }
  return out;
}

/**
 * Go loads the OS trust store once per process (crypto/x509 root.go
 * `sync.Once`), so a bundle changed after a runtime started is not what that
 * runtime trusts until it restarts (runtimes.md §1.5).
 */
export function auditStaleTrust(
  ctx: AuditContext,
  store: SystemStore,
  procRoot: string,
  runtimes: ReadonlySet<string>,
): void {
  const processes = readRuntimeProcesses(procRoot).filter((p) => runtimes.has(p.runtime));
  if (processes.length === 0) return;
  const changed = newestStoreChange(ctx, store);
  if (changed === null) return;
  for (const p of processes) {
    if (changed.mtimeMs <= p.startedAt.getTime()) continue;
    const at = new Date(changed.mtimeMs).toISOString();
    ctx.findings.push(
      finding(
        "stale-trust",
        "warning",
        `${p.comm} (pid ${p.pid}) started at ${p.startedAt.toISOString()}, before the OS trust store changed (${changed.path} at ${at}); it still uses the CA list it loaded at start, so newly added CAs are not trusted by it yet.`,
        {
          file: changed.path,
          contexts: [p.runtime],
          evidence: [`${p.comm} start: ${p.startedAt.toISOString()}`, `${changed.path} modified: ${at}`],
          fix: [restartFor(p.runtime)],
        },
      ),
    );
  }
}

function newestStoreChange(ctx: AuditContext, store: SystemStore): { path: string; mtimeMs: number } | null {
  const paths = [store.bundle?.path, ...store.dirFiles.map((f) => f.path)].filter((p): p is string => !!p);
  let newest: { path: string; mtimeMs: number } | null = null;
  for (const path of paths) {
    try {
      const st = ctx.fs.stat(path);
      if (st && (newest === null || st.mtimeMs > newest.mtimeMs)) newest = { path, mtimeMs: st.mtimeMs };
    } catch {
      // An unreadable store file is reported elsewhere, if at all.
    }
  }
  return newest;
}

function restartFor(runtime: string): string {
  if (runtime === "docker") return "systemctl restart docker";
  if (runtime === "rke2") return "systemctl restart rke2-server   # or rke2-agent";
  return `systemctl restart ${runtime}`;
}

function readBootTime(procRoot: string): number | null {
  const m = /^btime\s+(\d+)$/m.exec(safeRead(join(procRoot, "stat")) ?? "");
  return m ? Number(m[1]) : null;
}

/** Field 22 of /proc/<pid>/stat; counted after the last ")" because comm may contain spaces. */
function startTicks(stat: string | null): number | null {
  if (!stat) return null;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const value = Number(fields[19]);
  return Number.isFinite(value) ? value : null;
}

/** /proc/stat grows with the CPU count; 1 MiB is far more than any of these files holds. */
const MAX_PROC_FILE_BYTES = 1024 * 1024;

function safeRead(path: string): string | null {
  try {
    return readRegularFile(path, { maxBytes: MAX_PROC_FILE_BYTES }).toString("utf8");
  } catch {
    return null;
  }
}

function safeReadDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
