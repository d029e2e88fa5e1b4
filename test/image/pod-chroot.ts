/**
 * Runs an image's entrypoint the way a container runtime would for a pod,
 * with chroot instead of runc: in a private mount namespace (unshare), the
 * image's root file system as containerd unpacked it (a writable snapshot
 * prepared on the pulled image's top layer, as containerd does for a
 * container's root; `ctr snapshots prepare` + `mounts`), /proc, a minimal
 * /dev, the node's /etc/hosts and /etc/resolv.conf (hostNetwork pods with
 * dnsPolicy Default), the pod's hostPath and config mounts, optionally a
 * read-only root; then chroot, and inside it the image's own setpriv
 * (util-linux) applies what runc would from the container's securityContext:
 * the user kubelet picks (runAsUser, else the image's User), the capability
 * bounding set (containerd's default set, minus `drop`, plus `add`; all when
 * privileged) and no_new_privs; then the image's Env and WorkingDir,
 * Entrypoint + the container's args. Every mount dies with the
 * namespace; the snapshot goes with the test's containerd.
 */
import type { V1SecurityContext } from "@kubernetes/client-node";
import { type CommandResult, runCommand } from "../support/processes.ts";

export interface ImageConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
}

export interface PodMount {
  hostPath: string;
  mountPath: string;
  readOnly?: boolean;
}

export interface PodRunOptions {
  /** containerd socket and the ChainID of the pulled image's top layer (namespace k8s.io, native snapshotter). */
  containerd: { address: string; chainId: string };
  /** An empty directory to mount the snapshot on (also the snapshot's key). */
  rootDir: string;
  config: ImageConfig;
  /** Kubernetes `args`: replace the image's Cmd, keep its Entrypoint. */
  args?: string[];
  securityContext?: V1SecurityContext;
  env?: Record<string, string>;
  mounts?: PodMount[];
  timeoutMs?: number;
}

const DEVICES = ["null", "zero", "full", "random", "urandom", "tty"];

/** containerd's default capabilities for a container (oci/spec.go, 1.6/1.7), what `drop`/`add` start from. */
const DEFAULT_CAPS = [
  "CHOWN",
  "DAC_OVERRIDE",
  "FSETID",
  "FOWNER",
  "MKNOD",
  "NET_RAW",
  "SETGID",
  "SETUID",
  "SETFCAP",
  "SETPCAP",
  "NET_BIND_SERVICE",
  "SYS_CHROOT",
  "KILL",
  "AUDIT_WRITE",
];

export async function runInPod(opts: PodRunOptions): Promise<CommandResult & { user: string }> {
  const user = effectiveUser(opts);
  const argv = [...(opts.config.Entrypoint ?? []), ...(opts.args ?? opts.config.Cmd ?? [])];
  const root = opts.rootDir;
  const q = shellQuote;
  const lines = [
    "set -eu",
    `ctr --address ${q(opts.containerd.address)} --namespace k8s.io snapshots --snapshotter native prepare ${q(root)} ${q(opts.containerd.chainId)} >/dev/null`,
    // ctr prints the mount command (native: a bind mount of the snapshot's directory).
    `eval "$(ctr --address ${q(opts.containerd.address)} --namespace k8s.io snapshots --snapshotter native mounts ${q(root)} ${q(root)})"`,
    // Like runc, make the mount points the image lacks (it ships no /dev: runtimes provide one).
    `mkdir -p ${q(`${root}/proc`)} ${q(`${root}/dev`)}`,
    `mount -t proc proc ${q(`${root}/proc`)}`,
    `mount -t tmpfs -o nosuid,mode=755 tmpfs ${q(`${root}/dev`)}`,
    ...DEVICES.flatMap((d) => [
      `touch ${q(`${root}/dev/${d}`)}`,
      `mount --bind /dev/${d} ${q(`${root}/dev/${d}`)}`,
    ]),
    `ln -s /proc/self/fd ${q(`${root}/dev/fd`)}`,
    ...["/etc/hosts", "/etc/resolv.conf"].flatMap((f) => bind({ hostPath: f, mountPath: f, readOnly: true })),
    ...(opts.mounts ?? []).flatMap(bind),
    ...(opts.securityContext?.readOnlyRootFilesystem ? [`mount -o remount,bind,ro ${q(root)}`] : []),
    // runc's rule when the image sets no HOME: the user's home in the image's /etc/passwd, else /.
    `[ -n "\${HOME:-}" ] || HOME="$(awk -F: -v u=${user.split(":")[0]} '$3 == u { print $6; exit }' ${q(`${root}/etc/passwd`)})"`,
    `export HOME="\${HOME:-/}"`,
    `exec chroot ${q(root)} ${setprivArgs(user, opts.securityContext ?? {}).join(" ")} -- /usr/bin/env -C ${q(opts.config.WorkingDir || "/")} -- ${argv.map(q).join(" ")}`,
  ];
  function bind(m: PodMount): string[] {
    const target = q(`${root}${m.mountPath}`);
    return [
      `if [ -d ${q(m.hostPath)} ]; then mkdir -p ${target}; else mkdir -p "$(dirname ${target})"; touch ${target}; fi`,
      `mount --bind ${q(m.hostPath)} ${target}`,
      ...(m.readOnly ? [`mount -o remount,bind,ro ${target}`] : []),
    ];
  }
  const env = { ...envOf(opts.config.Env ?? []), ...opts.env };
  const run = await runCommand(
    [
      "unshare",
      "--mount",
      "--propagation",
      "private",
      "--fork",
      "--kill-child",
      "--",
      "/bin/sh",
      "-c",
      lines.join("\n"),
    ],
    { timeoutMs: opts.timeoutMs ?? 60_000, env },
  );
  return { ...run, user };
}

/** "uid:gid" as kubelet/runc would run it: runAsUser wins; the image's User (numeric here) otherwise. */
function effectiveUser(opts: PodRunOptions): string {
  const [imageUid = "0", imageGid] = (opts.config.User || "0").split(":");
  if (!/^\d+$/.test(imageUid) || (imageGid !== undefined && !/^\d+$/.test(imageGid))) {
    throw new Error(`image User ${opts.config.User}: only numeric uid[:gid] is handled here`);
  }
  const runAsUser = opts.securityContext?.runAsUser;
  if (runAsUser !== undefined) return `${runAsUser}:${imageGid ?? 0}`;
  return `${imageUid}:${imageGid ?? 0}`;
}

/** setpriv(1) options for what runc sets up from a securityContext. */
function setprivArgs(user: string, context: V1SecurityContext): string[] {
  const [uid, gid] = user.split(":");
  const args = ["/usr/bin/setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", "--inh-caps=-all"];
  if (context.allowPrivilegeEscalation === false) args.push("--no-new-privs");
  if (context.privileged) return args;
  const name = (cap: string) => cap.replace(/^CAP_/i, "").toUpperCase();
  const drop = new Set((context.capabilities?.drop ?? []).map(name));
  const caps = new Set(drop.has("ALL") ? [] : DEFAULT_CAPS.filter((cap) => !drop.has(cap)));
  for (const cap of context.capabilities?.add ?? []) caps.add(name(cap));
  args.push(`--bounding-set=${["-all", ...[...caps].map((cap) => `+${cap.toLowerCase()}`)].join(",")}`);
  return args;
}

function envOf(list: string[]): Record<string, string> {
  return Object.fromEntries(list.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}
