import type { Finding } from "../../findings/finding.ts";
import type { TomlKeyLines } from "../toml-lines.ts";
import type { PlaintextCredential } from "../types.ts";
import type { LegacyMirror, LegacyRegistryConfig } from "./legacy-registry.ts";

// The parsed config.toml as a type module of its own, so the readers of its
// parts (config-findings.ts) need not import the parser that calls them.

/** containerd's config.toml, reduced to what decides registry trust. */
export interface ContainerdConfig {
  /** Node path of the file. */
  path: string;
  exists: boolean;
  /** False when the file does not parse or containerd refuses it (then containerd or its CRI plugin does not start). */
  valid: boolean;
  /** Why containerd refuses a file that parses (unsupported version, a plugin key that is not a URI, a mistyped config_path). */
  refusal?: string;
  /** `version`; absent means 1, which containerd reads like 2 for the CRI plugin. */
  version: number;
  /** Key path of the registry table that applies to this version, e.g. plugins."io.containerd.cri.v1.images".registry. */
  registryTable: string[];
  /** `config_path` as written, or null when unset or empty. */
  configPath: string | null;
  /** Line of the `config_path` key, even when its value is empty. */
  configPathLine: number | null;
  /** `config_path` split on ":" (Go filepath.SplitList), empty entries dropped. */
  roots: string[];
  /** Deprecated `registry.mirrors`, keyed by namespace. */
  mirrors: Map<string, LegacyMirror>;
  /** Deprecated `registry.configs`, keyed by endpoint host. */
  configs: Map<string, LegacyRegistryConfig>;
  /** Plain-text secrets under registry.configs.*.auth / registry.auths (names and lines only). */
  credentials: PlaintextCredential[];
  /** `disabled_plugins` turns the CRI plugin off (Docker's containerd.io default): kubelet cannot use it. */
  criDisabled: boolean;
  /** Problems that affect every registry: config-invalid for parse errors and conflicting settings. */
  findings: Finding[];
  lines: TomlKeyLines;
}
