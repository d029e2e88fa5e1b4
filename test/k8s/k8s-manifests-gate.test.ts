/**
 * `k8s manifests --gate nrc|agent [--gate-mode …]` and `--monitoring`, run as
 * the CLI: the NodeReadinessRule validates against the Node Readiness
 * Controller's own CRD (fixtures/node-readiness-controller, v0.5.0), its
 * plain-CEL x-kubernetes-validations evaluated by @bufbuild/cel — including
 * the immutability rules that make a --gate-mode change a delete + create;
 * `--gate agent` configures the agent and lets the policy own the taint.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { STARTUP_TAINT_KEY } from "../../src/k8s/manifests/node-write-policy.ts";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { runCli } from "../integration/cli.ts";
import { checkAgainstCrd, loadCrdSchema } from "../support/crd-schema.ts";

// biome-ignore lint/suspicious/noExplicitAny: parsed manifests, navigated freely
type Doc = Record<string, any>;
const NRR_CRD = new URL("fixtures/node-readiness-controller/nodereadinessrules.crd.yaml", import.meta.url)
  .pathname;
let caFile = "";

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "regtrust-gate-"));
  const pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
  caFile = join(dir, "ca.crt");
  writeFileSync(caFile, pki.root.certPem);
});

async function manifests(extra: string[]): Promise<Doc[]> {
  const argv = [
    "k8s",
    "manifests",
    "--registry",
    "repo.example.com:5000",
    "--ca",
    caFile,
    "--image",
    "r/x:1",
  ];
  const run = await runCli([...argv, ...extra]);
  assert.equal(run.code, 0, run.stderr);
  return parseAllDocuments(run.stdout).map((d) => d.toJSON() as Doc);
}

const ownedTaints = (docs: Doc[]) =>
  docs
    .find((d) => d.kind === "ValidatingAdmissionPolicy")
    ?.spec.variables.find((v: Doc) => v.name === "ownedTaintKeys")?.expression;

describe("k8s manifests --gate nrc", () => {
  const schema = loadCrdSchema(NRR_CRD, "v1alpha1");

  for (const [extra, mode] of [
    [[], "bootstrap-only"],
    [["--gate-mode", "continuous"], "continuous"],
  ] as const) {
    it(`emits a NodeReadinessRule (${mode}) that the v0.5.0 CRD accepts`, async () => {
      const docs = await manifests(["--gate", "nrc", ...extra]);
      const rule = docs.find((d) => d.kind === "NodeReadinessRule") as Doc;
      assert.ok(rule);
      assert.equal(rule.apiVersion, "readiness.node.x-k8s.io/v1alpha1");
      assert.deepEqual(rule.spec.conditions, [{ type: "RegistryTrustReady", requiredStatus: "True" }]);
      assert.deepEqual(rule.spec.taint, { key: STARTUP_TAINT_KEY, effect: "NoSchedule" });
      assert.equal(rule.spec.enforcementMode, mode);
      const result = checkAgainstCrd(schema, rule);
      assert.deepEqual(result.errors, []);
      // The taint-key rules that need Kubernetes' strings library (split) are listed, not passed silently.
      assert.ok(
        result.skipped.every((r) => r.includes("split(")),
        result.skipped.join("\n"),
      );
      // The controller removes the taint: the agent's policy owns none and its config has no gate.
      assert.equal(ownedTaints(docs), "[]");
      const config = parseYaml(docs.find((d) => d.kind === "ConfigMap")?.data["agent.yaml"]);
      assert.equal(config.gate, undefined);
    });
  }

  it("the CRD's CEL rules refuse a mode change in place and a key outside readiness.k8s.io/", async () => {
    const [boot] = (await manifests(["--gate", "nrc"])).filter((d) => d.kind === "NodeReadinessRule");
    const [cont] = (await manifests(["--gate", "nrc", "--gate-mode", "continuous"])).filter(
      (d) => d.kind === "NodeReadinessRule",
    );
    const update = checkAgainstCrd(schema, cont, boot);
    assert.deepEqual(update.errors, ["/spec/enforcementMode: enforcementMode is immutable"]);
    assert.deepEqual(checkAgainstCrd(schema, boot, boot).errors, [], "re-applying the same rule is fine");
    const badKey = structuredClone(boot) as Doc;
    badKey.spec.taint.key = "example.com/registry-trust";
    assert.match(checkAgainstCrd(schema, badKey).errors.join("\n"), /must start with 'readiness\.k8s\.io\/'/);
  });
});

describe("k8s manifests --gate agent", () => {
  it("configures the agent's gate and lets the policy own exactly the startup taint", async () => {
    for (const [extra, mode] of [
      [[], "bootstrap-only"],
      [["--gate-mode", "continuous"], "continuous"],
    ] as const) {
      const docs = await manifests(["--mode", "enforce", "--gate", "agent", ...extra]);
      assert.equal(docs.filter((d) => d.kind === "NodeReadinessRule").length, 0);
      assert.equal(ownedTaints(docs), `['${STARTUP_TAINT_KEY}']`);
      const config = parseYaml(docs.find((d) => d.kind === "ConfigMap")?.data["agent.yaml"]);
      assert.equal(config.gate, mode);
      // The agent must run on the tainted node it is to release.
      const tolerations = docs.find((d) => d.kind === "DaemonSet")?.spec.template.spec.tolerations;
      assert.deepEqual(tolerations, [{ operator: "Exists" }]);
    }
  });

  it("refuses bad gate flags: exit 2, nothing printed", async () => {
    for (const [argv, pattern] of [
      [["--gate", "controller"], /--gate controller: expected "nrc"/],
      [["--gate-mode", "continuous"], /--gate-mode needs --gate/],
      [["--gate", "nrc", "--gate-mode", "always"], /--gate-mode always/],
      [["--gate", "agent", "--no-admission-policy"], /--gate agent needs the admission policy/],
    ] as const) {
      const run = await runCli([
        "k8s",
        "manifests",
        "--registry",
        "r.example.com",
        "--ca",
        caFile,
        "--image",
        "r/x:1",
        ...argv,
      ]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, pattern);
      assert.equal(run.stdout, "");
    }
  });
});

describe("k8s manifests --monitoring", () => {
  it("adds a PodMonitor, a PrometheusRule and a Grafana dashboard ConfigMap", async () => {
    const docs = await manifests(["--monitoring"]);
    const kinds = docs.map((d) => d.kind);
    assert.deepEqual(kinds.slice(-3), ["PodMonitor", "PrometheusRule", "ConfigMap"]);
    const dashboard = docs.at(-1) as Doc;
    assert.equal(dashboard.metadata.labels.grafana_dashboard, "1");
    const model = JSON.parse(dashboard.data["regtrust-fleet.json"]);
    assert.equal(model.uid, "regtrust-fleet");
    assert.ok(model.panels.length >= 6);
    assert.equal(
      (await manifests([])).some((d) => d.kind === "PrometheusRule"),
      false,
    );
  });
});
