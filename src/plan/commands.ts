import { constants, type Stats } from "node:fs";
import { access, realpath, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Exec } from "../core/deps.ts";
import { readRegularFile } from "../node/bounded-read.ts";
import type { PlanCommand } from "./plan.ts";
import { missingInputs, mountPointsAt } from "./refresh-preflight.ts";
import { resolveUnderRoot } from "./safe-path.ts";

/**
 * Running a plan's commands for the node at `root`, argv only, never a shell:
 * - A refresh whose inputs (PlanCommand.inputs) are missing under the root
 *   does not run at all (refresh-preflight.ts): apply refuses the plan.
 * - `--root /`: as planned.
 * - A root that has the binary (the node's `/` mounted at /host, as in
 *   `k8s node` pods): `chroot <root> argv…`, so the node's own tool works on
 *   the node's files and writes node paths.
 * - A plain directory tree without binaries that lies on this machine (tests):
 *   the host's tool with directory options, for tools that have them
 *   (HOST_TOOLS). Its links point at the tree's paths on this machine, which
 *   is right only for a tree read where it lies. A root with mount points (a
 *   pod's view of a node, like the agent DaemonSet's /host) never gets it:
 *   the links would point at paths that exist only in the container.
 * - Restarts only when asked: `systemctl restart <unit>` directly on `/`;
 *   from a container, `nsenter -t 1 -m -u -i -n -p -- systemctl …` into the
 *   namespaces of the node's init, so the node's own systemctl talks to the
 *   node's systemd (systemctl refuses to start or stop units inside a
 *   chroot, so chroot is no option). It runs only when PID 1 sees the
 *   directory of the file the restart loads (PlanCommand.reads) as the same
 *   directory we changed under `root` — true for the DaemonSet's hostPath
 *   mounts and for a pod that mounts the node's `/`, false for a copy or a
 *   pod without hostPID. The pod rights this takes (hostPID, SYS_PTRACE,
 *   SYS_ADMIN, SYS_CHROOT, no AppArmor confinement) are in
 *   k8s/manifests/pod-privileges.ts. Otherwise the exact command is returned to print.
 */

export type CommandVia = "direct" | "chroot" | "host-tool" | "nsenter";

export interface CommandOutcome {
  kind: PlanCommand["kind"];
  reason: string;
  /** The node-level command as planned. */
  planned: string[];
  /** What ran (translated for the root); null when it did not run. */
  ran: string[] | null;
  via: CommandVia | null;
  status: "ok" | "failed" | "not-run";
  exitCode: number | null;
  /** failed: the end of its error output; not-run: why. */
  detail: string;
  /** not-run: the command to run on the node by hand. */
  manual: string | null;
}

export interface CommandOptions {
  root: string;
  /** Without a runner nothing runs; every command comes back `not-run` with the line to run. */
  exec?: Exec;
  /** Run `restart` commands (the CLI's `--restart`). */
  restart?: boolean;
  timeoutMs?: number;
  /** Where to look for host tools; default the usual sbin/bin directories. */
  hostBinDirs?: readonly string[];
  /** The root as PID 1 sees it; default `/proc/1/root`. */
  pid1Root?: string;
  /** Test seam: the mount table read for mount points under the root; default /proc/self/mountinfo. */
  mountinfo?: string;
}

/**
 * `blocking`: running the plan's file changes without this command would
 * leave the node wrong (a missing input, a mounted view without the node's
 * tool), so apply refuses the whole plan instead (plan/apply.ts).
 */
export type ResolvedCommand =
  | { via: CommandVia; argv: string[] }
  | { via: null; why: string; blocking?: boolean };

const BIN_DIRS = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
/** Our stderr excerpt; the tools print a line or two when they fail. */
const DETAIL_LIMIT = 2000;

/**
 * Host tools that can work on a directory tree, keyed by the node command's
 * basename. Debian's update-ca-certificates takes these options (read from
 * /usr/sbin/update-ca-certificates, ca-certificates 20230311+deb12u1); passing
 * `--hooksdir` inside the tree also keeps the host's hooks (e.g. Java's
 * keystore update) from running against the host. SUSE's and Alpine's tools of
 * the same name lack the options; `flavour` tells them apart by the script text.
 */
