/**
 * config.toml (version 2, the containerd 1.6/1.7 format) for one private
 * containerd: its own root, state and sockets under a temp dir, the CRI
 * plugin on the `native` snapshotter (no mounts, works in a container
 * sandbox), and snapshotters that need kernel support disabled. A test's
 * extra TOML is deep-merged on top, so it may override any of these.
 * Keys: containerd docs/man/containerd-config.toml.5.md, docs/cri/config.md.
 */
import { join } from "node:path";
import { parse, stringify } from "smol-toml";

const CRI = "io.containerd.grpc.v1.cri";

/** Plugins that need kernel features or host paths a test sandbox lacks; CRI pulls need none of them. */
export const DISABLED_PLUGINS = [
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.overlayfs",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
] as const;

export interface ContainerdPaths {
  dir: string;
  root: string;
  state: string;
  address: string;
  configFile: string;
}

/** Everything lives under `dir`; the socket path stays well under the 108-byte sun_path limit. */
export function containerdPaths(dir: string): ContainerdPaths {
  return {
    dir,
    root: join(dir, "root"),
    state: join(dir, "state"),
    address: join(dir, "containerd.sock"),
    configFile: join(dir, "config.toml"),
  };
}

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Tables merge key by key; any other value in `extra` replaces the base value. */
export function deepMerge(base: Table, extra: Table): Table {
  const merged: Table = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = merged[key];
    merged[key] = isTable(current) && isTable(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

export function containerdConfigToml(
  paths: ContainerdPaths,
  opts: { configToml?: string; configPath?: string },
): string {
  const cri: Table = {
    disable_tcp_service: true,
    stream_server_address: "127.0.0.1",
    stream_server_port: "0",
    containerd: { snapshotter: "native" },
    // Private CNI dirs: the host's network config must not matter (pods are never run).
    cni: { bin_dir: join(paths.dir, "cni", "bin"), conf_dir: join(paths.dir, "cni", "net.d") },
  };
  if (opts.configPath !== undefined) cri.registry = { config_path: opts.configPath };
  const base: Table = {
    version: 2,
    root: paths.root,
    state: paths.state,
    disabled_plugins: [...DISABLED_PLUGINS],
    grpc: { address: paths.address },
    ttrpc: { address: `${paths.address}.ttrpc` },
    debug: { level: "debug" },
    plugins: { [CRI]: cri, "io.containerd.internal.v1.opt": { path: join(paths.dir, "opt") } },
  };
  const extra = opts.configToml ? (parse(opts.configToml) as Table) : {};
  return stringify(deepMerge(base, extra));
}
