import type * as Yaml from "yaml";
import { detectRuntimes } from "./detect.ts";
import type { HostFs } from "./host-fs.ts";
import type { RuntimeName } from "./types.ts";

/**
 * The YAML library is ~260 KB of JavaScript that only k3s and RKE2 nodes need
 * (registries.yaml). Loading it eagerly cost every `diagnose` on a plain
 * containerd node about 10 ms of start-up (issue #9), so it is imported on
 * demand. The node readers stay synchronous: a command makes the parser ready
 * (`prepareYamlFor`) before it reads a node, and the readers take it from here.
 */
let parser: typeof Yaml | null = null;

export async function loadYamlParser(): Promise<typeof Yaml> {
  parser ??= (await import("./yaml-module.ts")).yaml;
  return parser;
}

/** The loaded parser; a reader reached without `prepareYamlFor` is a bug in the caller. */
export function yamlParser(): typeof Yaml {
  if (parser === null) throw new Error("the YAML parser was not loaded before registries.yaml was read");
  return parser;
}

/**
 * True when the node under `fs` has k3s or RKE2 (any of the paths detection
 * looks at), or when the user named one of them with --runtime.
 */
export function nodeNeedsYaml(fs: HostFs, requested?: readonly RuntimeName[] | string): boolean {
  const named = typeof requested === "string" ? requested.split(",").map((r) => r.trim()) : (requested ?? []);
  if (named.includes("k3s") || named.includes("rke2")) return true;
  return detectRuntimes(fs).some((r) => r.name === "k3s" || r.name === "rke2");
}

/** Loads the parser before a command reads a node that needs it. */
export async function prepareYamlFor(fs: HostFs, requested?: readonly RuntimeName[] | string): Promise<void> {
  if (parser === null && nodeNeedsYaml(fs, requested)) await loadYamlParser();
}