const HOST_TOOLS: Record<string, { flavour: string[]; dirOptions: [string, string][] }> = {
  "update-ca-certificates": {
    flavour: ["--localcertsdir", "--hooksdir"],
    dirOptions: [
      ["--certsconf", "/etc/ca-certificates.conf"],
      ["--certsdir", "/usr/share/ca-certificates"],
      ["--localcertsdir", "/usr/local/share/ca-certificates"],
      ["--etccertsdir", "/etc/ssl/certs"],
      ["--hooksdir", "/etc/ca-certificates/update.d"],
    ],
  },
};

export async function resolveCommand(command: PlanCommand, opts: CommandOptions): Promise<ResolvedCommand> {
  const root = await realpath(opts.root);
  if (command.kind === "restart") return resolveRestart(command, root, opts);
  const missing = await missingInputs(root, command.inputs ?? []);
  if (missing.length > 0) {
    const where = root === "/" ? "" : ` under ${root}`;
    return {
      via: null,
      blocking: true,
      why: `${command.argv[0]} needs ${missing.join(", ")}${where}, which ${missing.length === 1 ? "is" : "are"} missing${root === "/" ? "" : " (not mounted?)"}; without ${missing.length === 1 ? "it" : "them"} it would rebuild the OS bundle without the public roots`,
    };
  }
  if (root === "/") return { via: "direct", argv: command.argv };
  if (await binaryUnderRoot(root, command.argv[0]!))
    return { via: "chroot", argv: ["chroot", root, ...command.argv] };
  const mounts = await mountPointsAt(root, opts.mountinfo);
  if (mounts.length > 0) {
    return {
      via: null,
      blocking: true,
      why: `${command.argv[0]} is not installed under ${root}, which is mounted from another system (${mounts.slice(0, 3).join(", ")}${mounts.length > 3 ? ", …" : ""}); this machine's tool would write links to paths that exist only here. Mount the node's / there so its own tool runs with chroot, or run regtrust on the node`,
    };
  }
  const hostTool = await hostToolFor(command.argv, root, opts.hostBinDirs ?? BIN_DIRS);
  if (hostTool) return { via: "host-tool", argv: hostTool };
  return {
    via: null,
    why: `${command.argv[0]} is not installed under ${root} and no host tool can work on a directory tree`,
  };
}

async function resolveRestart(
  command: PlanCommand,
  root: string,
  opts: CommandOptions,
): Promise<ResolvedCommand> {
  if (!opts.restart) return { via: null, why: "restart not requested (--restart)" };
  if (root === "/") return { via: "direct", argv: command.argv };
  const unseen = await pid1DoesNotSee(command, root, opts.pid1Root ?? "/proc/1/root");
  if (unseen) return { via: null, why: unseen };
  const nsenter = await findExecutable("nsenter", opts.hostBinDirs ?? BIN_DIRS);
  if (!nsenter) return { via: null, why: "nsenter is not installed" };
  return { via: "nsenter", argv: [nsenter, "-t", "1", "-m", "-u", "-i", "-n", "-p", "--", ...command.argv] };
}

/** The refusals apply must act on before writing: one sentence per command that cannot run safely. */
export async function blockingRefusals(
  commands: readonly PlanCommand[],
  opts: CommandOptions,
): Promise<string[]> {
  const refusals: string[] = [];
  for (const command of commands) {
    if (command.kind !== "refresh") continue;
    const resolved = await resolveCommand(command, opts).catch((error: unknown) => ({
      via: null,
      blocking: true,
      why: error instanceof Error ? error.message : String(error),
    }));
    if (resolved.via === null && resolved.blocking) refusals.push(resolved.why);
  }
  return refusals;
}

/** Runs each command in order; a failure is reported, not thrown, and the next still runs. */
export async function runPlanCommands(
  commands: readonly PlanCommand[],
  opts: CommandOptions,
): Promise<CommandOutcome[]> {
  const outcomes: CommandOutcome[] = [];
  for (const command of commands) outcomes.push(await runOne(command, opts));
  return outcomes;
}

