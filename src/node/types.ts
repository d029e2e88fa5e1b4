import type { Finding } from "../findings/finding.ts";
import type { GoToolchainSource } from "../pki/go-rules.ts";

export type RuntimeName = "containerd" | "docker" | "crio" | "k3s" | "rke2";
export type ContextName = "system" | RuntimeName;
export const RUNTIME_NAMES: readonly RuntimeName[] = ["containerd", "docker", "crio", "k3s", "rke2"];

/** A file that contributes certificates to a trust pool, read through HostFs. */
export interface TrustSource {
  /** Node-absolute path (as written in node config; resolved under --root for reading). */
  path: string;
  /** File content; null when it could not be read (see `readError`). */
  bytes: Uint8Array | null;
  readError: string | null;
  /** Why this file is in the pool, e.g. "system bundle", "hosts.toml ca", "certs.d *.crt". */
  origin: string;
  /** The config file and line that referenced it, when one did. */
  declaredIn: { file: string; line: number | null } | null;
}

export interface DistroInfo {
  /** os-release ID (debian, ubuntu, rhel, fedora, amzn, sles, opensuse-leap, alpine, arch, …) or "unknown". */
  id: string;
  family: "debian" | "rhel" | "suse" | "alpine" | "arch" | "unknown";
  prettyName: string | null;
}

/** The OS trust store as Go's crypto/x509 SystemCertPool loads it (root_linux.go, root_unix.go). */
export interface SystemStore {
  distro: DistroInfo;
  /** The single bundle file Go loads (first existing of its list), or null. */
  bundle: TrustSource | null;
  /** Files read from Go's certificate directories. */
  dirFiles: TrustSource[];
  /** Where `regtrust trust` installs an anchor on this distro, and the refresh command. */
  anchorDir: string | null;
  refreshCommand: string[] | null;
  /** Node paths the refresh rebuilds the bundle from (absent in older fixtures: none checked). */
  refreshInputs?: string[];
}

export interface InsecureSetting {
  file: string;
  line: number | null;
  /** e.g. "skip_verify = true", "insecure_skip_verify: true", "insecure-registries". */
  setting: string;
  /** Expiry recorded by `regtrust insecure`, ISO-8601, when regtrust set it. */
  expiresAt: string | null;
}

/** What one runtime on this node trusts when it talks to one registry. */
export interface RuntimeTrustView {
  runtime: RuntimeName;
  registry: string;
  /** The runtime's pool starts from the OS store (true for every Go runtime unless configured otherwise). */
  usesSystemRoots: boolean;
  /** Per-registry CA files this runtime appends to its pool, in load order. */
  caFiles: TrustSource[];
  /** Skip-verify in effect for this registry, with where it is set. */
  insecure: InsecureSetting | null;
  /** Config files that decided this view (hosts.toml, config.toml, registries.yaml, …). */
  configFiles: string[];
  /** Config-level findings: config-path-unset, hosts-toml-invalid, ca-file-missing, config-invalid, … */
  findings: Finding[];
  /** One-line human summary of how the runtime was configured for this registry. */
  summary: string;
  /** Endpoints the runtime tries before the registry itself (mirrors), in order. */
  mirrors?: string[];
  /** Registry credentials stored in plain text in this runtime's config files (where, never the values). */
  plaintextCredentials?: PlaintextCredential[];
  /** The runtime's resolved configuration for this registry, field by field (docs/diagnose-json.md). */
  resolved?: ResolvedView;
  /**
   * The Go build of the runtime binary (node/go-buildinfo.ts goVersionOfBinary), whose
   * crypto/x509 rules and error texts apply; absent → pki/go-rules.ts ASSUMED_GO.
   */
  goToolchain?: GoToolchainSource;
}

/** Which runtime version's rules a view applies, and whether the version had to be assumed. */
export interface RulesApplied {
  /** The installed version as found, e.g. "1.6.20~ds1-1+deb12u3"; null when unknown. */
  runtimeVersion: string | null;
  /** Where the version came from: "dpkg status", "apk database", "option"; null when unknown. */
  versionSource: string | null;
  /** The release line whose rules were applied, e.g. "containerd 1.6", "containerd 2.2". */
  rules: string;
  /** True when the version is unknown and the newest known rules were assumed. */
  assumed: boolean;
}

/** One endpoint a runtime tries for a registry, in order. */
export interface ResolvedEndpointView {
  /** Where the entry comes from: a hosts.toml `[host."…"]` table, its `server`, a certs.d *.crt directory, built-in defaults, or a runtime's mirror list. */
  origin: "host" | "server" | "certs.d" | "default" | "mirror";
  scheme: string;
  host: string;
  path: string;
  capabilities: string[];
  caFiles: string[];
  clientCerts: { cert: string; key: string | null }[];
  skipVerify: boolean;
  /** HTTPS first, then plain HTTP after a TLS error (containerd ≥ 1.7 NewHTTPFallback, Docker's insecure registries). */
  httpFallback: boolean;
}

/** What a runtime resolved for one registry, as plain data. */
export interface ResolvedView {
  rules: RulesApplied;
  /** Config files read to decide this view, in order. */
  filesRead: string[];
  /** containerd: config_path as decoded (null when unset), and the registry table it was read from. */
  configPath?: string | null;
  registryTable?: string | null;
  /** containerd: the host directory used, the hosts.toml whose settings apply, and one that was ignored. */
  hostDir?: string | null;
  hostsToml?: string | null;
  hostsTomlIgnored?: { file: string; reason: string; line: number | null } | null;
  /** Endpoints in the order the runtime tries them; the last is the registry itself unless mirrors replace it. */
  endpoints: ResolvedEndpointView[];
  /** Why the runtime fails every pull from this registry before any connection (config it cannot load); null otherwise. */
  error: string | null;
}

/** A registry secret stored in plain text in a node config file. The value is never read into a report. */
export interface PlaintextCredential {
  file: string;
  line: number | null;
  /** Key path, e.g. `configs."reg.example.com".auth.password`. */
  key: string;
}

export interface DetectedRuntime {
  name: RuntimeName;
  /** Node-absolute paths whose presence detected it. */
  evidence: string[];
}
