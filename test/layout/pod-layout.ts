/**
 * Runs the built dist/regtrust.mjs as a real process in a pod's view of a
 * node: a private mount namespace (`unshare --mount`) where the node's own
 * system directories are bind-mounted into the node root (debian-node.ts) and
 * exactly the pod's hostPath volumes are bind-mounted at their mountPaths
 * under a stand-in for the container's filesystem. Writes through a mount
 * land on the node copy; the namespace ends with the process, so nothing is
 * left mounted.
 *
 * The layouts come from the objects regtrust generates, not from a copy of
 * them: the DaemonSet of src/k8s/manifests/manifests.ts and the pod of
 * src/k8s/node-run/pod-spec.ts.
 */
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { V1Container, V1PodSpec } from "@kubernetes/client-node";
import { SYSTEM_BINDS } from "./debian-node.ts";

export const DIST = join(import.meta.dirname, "../../dist/regtrust.mjs");

/** One volume mount of the pod: a node path (hostPath) or files (a ConfigMap; none for an emptyDir) at a container path. */
export type PodMount =
  | { kind: "host"; nodePath: string; mountPath: string; readOnly: boolean }
  | { kind: "files"; files: Record<string, string>; mountPath: string };

export interface PodLayout {
  mounts: PodMount[];
  args: string[];
  env: Record<string, string>;
}

export interface ProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The layout of the first container of a pod spec; ConfigMap volumes take their data from `configMaps`. */
export function layoutOf(
  spec: V1PodSpec,
  configMaps: Record<string, Record<string, string>> = {},
): PodLayout {
  const container = spec.containers[0] as V1Container;
  const mounts: PodMount[] = (container.volumeMounts ?? []).map((vm) => {
    const volume = (spec.volumes ?? []).find((v) => v.name === vm.name);
    if (volume?.hostPath) {
      return {
        kind: "host",
        nodePath: volume.hostPath.path,
        mountPath: vm.mountPath,
        readOnly: vm.readOnly === true,
      };
    }
    if (volume?.configMap) {
      return { kind: "files", files: configMaps[volume.configMap.name ?? ""] ?? {}, mountPath: vm.mountPath };
    }
    // An emptyDir (the agent's /tmp beside its read-only root file system) is an empty directory.
    if (volume?.emptyDir) return { kind: "files", files: {}, mountPath: vm.mountPath };
    throw new Error(`volume ${vm.name}: neither hostPath, configMap nor emptyDir`);
  });
  const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? ""]));
  return { mounts, args: container.args ?? [], env };
}

/**
 * The pod's argv with container paths (a mount path, a path in one, or a
 * directory holding some, like the DaemonSet's /host) moved under the
 * stand-in container directory.
 */
export function containerArgs(layout: PodLayout, container: string): string[] {
  const mountPaths = layout.mounts.map((m) => m.mountPath);
  const inContainer = (arg: string) =>
    mountPaths.some((p) => arg === p || arg.startsWith(`${p}/`) || p.startsWith(`${arg}/`));
  return layout.args.map((arg) => (arg.startsWith("/") && inContainer(arg) ? join(container, arg) : arg));
}

/**
 * The script run inside the namespace: the node's system directories, then
 * each hostPath volume (`rbind` for the node's `/`, which brings the system
 * mounts along), read-only where the pod says so; then the command.
 */
const SCRIPT = `set -e
node=$1; ctr=$2; shift 2
for d in ${SYSTEM_BINDS.join(" ")}; do mount --bind "$d" "$node$d"; done
for d in ${SYSTEM_BINDS.filter((d) => d !== "/dev").join(" ")}; do mount -o remount,bind,ro "$node$d"; done
while [ "$1" != "--" ]; do
  src=$1; dst=$2; mode=$3; shift 3
  mkdir -p "$ctr$dst"
  if [ "$src" = / ]; then mount --rbind "$node" "$ctr$dst"; else mount --bind "$node$src" "$ctr$dst"; fi
  if [ "$mode" = ro ]; then mount -o remount,bind,ro "$ctr$dst"; fi
done
shift
exec "$@"
`;

/** Runs `argv` with the node's system directories and the pod's mounts in place. */
export async function runInLayout(
  node: string,
  container: string,
  layout: PodLayout,
  argv: string[],
  timeoutMs = 90_000,
): Promise<ProcessRun> {
  await createHostPathDirs(node, layout);
  const specs: string[] = [];
  for (const mount of layout.mounts) {
    if (mount.kind === "files") {
      await mkdir(join(container, mount.mountPath), { recursive: true });
      for (const [name, content] of Object.entries(mount.files)) {
        await mkdir(join(container, mount.mountPath), { recursive: true });
        await writeFile(join(container, mount.mountPath, name), inContainer(content, layout, container));
      }
      continue;
    }
    specs.push(mount.nodePath, mount.mountPath, mount.readOnly ? "ro" : "rw");
  }
  return spawnRun(
    "unshare",
    [
      "--mount",
      "--propagation",
      "private",
      "--",
      "sh",
      "-ec",
      SCRIPT,
      "sh",
      node,
      container,
      ...specs,
      "--",
      ...argv,
    ],
    layout.env,
    timeoutMs,
  );
}

/** hostPath type DirectoryOrCreate: kubelet creates a missing directory on the node before the pod starts. */
export async function createHostPathDirs(node: string, layout: PodLayout): Promise<void> {
  for (const mount of layout.mounts) {
    if (mount.kind === "host") await mkdir(join(node, mount.nodePath), { recursive: true });
  }
}

/** Container paths inside mounted files (the agent config's caFile) moved like the argv. */
function inContainer(content: string, layout: PodLayout, container: string): string {
  // One pass, longest mount first, and only where a path starts: a replaced path (the stand-in container
  // directory itself lies under /tmp) must not be rewritten again by the /tmp emptyDir.
  const paths = layout.mounts.map((m) => m.mountPath).sort((a, b) => b.length - a.length);
  if (paths.length === 0) return content;
  const escaped = paths.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(`(^|[^\\w./-])(${escaped.join("|")})/`, "g");
  return content.replace(pattern, (_m, lead: string, path: string) => `${lead}${join(container, path)}/`);
}

/** The node's own tool on the node (`chroot <node> update-ca-certificates …`), for reference outputs. */
export async function runNodeTool(node: string, argv: string[]): Promise<ProcessRun> {
  return runInLayout(node, node, { mounts: [], args: [], env: {} }, ["chroot", node, ...argv]);
}

function spawnRun(
  file: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<ProcessRun> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: { ...process.env, ...env, NO_COLOR: "1" }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr: error && code === -1 ? `${stderr}\n${error.message}` : stderr });
      },
    );
  });
}
