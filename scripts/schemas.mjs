// Writes docs/schema/*.schema.json (JSON Schema draft 2020-12) for every
// `--json` output, from the TypeScript types that produce them, so the
// contract and the code cannot drift: test/schema/schemas.test.ts regenerates
// them in memory and fails when a committed schema is out of date, and every
// whole-CLI test validates what it printed against them (test/support/json-schema.ts).
//   node scripts/schemas.mjs          write the files
//   node scripts/schemas.mjs --check  exit 1 naming the schemas that differ
// docs/schema/agent-config.schema.json describes an input file and is written by hand.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFormatter, createParser, createProgram, SchemaGenerator } from "ts-json-schema-generator";

const ROOT = new URL("..", import.meta.url).pathname;
const OUT = join(ROOT, "docs/schema");

/** [schema name, source file, exported type, title]. */
export const OUTPUTS = [
  [
    "diagnose",
    "src/diagnose/result.ts",
    "DiagnoseResult",
    "regtrust diagnose --json (also each line of scan --json)",
  ],
  ["trust", "src/trust/report.ts", "TrustReport", "regtrust trust|untrust|insecure --json"],
  [
    "trust-refusal",
    "src/trust/report.ts",
    "TrustRefusalReport",
    "regtrust trust|untrust|insecure --json when refused",
  ],
  ["audit", "src/audit/audit.ts", "AuditReport", "regtrust audit --json"],
  ["chain", "src/chain/chain-report.ts", "ChainReport", "regtrust chain --json"],
  ["inspect", "src/chain/inspect-bundle.ts", "InspectReport", "regtrust inspect --json"],
  ["demo", "src/cli/commands/demo.ts", "DemoReport", "regtrust demo --json"],
  ["k8s-why", "src/k8s/triage/why.ts", "WhyReport", "regtrust k8s why --json"],
  ["k8s-pulls", "src/k8s/triage/pulls.ts", "PullsReport", "regtrust k8s pulls --json"],
  ["k8s-status", "src/k8s/fleet/fleet-status.ts", "FleetReport", "regtrust k8s status --json"],
  ["k8s-node-fleet", "src/cli/commands/k8s-node.ts", "NodeFleetReport", "regtrust k8s node --all … --json"],
  [
    "node-trust-status",
    "src/k8s/fleet/node-condition.ts",
    "NodeTrustStatus",
    "the agent's per-node status (Node annotation regtrust.io/status)",
  ],
];

/** draft-07 output of ts-json-schema-generator → draft 2020-12 ($defs, $schema, $id, title). */
function toDraft2020(schema, name, title) {
  const text = JSON.stringify(schema).replaceAll('"#/definitions/', '"#/$defs/');
  const { $schema: _old, definitions, ...rest } = JSON.parse(text);
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `urn:regtrust:schema:${name}`,
    title,
    ...rest,
    ...(definitions ? { $defs: definitions } : {}),
  };
}

export function generateSchemas() {
  const config = {
    path: join(ROOT, "src/**/*.ts"),
    tsconfig: join(ROOT, "tsconfig.json"),
    expose: "export",
    topRef: true,
    jsDoc: "extended",
    additionalProperties: false,
    skipTypeCheck: true,
    sortProps: false,
  };
  const program = createProgram(config);
  const parser = createParser(program, config);
  const formatter = createFormatter(config);
  const out = new Map();
  for (const [name, file, type, title] of OUTPUTS) {
    const generator = new SchemaGenerator(program, parser, formatter, {
      ...config,
      path: join(ROOT, file),
      type,
    });
    const schema = toDraft2020(generator.createSchema(type), name, title);
    out.set(`${name}.schema.json`, `${JSON.stringify(schema, null, 2)}\n`);
  }
  return out;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const check = process.argv.includes("--check");
  const stale = [];
  for (const [file, text] of generateSchemas()) {
    const path = join(OUT, file);
    let current = null;
    try {
      current = readFileSync(path, "utf8");
    } catch {}
    if (current === text) continue;
    if (check) stale.push(file);
    else writeFileSync(path, text);
  }
  if (stale.length > 0) {
    console.error(`schemas out of date (run npm run schemas): ${stale.join(", ")}`);
    process.exit(1);
  }
}
