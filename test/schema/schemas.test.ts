/**
 * Issue #17: the JSON contract lives in the repo (docs/schema, draft 2020-12).
 * - every generated schema equals what scripts/schemas.mjs derives from the
 *   TypeScript types today (the contract and the code cannot drift);
 * - the hand-written agent-config schema and the agent's own config check
 *   accept and refuse the same documents;
 * - the validator really rejects a wrong document (the checks can fail).
 * Each whole-CLI test validates its --json output through test/support/json-schema.ts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { checkConfig } from "../../src/agent/agent-config.ts";
import { agentConfig } from "../../src/k8s/manifests/manifests.ts";
import { assertMatchesSchema, schemaForArgv, schemaNames } from "../support/json-schema.ts";

const SCHEMA_DIR = join(import.meta.dirname, "../../docs/schema");

describe("docs/schema", () => {
  test("the committed schemas are what the TypeScript types generate (npm run schemas)", async () => {
    const { generateSchemas } = await import("../../scripts/schemas.mjs");
    for (const [file, text] of generateSchemas()) {
      const committed = readFileSync(join(SCHEMA_DIR, file), "utf8");
      assert.equal(committed, text, `docs/schema/${file} is out of date: run npm run schemas`);
    }
  });

  test("every --json command has a schema", () => {
    const names = new Set(schemaNames());
    for (const argv of [
      ["diagnose", "r", "--json"],
      ["scan", "--json"],
      ["trust", "r", "--json"],
      ["audit", "--format", "json"],
      ["chain", "r", "--json"],
      ["inspect", "f", "--json"],
      ["demo", "--json"],
      ["k8s", "why", "p", "--json"],
      ["k8s", "pulls", "--json"],
      ["k8s", "status", "--json"],
      ["k8s", "node", "--all", "diagnose", "r", "--json"],
    ]) {
      const schema = schemaForArgv(argv);
      assert.ok(schema && names.has(schema.name), `no schema for ${argv.join(" ")}`);
    }
    for (const name of ["trust-refusal", "node-trust-status", "agent-config"])
      assert.ok(names.has(name), name);
  });

  test("the validator rejects a document that breaks the contract", () => {
    assert.throws(() => assertMatchesSchema("diagnose", { schemaVersion: 1 }), /must have required property/);
    assert.throws(
      () =>
        assertMatchesSchema("node-trust-status", {
          schemaVersion: 1,
          mode: "fix",
          checkedAt: "x",
          registries: [],
        }),
      /\/mode must be equal to one of the allowed values/,
    );
  });
});

describe("agent-config schema and the agent's config check agree", () => {
  const base = { registries: ["repo.example.com:5000"], caFile: "/etc/regtrust/ca.crt" };
  const cases: Array<[string, unknown, boolean]> = [
    [
      "what k8s manifests writes",
      agentConfig({
        registries: ["repo.example.com:5000"],
        caPem: "",
        mode: "enforce",
        image: "i",
        namespace: "n",
      }),
      true,
    ],
    ["the minimum", base, true],
    [
      "every key",
      {
        ...base,
        mode: "report",
        intervalSeconds: 60,
        heartbeatSeconds: 30,
        restart: true,
        metricsPort: 9000,
        gate: "continuous",
      },
      true,
    ],
    ["gate bootstrap-only", { ...base, gate: "bootstrap-only" }, true],
    ["an unknown gate", { ...base, gate: "always" }, false],
    ["gate as a boolean", { ...base, gate: true }, false],
    ["no registries", { caFile: "/x" }, false],
    ["an empty registry list", { ...base, registries: [] }, false],
    ["no caFile", { registries: ["r.example.com"] }, false],
    ["an unknown mode", { ...base, mode: "fix" }, false],
    ["a misspelt key", { ...base, intervalSecond: 60 }, false],
    ["restart as a string", { ...base, restart: "yes" }, false],
    ["a fractional interval", { ...base, intervalSeconds: 1.5 }, false],
    ["a zero interval", { ...base, intervalSeconds: 0 }, false],
    ["a port out of range", { ...base, metricsPort: 70000 }, false],
    ["a list, not a mapping", [base], false],
  ];
  for (const [name, doc, valid] of cases) {
    test(`${name}: ${valid ? "accepted" : "refused"} by both`, () => {
      const bySchema = (() => {
        try {
          assertMatchesSchema("agent-config", doc);
          return true;
        } catch {
          return false;
        }
      })();
      const byAgent = (() => {
        try {
          checkConfig(doc, "agent.yaml");
          return true;
        } catch {
          return false;
        }
      })();
      assert.equal(bySchema, valid, "schema");
      assert.equal(byAgent, valid, "checkConfig");
    });
  }
});
