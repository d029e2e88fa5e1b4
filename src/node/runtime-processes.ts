import { readdirSync } from "node:fs";
import { join } from "node:path";
import { readRegularFile } from "./bounded-read.ts";

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
  /** The config file named on the command line (`--config`/`-c`), or null for the daemon's default. */
  configArg: string | null;
}

/**
 * Runtime processes and their start time, from /proc/<pid>/stat field 22
 * (starttime, ticks after boot). Boot time comes from /proc/uptime against
 * `now` (10 ms resolution), else /proc/stat `btime` (whole seconds). Null
 * when /proc is not readable under the root: nothing can be confirmed.
 */
export function readRuntimeProcesses(procRoot: string, now: Date = new Date()): RuntimeProcess[] | null {
  const bootMs = readBootMs(procRoot, now);
  if (bootMs === null) return null;
  const out: RuntimeProcess[] = [];
  for (const entry of safeReadDir(procRoot).filter((e) => /^\d+$/.test(e))) {
    const comm = safeRead(join(procRoot, entry, "comm"))?.trim();
    const runtime = comm ? RUNTIME_COMMS[comm] : undefined;
    if (!comm || !runtime) continue;
    const ticks = startTicks(safeRead(join(procRoot, entry, "stat")));
    if (ticks === null) continue;
    const startedAt = new Date(bootMs + (ticks / CLOCK_TICKS_PER_SECOND) * 1000);
    const configArg = configArgOf(safeRead(join(procRoot, entry, "cmdline")));
    out.push({ pid: Number(entry), comm, runtime, startedAt, configArg });
  }
  return out;
}

/** containerd's `--config X`, `--config=X`, `-c X` (cmd/containerd/command/main.go). */
function configArgOf(cmdline: string | null): string | null {
  const args = (cmdline ?? "").split("\u0000").filter(Boolean);
  for (const [i, arg] of args.entries()) {
    if (arg === "--config" || arg === "-c") return args[i + 1] ?? null;
    const m = /^--?(?:config|c)=(.+)$/.exec(arg);
    if (m?.[1]) return m[1];
  }
  return null;
}

function readBootMs(procRoot: string, now: Date): number | null {
  const uptime = /^(\d+(?:\.\d+)?)\s/.exec(safeRead(join(procRoot, "uptime")) ?? "");
  if (uptime?.[1]) return now.getTime() - Number(uptime[1]) * 1000;
  const m = /^btime\s+(\d+)$/m.exec(safeRead(join(procRoot, "stat")) ?? "");
  return m ? Number(m[1]) * 1000 : null;
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
    // Capped and non-blocking like every node read: a /proc under --root may be any file (issue #23).
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
