import type { V1SecurityContext } from "@kubernetes/client-node";

/**
 * What a regtrust pod (the DaemonSet agent, `k8s node` pods) may do on its
 * node, per mode, with the reason for each right. One table, so the
 * manifests, the node-run pod, docs/agent.md and the restart code path
 * (plan/commands.ts resolveRestart) say the same thing. Never `privileged`:
 * that also grants every device, an unmasked /proc and /sys, and no seccomp
 * filter, none of which regtrust uses.
 *
 * - read (diagnose, audit, agent in report mode): root, because node files
 *   such as k3s registries.yaml are 0600 root; every capability dropped.
 * - write (trust, untrust, agent in enforce mode): WRITE_CAPABILITIES.
 * - restart (opt-in): also RESTART_CAPABILITIES, hostPID and no AppArmor
 *   confinement. The restart runs `nsenter -t 1 -m -u -i -n -p -- systemctl
 *   restart UNIT`: it joins the namespaces of the node's init (PID 1, visible
 *   only with hostPID), where the node's own systemctl talks to the node's
 *   systemd. chroot + systemctl is no option: systemctl refuses to start or
 *   stop units when it detects a chroot. This is root on the node in all but
 *   name; it is why restarts are off unless asked for.
 */
export type PodMode = "read" | "write" | "restart";

export interface Capability {
  name: string;
  why: string;
}

export const WRITE_CAPABILITIES: readonly Capability[] = [
  {
    name: "CHOWN",
    why: "a replaced node file keeps its owner and group (plan/fs-ops.ts chowns the new file to the old one's)",
  },
  {
    name: "DAC_OVERRIDE",
    why: "read and replace trust files whatever their owner and mode (a CA file 0600 of another user)",
  },
  { name: "FOWNER", why: "chmod a replaced file to the old one's mode when root does not own it" },
];

export const RESTART_CAPABILITIES: readonly Capability[] = [
  {
    name: "SYS_PTRACE",
    why: "open /proc/1/ns/* and /proc/1/root: PID 1 holds capabilities this pod lacks, so the kernel's ptrace access check asks for it",
  },
  {
    name: "SYS_ADMIN",
    why: "setns(2) into PID 1's mount, UTS, IPC and network namespaces (nsenter -m -u -i -n)",
  },
  { name: "SYS_CHROOT", why: "setns(2) into a mount namespace also needs CAP_SYS_CHROOT" },
];

/**
 * Pods that mount the node's whole `/` (k8s node) run the node's own tools
 * as `chroot /host TOOL` (plan/commands.ts); the agent's hostPath layout holds
 * no node binaries, so it never chroots and is not given the right.
 */
export const CHROOT_CAPABILITY: Capability = {
  name: "SYS_CHROOT",
  why: "run the node's own update-ca-certificates as `chroot /host …` (pods that mount the node's /)",
};

export interface PrivilegeOptions {
  /** The pod mounts the node's `/` and runs node tools under chroot. */
  chroot?: boolean;
}

export function capabilitiesFor(mode: PodMode, opts: PrivilegeOptions = {}): Capability[] {
  if (mode === "read") return [];
  const write = opts.chroot ? [...WRITE_CAPABILITIES, CHROOT_CAPABILITY] : [...WRITE_CAPABILITIES];
  if (mode === "write") return write;
  const names = new Set(write.map((c) => c.name));
  return [...write, ...RESTART_CAPABILITIES.filter((c) => !names.has(c.name))];
}

/**
 * The container's securityContext for a mode (root, as the node's files
 * need). allowPrivilegeEscalation false (no_new_privs) in every mode: it only
 * stops an exec from gaining capabilities the process does not hold, so
 * nsenter keeps the ones listed here (test/k8s/restart-layout.test.ts runs it
 * under no_new_privs). In restart mode it is no boundary — a holder of
 * CAP_SYS_ADMIN can do far more — and the API would refuse the pair if the
 * capability were spelled "CAP_SYS_ADMIN" (pkg/apis/core/validation matches
 * that literal); it is kept there for one setting across modes, not as a
 * defence.
 */
export function securityContextFor(mode: PodMode, opts: PrivilegeOptions = {}): V1SecurityContext {
  const add = capabilitiesFor(mode, opts).map((c) => c.name);
  const context: V1SecurityContext = {
    runAsUser: 0,
    runAsNonRoot: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: add.length ? { drop: ["ALL"], add } : { drop: ["ALL"] },
  };
  // AppArmor's container profiles allow ptrace only between peers of the same
  // profile, so opening PID 1's namespaces needs the pod unconfined (GA in 1.30;
  // ignored where AppArmor is off). The RuntimeDefault seccomp profile allows
  // setns(2) once CAP_SYS_ADMIN is granted.
  return mode === "restart" ? { ...context, appArmorProfile: { type: "Unconfined" } } : context;
}

/** Pod-level fields for a mode: only restarts need the node's PID namespace. */
export function podFieldsFor(mode: PodMode): { hostPID?: true } {
  return mode === "restart" ? { hostPID: true } : {};
}
