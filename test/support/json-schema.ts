/**
 * The JSON contract (docs/schema/*.schema.json, draft 2020-12) checked with a
 * real validator (Ajv). `assertCliJson` is called by the whole-CLI runners on
 * every `--json` output they capture, so each --json test also proves the
 * schema; `assertMatchesSchema` is for outputs read another way.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

const SCHEMA_DIR = join(import.meta.dirname, "../../docs/schema");

let validators: Map<string, ValidateFunction> | null = null;

function load(): Map<string, ValidateFunction> {
  if (validators) return validators;
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  const addFormats = addFormatsModule as unknown as (a: Ajv2020) => void;
  addFormats(ajv);
  validators = new Map();
  for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith(".schema.json"))) {
    const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, file), "utf8")) as object;
    validators.set(file.replace(/\.schema\.json$/, ""), ajv.compile(schema));
  }
  return validators;
}

export function schemaNames(): string[] {
  return [...load().keys()].sort();
}

/** Throws, listing every violation with its JSON pointer, when `value` does not match docs/schema/<name>. */
export function assertMatchesSchema(name: string, value: unknown): void {
  const validate = load().get(name);
  if (!validate) throw new Error(`no schema docs/schema/${name}.schema.json`);
  if (validate(value)) return;
  const errors = (validate.errors ?? [])
    .slice(0, 10)
    .map((e) => `  ${e.instancePath || "/"} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`);
  throw new Error(`output does not match docs/schema/${name}.schema.json:\n${errors.join("\n")}`);
}

/** The schema a CLI invocation's --json output follows, or null when it prints none. */
export function schemaForArgv(argv: readonly string[]): { name: string; lines: boolean } | null {
  const json = argv.includes("--json") || argv.join(" ").includes("--format json");
  if (!json) return null;
  const [command, sub] = argv;
  switch (command) {
    case "diagnose":
      return { name: "diagnose", lines: false };
    case "scan":
      return { name: "diagnose", lines: true };
    case "trust":
    case "untrust":
    case "insecure":
      return { name: "trust", lines: false };
    case "audit":
    case "chain":
    case "inspect":
    case "demo":
      return { name: command, lines: false };
    case "k8s":
      if (sub === "why" || sub === "pulls" || sub === "status") return { name: `k8s-${sub}`, lines: false };
      if (sub === "node" && argv.includes("--all")) return { name: "k8s-node-fleet", lines: false };
      return null;
    default:
      return null;
  }
}

/**
 * Validates what a CLI run printed on stdout when it was asked for JSON.
 * Usage errors (exit 2 before any result) print nothing to validate.
 */
export function assertCliJson(argv: readonly string[], stdout: string): void {
  const schema = schemaForArgv(argv);
  if (schema === null || stdout.trim() === "") return;
  const docs = schema.lines
    ? stdout
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as unknown)
    : [JSON.parse(stdout) as unknown];
  for (const doc of docs) {
    const refused =
      schema.name === "trust" &&
      typeof doc === "object" &&
      doc !== null &&
      "error" in doc &&
      !("action" in doc);
    assertMatchesSchema(refused ? "trust-refusal" : schema.name, doc);
  }
}