async function runOne(command: PlanCommand, opts: CommandOptions): Promise<CommandOutcome> {
  const base = { kind: command.kind, reason: command.reason, planned: command.argv };
  let resolved: ResolvedCommand;
  try {
    resolved = await resolveCommand(command, opts);
  } catch (error) {
    resolved = { via: null, why: error instanceof Error ? error.message : String(error) };
  }
  if (resolved.via === null || !opts.exec) {
    // A blocking refusal is normally caught before anything is written (apply.ts).
    const why = resolved.via === null ? resolved.why : "no process runner given";
    return {
      ...base,
      ran: null,
      via: null,
      status: "not-run",
      exitCode: null,
      detail: why,
      manual: shellLine(command.argv),
    };
  }
  const ran = { ...base, ran: resolved.argv, via: resolved.via, manual: null };
  try {
    const result = await opts.exec(resolved.argv, { timeoutMs: opts.timeoutMs ?? 120_000 });
    const output = (result.stderr.trim() || result.stdout.trim()).slice(-DETAIL_LIMIT);
    return { ...ran, status: result.code === 0 ? "ok" : "failed", exitCode: result.code, detail: output };
  } catch (error) {
    return {
      ...ran,
      status: "failed",
      exitCode: null,
      detail: error instanceof Error ? error.message : String(error),
    };
  }
}

async function binaryUnderRoot(root: string, name: string): Promise<boolean> {
  const candidates = name.startsWith("/") ? [name] : BIN_DIRS.map((dir) => `${dir}/${name}`);
  for (const candidate of candidates) {
    try {
      const resolved = await resolveUnderRoot(root, candidate, "follow");
      if (resolved.stat?.isFile() && (resolved.stat.mode & 0o111) !== 0) return true;
    } catch {
      // A path that escapes the root or crosses a file is no binary of the node's.
    }
  }
  return false;
}

async function hostToolFor(
  argv: readonly string[],
  root: string,
  binDirs: readonly string[],
): Promise<string[] | null> {
  const name = basename(argv[0]!);
  const tool = HOST_TOOLS[name];
  if (!tool) return null;
  const binary = await findExecutable(name, binDirs);
  if (!binary) return null;
  const text = readToolText(binary);
  if (!tool.flavour.every((flag) => text.includes(flag))) return null;
  const options: string[] = [];
  for (const [flag, nodeDir] of tool.dirOptions) {
    options.push(flag, (await resolveUnderRoot(root, nodeDir, "follow")).hostPath);
  }
  return [binary, ...argv.slice(1), ...options];
}

/** The tools told apart here are shell scripts of a few KiB; anything bigger is not one of them. */
const MAX_TOOL_BYTES = 1024 * 1024;

function readToolText(binary: string): string {
  try {
    return readRegularFile(binary, { maxBytes: MAX_TOOL_BYTES }).toString("latin1");
  } catch {
    return "";
  }
}

async function findExecutable(name: string, dirs: readonly string[]): Promise<string | null> {
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/**
 * Why restarting the unit of the node's init (PID 1) would not load what we
 * changed under `root`, or null when it would: PID 1 must see the directory
 * of `command.reads` (the nearest one that exists; `/` for commands recorded
 * without it) as the very directory under `root` (same device and inode).
 */
async function pid1DoesNotSee(command: PlanCommand, root: string, pid1Root: string): Promise<string | null> {
  let dir = command.reads ? dirname(command.reads) : "/";
  let ours = await resolveUnderRoot(root, dir, "follow");
  while (!ours.stat && dir !== "/") {
    dir = dirname(dir);
    ours = await resolveUnderRoot(root, dir, "follow");
  }
  const theirs = join(pid1Root, dir);
  const unit = command.unit ?? command.argv.at(-1);
  let seen: Stats;
  try {
    seen = await stat(theirs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM") {
      return `cannot look into PID 1's root (${pid1Root}: ${code}): from a pod, restarts need hostPID and CAP_SYS_PTRACE (regtrust k8s manifests --restart)`;
    }
    return `${theirs} does not exist, so PID 1 does not run from the node at ${root}: restarting its ${unit} would not load this change`;
  }
  if (ours.stat && ours.stat.dev === seen.dev && ours.stat.ino === seen.ino) return null;
  const ownInit = await sameFile("/", pid1Root);
  return (
    `${ours.hostPath} is not ${dir} of the system PID 1 runs (${theirs}), so restarting its ${unit} would not load this change` +
    (ownInit ? " (PID 1 shares this process's root: in a pod, restarts need hostPID)" : "")
  );
}

async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    const [sa, sb] = await Promise.all([stat(a), stat(b)]);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/** argv as a line a person can paste into a POSIX shell. */
export function shellLine(argv: readonly string[]): string {
  return argv
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`))
    .join(" ");
}
