/**
 * A private containerd per test, driven through its CRI plugin like a
 * kubelet would. Started as a plain child process (no systemd here) with its
 * own root/state/socket; `restart()` keeps them, as `systemctl restart` does,
 * which is what tests of "config.toml changes need a restart" rely on.
 */
import { access, mkdir, writeFile } from "node:fs/promises";
import { type ContainerdPaths, containerdConfigToml, containerdPaths } from "./containerd-config.ts";
import { containerdArgv, isForeignPlatform } from "./containerd-foreign.ts";
import { imageStatus } from "./cri-client.ts";
import { type Service, startService } from "./processes.ts";
import { makeTempDir, removeTempDir } from "./tmp.ts";
import { waitFor } from "./wait.ts";

export const CONTAINERD_BINARY = "/usr/bin/containerd";

export interface ContainerdOptions {
  /** Extra config.toml (version 2 keys), deep-merged over the harness defaults. */
  configToml?: string;
  /** CRI `registry.config_path` (the certs.d root(s), `:`-separated); unset when absent. */
  configPath?: string;
  /**
   * "cri" (default): ready when a CRI ImageStatus call succeeds. "socket": ready
   * when the gRPC socket exists, for tests whose config makes the CRI plugin fail.
   */
  readiness?: "cri" | "socket";
  readyTimeoutMs?: number;
  /**
   * Where the harness writes its config.toml and what `--config` names (default:
   * its temp dir). A node tree's /etc/containerd/config.toml makes this
   * containerd the node's own, as regtrust matches a daemon by its --config.
   */
  configFile?: string;
  /**
   * The platform whose containerd build runs, which is the platform a CRI pull
   * selects from an index. Default: this machine's. "linux/arm64" on an amd64
   * machine runs Debian 12's arm64 containerd 1.6.20 under qemu-aarch64-static
   * (containerd-foreign.ts); start-up then takes seconds, not milliseconds.
   */
  platform?: "linux/amd64" | "linux/arm64";
}

export interface RunningContainerd {
  /** Path of the gRPC unix socket (pass to the CRI client; kubelet writes it as unix://…). */
  address: string;
  root: string;
  state: string;
  configFile: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Logs of the current process, preceded by those of processes replaced by restart(). */
  logs(): string;
}

export async function startContainerd(opts: ContainerdOptions = {}): Promise<RunningContainerd> {
  const base = containerdPaths(await makeTempDir("containerd"));
  const paths = opts.configFile ? { ...base, configFile: opts.configFile } : base;
  const previousLogs: string[] = [];
  let service: Service | undefined;
  const stopService = async () => {
    if (!service) return;
    await service.stop(10_000);
    previousLogs.push(service.logs());
    service = undefined;
  };
  try {
    await mkdir(paths.root, { recursive: true, mode: 0o711 });
    await writeFile(paths.configFile, containerdConfigToml(paths, opts));
    service = await launchContainerd(paths, opts);
  } catch (err) {
    await removeTempDir(paths.dir);
    throw err;
  }
  return {
    address: paths.address,
    root: paths.root,
    state: paths.state,
    configFile: paths.configFile,
    logs: () => [...previousLogs, service?.logs() ?? ""].join("\n--- containerd restarted ---\n"),
    restart: async () => {
      await stopService();
      service = await launchContainerd(paths, opts);
    },
    stop: async () => {
      try {
        await stopService();
      } finally {
        await removeTempDir(paths.dir);
      }
    },
  };
}

async function launchContainerd(paths: ContainerdPaths, opts: ContainerdOptions): Promise<Service> {
  const argv = await containerdArgv(CONTAINERD_BINARY, opts.platform, ["--config", paths.configFile]);
  const service = startService(argv, { cwd: paths.dir });
  // Emulated, Go's start-up and plugin init run several times slower (qemu 7.2 user mode, TCG).
  const timeoutMs = opts.readyTimeoutMs ?? (isForeignPlatform(opts.platform) ? 120_000 : 20_000);
  try {
    await waitFor(() => containerdState(service, paths.address, opts.readiness ?? "cri"), {
      what: `containerd${opts.platform ? ` (${opts.platform})` : ""} on ${paths.address}`,
      timeoutMs,
      intervalMs: 200,
    });
    if (!service.isRunning())
      throw new Error(`containerd exited during start-up (config ${paths.configFile})`);
    return service;
  } catch (err) {
    await service.stop(5000);
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${message}\n--- containerd log ---\n${service.logs()}`);
  }
}

/** "cri": the CRI plugin answers ImageStatus for an image nobody has (a cheap no-op call). */
async function containerdState(
  service: Service,
  address: string,
  readiness: "cri" | "socket",
): Promise<true | undefined> {
  if (!service.isRunning()) return true;
  await access(address);
  if (readiness === "socket")
    return service.logs().includes("containerd successfully booted") ? true : undefined;
  await imageStatus(address, "regtrust.invalid/readiness-probe:none", { timeoutMs: 1000 });
  return true;
}
