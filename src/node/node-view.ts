import { CONTAINERD_CONFIG, type ContainerdConfig, readContainerdConfig } from "./containerd/config.ts";
import { containerdFeatures } from "./containerd/features.ts";
import { containerdTrustFor } from "./containerd/trust.ts";
import { detectContainerdVersion, detectDockerVersion } from "./containerd/version.ts";
import { type CrioTrustOptions, crioTrustFor } from "./containers/containers.ts";
import { type RegistriesConf, readRegistriesConf } from "./containers/registries-conf.ts";
import { detectRuntimes } from "./detect.ts";
import { type DaemonFlags, readDaemonFlags } from "./docker/daemon-flags.ts";
import { type DaemonJson, readDaemonJson } from "./docker/daemon-json.ts";
import { dockerTrustFor } from "./docker/docker.ts";
import type { HostFs } from "./host-fs.ts";
import { agentContainerdDir, k3sTrustFor } from "./k3s/k3s.ts";
import { type Distribution, type RegistriesYaml, readRegistriesYaml } from "./k3s/registries-yaml.ts";
import { crioImageLibraryVersion, embeddedContainerdVersion, runtimeGoToolchain } from "./runtime-go.ts";
import { readSystemStore, type SystemStoreOptions } from "./system/system-store.ts";
import type { DetectedRuntime, DistroInfo, RuntimeName, RuntimeTrustView, SystemStore } from "./types.ts";

/** Everything regtrust reads about a node's trust configuration, read once. */
export interface NodeView {
  distro: DistroInfo;
  system: SystemStore;
  /** The runtimes asked for (with whatever evidence exists), or those detected. */
  runtimes: DetectedRuntime[];
  /**
   * What `runtime` trusts for `registry` ("host[:port]" as in the image reference). Cached.
   * `addresses`: the registry host's addresses as this node resolves them (dockerd's insecure CIDRs match them).
   */
  trustFor(runtime: RuntimeName, registry: string, addresses?: readonly string[]): RuntimeTrustView;
  /** The parsed containerd config.toml, for `regtrust trust` planning. */
  containerdConfig(): ContainerdConfig;
}

export interface NodeViewOptions {
  runtimes?: RuntimeName[];
  /** SSL_CERT_FILE / SSL_CERT_DIR of the runtimes, when known. */
  systemStore?: SystemStoreOptions;
  /** containerd's version when known better than the package database says (e.g. from `containerd --version`). */
  containerdVersion?: string;
}

/**
 * Reads the node under the HostFs root once: distro, OS store, runtimes.
 * Each runtime's config files are parsed on first use and shared by every
 * later `trustFor` call, so a `scan` of many targets reads them once.
 */
export function readNodeView(fs: HostFs, opts: NodeViewOptions = {}): NodeView {
  const system = readSystemStore(fs, opts.systemStore);
  const cache = new Map<string, RuntimeTrustView>();
  const goOf = new Map<RuntimeName, ReturnType<typeof runtimeGoToolchain>>();
  const goToolchainOf = (runtime: RuntimeName) => {
    if (!goOf.has(runtime)) goOf.set(runtime, runtimeGoToolchain(fs, runtime));
    return goOf.get(runtime) ?? null;
  };
  const containerdVersion = once(() =>
    opts.containerdVersion
      ? { version: opts.containerdVersion, source: "option" }
      : detectContainerdVersion(fs),
  );
  const containerdConfig = once(() =>
    readContainerdConfig(fs, CONTAINERD_CONFIG, containerdFeatures(containerdVersion()?.version)),
  );
  const embeddedK3s = once(() => embeddedContainerdVersion(goToolchainOf("k3s")));
  const embeddedRke2 = once(() => embeddedContainerdVersion(goToolchainOf("rke2")));
  const configs = {
    containerdConfig,
    containerdVersion,
    daemonJson: once<DaemonJson>(() => readDaemonJson(fs)),
    daemonFlags: once<DaemonFlags>(() => readDaemonFlags(fs)),
    dockerVersion: once(() => detectDockerVersion(fs)),
    registriesConf: once<RegistriesConf>(() => readRegistriesConf(fs)),
    registriesYaml: {
      k3s: once(() => readRegistriesYaml(fs, "k3s")),
      rke2: once(() => readRegistriesYaml(fs, "rke2")),
    },
    embeddedContainerd: { k3s: embeddedK3s, rke2: embeddedRke2 },
    crioImageLibrary: once(() => crioImageLibraryVersion(goToolchainOf("crio"))),
    agentConfig: {
      k3s: once(() =>
        readContainerdConfig(
          fs,
          `${agentContainerdDir("k3s")}/config.toml`,
          containerdFeatures(embeddedK3s()?.version),
        ),
      ),
      rke2: once(() =>
        readContainerdConfig(
          fs,
          `${agentContainerdDir("rke2")}/config.toml`,
          containerdFeatures(embeddedRke2()?.version),
        ),
      ),
    },
  };
  return {
    distro: system.distro,
    system,
    runtimes: runtimesFor(fs, opts.runtimes, containerdConfig),
    containerdConfig,
    trustFor(runtime, registry, addresses) {
      const key = `${runtime}\u0000${registry}\u0000${(addresses ?? []).join(",")}`;
      const cached = cache.get(key);
      if (cached) return cached;
      const computed = computeTrust(fs, runtime, { registry, addresses: addresses ?? null }, configs);
      // Which Go's rules and error text apply: the runtime binary's own build info (issue #22).
      const go = computed.goToolchain ?? goToolchainOf(runtime);
      const view = go ? { ...computed, goToolchain: go } : computed;
      cache.set(key, view);
      return view;
    },
  };
}

