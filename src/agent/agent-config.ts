import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { UsageError } from "../core/errors.ts";
import { assertRegistryName } from "../node/registry-name.ts";
import { parseTarget } from "../target/parse-target.ts";

/** The agent's configuration (the ConfigMap `k8s manifests` writes: manifests.ts agentConfig). */
export interface AgentConfig {
  /** host[:port] of each registry, as parseTarget normalises it. */
  registries: string[];
  /** Path of the CA bundle inside the agent's container (the mounted ConfigMap/Secret). */
  caFile: string;
  mode: "enforce" | "report";
  intervalSeconds: number;
  heartbeatSeconds: number;
  /** Restart runtimes when a fix needs it (through the host's systemd); off unless opted in. */
  restart: boolean;
  metricsPort: number;
  /**
   * The agent gate (`k8s manifests --gate agent`, docs/gating.md): remove the
   * startup taint from this Node once every registry verifies; `continuous`
   * also puts it back when trust breaks. null: the agent never touches taints.
   */
  gate: GateMode | null;
}

export type GateMode = "bootstrap-only" | "continuous";

/** Reads and validates the file; every problem is bad input naming the file (exit 2). */
export function readAgentConfig(path: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`--config ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new UsageError(`--config ${path}: not YAML/JSON (${(error as Error).message.split("\n")[0]})`);
  }
  return checkConfig(raw, path);
}

export function checkConfig(raw: unknown, path: string): AgentConfig {
  const bad = (why: string) => new UsageError(`--config ${path}: ${why}`);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw bad("must be a mapping");
  const c = raw as Record<string, unknown>;
  // A misspelt key would silently fall back to its default (docs/schema/agent-config.schema.json).
  const unknown = Object.keys(c).filter((k) => !CONFIG_KEYS.includes(k));
  if (unknown.length > 0) throw bad(`unknown key ${unknown.join(", ")} (known: ${CONFIG_KEYS.join(", ")})`);
  if (c.restart !== undefined && typeof c.restart !== "boolean") throw bad("restart: true or false");
  if (!Array.isArray(c.registries) || c.registries.length === 0) throw bad("registries: a non-empty list");
  const registries = c.registries.map((r) => {
    if (typeof r !== "string") throw bad(`registries: "${String(r)}" is not a string`);
    const target = parseTarget(r);
    assertRegistryName(target.registry);
    return target.registry;
  });
  if (typeof c.caFile !== "string" || c.caFile === "") throw bad("caFile: the path of the mounted CA");
  const mode = c.mode ?? "report";
  if (mode !== "enforce" && mode !== "report")
    throw bad(`mode: "enforce" or "report", not "${String(mode)}"`);
  const gate = c.gate ?? null;
  if (gate !== null && gate !== "bootstrap-only" && gate !== "continuous")
    throw bad(`gate: "bootstrap-only" or "continuous", not "${String(gate)}"`);
  return {
    registries,
    caFile: c.caFile,
    mode,
    intervalSeconds: whole(c.intervalSeconds, 300, "intervalSeconds", SECONDS, bad),
    heartbeatSeconds: whole(c.heartbeatSeconds, 60, "heartbeatSeconds", SECONDS, bad),
    restart: c.restart === true,
    metricsPort: whole(c.metricsPort, 9464, "metricsPort", PORT, bad),
    gate,
  };
}

const CONFIG_KEYS = [
  "registries",
  "caFile",
  "mode",
  "intervalSeconds",
  "heartbeatSeconds",
  "restart",
  "metricsPort",
  "gate",
];
const SECONDS = { max: 86_400 * 7, what: "a whole number of seconds, at most a week" };
const PORT = { max: 65_535, what: "a TCP port from 1 to 65535" };

function whole(
  value: unknown,
  fallback: number,
  name: string,
  range: { max: number; what: string },
  bad: (w: string) => Error,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > range.max) {
    throw bad(`${name}: ${range.what}, not ${JSON.stringify(value)}`);
  }
  return value;
}