interface ConfigCache {
  containerdConfig: () => ContainerdConfig;
  containerdVersion: () => { version: string; source: string } | null;
  daemonJson: () => DaemonJson;
  daemonFlags: () => DaemonFlags;
  dockerVersion: () => { version: string; source: string } | null;
  registriesConf: () => RegistriesConf;
  registriesYaml: Record<Distribution, () => RegistriesYaml>;
  agentConfig: Record<Distribution, () => ContainerdConfig>;
  /** The containers/image release CRI-O is built with, from its binary's Go build info (runtime-go.ts). */
  crioImageLibrary: () => { version: string; source: string } | null;
  /** The containerd k3s/RKE2 embed, from their binary's Go build info (runtime-go.ts). */
  embeddedContainerd: Record<Distribution, () => { version: string; source: string } | null>;
}

function computeTrust(
  fs: HostFs,
  runtime: RuntimeName,
  target: { registry: string; addresses: readonly string[] | null },
  c: ConfigCache,
): RuntimeTrustView {
  const { registry } = target;
  switch (runtime) {
    case "containerd":
      return containerdTrustFor(fs, registry, {
        config: c.containerdConfig(),
        containerdVersion: c.containerdVersion()?.version ?? null,
        containerdVersionSource: c.containerdVersion()?.source ?? null,
      });
    case "docker":
      return dockerTrustFor(fs, registry, {
        daemonJson: c.daemonJson(),
        flags: c.daemonFlags(),
        dockerVersion: c.dockerVersion(),
        ...(target.addresses ? { addresses: target.addresses } : {}),
      });
    case "crio":
      return crioTrustFor(fs, registry, {
        registriesConf: c.registriesConf(),
        imageLibraryVersion: c.crioImageLibrary(),
      } satisfies CrioTrustOptions);
    case "k3s":
    case "rke2":
      return k3sTrustFor(fs, registry, runtime, {
        registriesYaml: c.registriesYaml[runtime](),
        containerdConfig: c.agentConfig[runtime](),
        containerdVersion: c.embeddedContainerd[runtime](),
      });
  }
}

/**
 * Asked-for runtimes keep their order; detection drops a containerd whose
 * CRI plugin is disabled (Docker's containerd.io default): kubelet cannot
 * pull through it, and dockerd's own view covers that host.
 */
function runtimesFor(
  fs: HostFs,
  asked: RuntimeName[] | undefined,
  config: () => ContainerdConfig,
): DetectedRuntime[] {
  const detected = detectRuntimes(fs);
  if (asked) return asked.map((name) => detected.find((d) => d.name === name) ?? { name, evidence: [] });
  return detected.filter((d) => d.name !== "containerd" || !config().criDisabled);
}

function once<T>(load: () => T): () => T {
  let loaded: { value: T } | null = null;
  return () => {
    loaded ??= { value: load() };
    return loaded.value;
  };
}
