import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import * as models from "@kubernetes/client-node";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { defaultImage } from "../../src/k8s/image.ts";
import { HOST_PATHS, READ_ONLY_HOST_PATHS } from "../../src/k8s/manifests.ts";
import { createTestPki } from "../../src/pki/generate.ts";
import { runCli } from "../integration/cli.ts";

/**
 * Schema check without network: @kubernetes/client-node 1.4.0's models are
 * generated from the Kubernetes OpenAPI spec and carry each field's JSON
 * name and type (getAttributeTypeMap). Every key of every manifest must be
 * a field of its model, recursively, with a value of the declared kind —
 * a typo ("toleration", "hostpath") or a misplaced field fails.
 */
type Attr = { baseName: string; type: string };
const KIND_MODEL: Record<string, string> = {
  Namespace: "V1Namespace",
  ServiceAccount: "V1ServiceAccount",
  ClusterRole: "V1ClusterRole",
  ClusterRoleBinding: "V1ClusterRoleBinding",
  ConfigMap: "V1ConfigMap",
  DaemonSet: "V1DaemonSet",
};

function validate(value: unknown, type: string, path: string): string[] {
  const t = type.trim();
  if (t.startsWith("Array<")) {
    if (!Array.isArray(value)) return [`${path}: expected an array`];
    return value.flatMap((item, i) => validate(item, t.slice(6, -1), `${path}[${i}]`));
  }
  if (t.startsWith("{ [key: string]:")) {
    if (typeof value !== "object" || value === null) return [`${path}: expected a map`];
    const inner = t.slice("{ [key: string]:".length, -1).replace(/;\s*$/, "");
    return Object.entries(value).flatMap(([k, v]) => validate(v, inner, `${path}.${k}`));
  }
  if (t === "string") return typeof value === "string" ? [] : [`${path}: expected a string`];
  if (t === "number") return typeof value === "number" ? [] : [`${path}: expected a number`];
  if (t === "boolean") return typeof value === "boolean" ? [] : [`${path}: expected a boolean`];
  if (t === "IntOrString")
    return ["string", "number"].includes(typeof value) ? [] : [`${path}: int or string`];
  if (t === "any" || t === "object") return [];
  const model = (models as unknown as Record<string, { getAttributeTypeMap?: () => Attr[] }>)[t];
  assert.ok(model?.getAttributeTypeMap, `${path}: no model ${t} in @kubernetes/client-node`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${path}: expected ${t}`];
  const attrs = model.getAttributeTypeMap();
  return Object.entries(value).flatMap(([key, v]) => {
    const attr = attrs.find((a) => a.baseName === key);
    return attr ? validate(v, attr.type, `${path}.${key}`) : [`${path}.${key}: not a field of ${t}`];
  });
}

function validateDoc(doc: Record<string, unknown>): string[] {
  const model = KIND_MODEL[String(doc.kind)];
  return model ? validate(doc, model, String(doc.kind)) : [`unexpected kind ${String(doc.kind)}`];
}

let caFile = "";

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "regtrust-manifests-"));
  const pki = await createTestPki({ hostnames: ["repo.example.com"] });
  caFile = join(dir, "ca.crt");
  writeFileSync(caFile, pki.root.certPem);
  writeFileSync(join(dir, "leaf.crt"), pki.leaf.certPem);
});

async function manifests(extra: string[] = []) {
  const run = await runCli([
    "k8s",
    "manifests",
    "--registry",
    "repo.example.com:5000",
    "--ca",
    caFile,
    ...extra,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const docs = parseAllDocuments(run.stdout).map((d) => d.toJSON() as Record<string, unknown>);
  // biome-ignore lint/suspicious/noExplicitAny: parsed manifests, navigated freely by the assertions
  return { run, docs, byKind: (kind: string) => docs.find((d) => d.kind === kind) as Record<string, any> };
}

describe("regtrust k8s manifests", () => {
  it("prints six documents that validate against the Kubernetes models", async () => {
    const { docs } = await manifests(["--mode", "enforce"]);
    assert.deepEqual(
      docs.map((d) => d.kind),
      ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "DaemonSet"],
    );
    for (const doc of docs) assert.deepEqual(validateDoc(doc), []);
  });

  it("the validator itself rejects a misspelt field", () => {
    const bad = {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      spec: { template: { spec: { toleration: [] } } },
    };
    assert.match(validateDoc(bad).join("\n"), /toleration: not a field of V1PodSpec/);
  });

  it("namespace allows privileged pods; RBAC is exactly nodes get/patch, nodes/status patch, events create", async () => {
    const { byKind } = await manifests();
    assert.equal(byKind("Namespace").metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
    assert.deepEqual(byKind("ClusterRole").rules, [
      { apiGroups: [""], resources: ["nodes"], verbs: ["get", "patch"] },
      { apiGroups: [""], resources: ["nodes/status"], verbs: ["patch"] },
      { apiGroups: [""], resources: ["events"], verbs: ["create"] },
    ]);
    assert.deepEqual(byKind("ClusterRoleBinding").subjects, [
      { kind: "ServiceAccount", name: "regtrust-agent", namespace: "regtrust" },
    ]);
  });

  it("ConfigMap carries the agent config and the CA; DaemonSet tolerates every taint and mounts only trust paths", async () => {
    const { byKind } = await manifests(["--mode", "enforce", "--image", "reg.local/regtrust:1", "-n", "ops"]);
    const cm = byKind("ConfigMap");
    assert.equal(cm.metadata.namespace, "ops");
    assert.match(cm.data["ca.crt"], /BEGIN CERTIFICATE/);
    const config = parseYaml(cm.data["agent.yaml"]);
    assert.deepEqual(config.registries, ["repo.example.com:5000"]);
    assert.equal(config.mode, "enforce");
    assert.equal(config.restart, false);
    const ds = byKind("DaemonSet");
    const pod = ds.spec.template.spec;
    assert.deepEqual(pod.tolerations, [{ operator: "Exists" }]);
    assert.deepEqual(
      (pod.volumes as { hostPath?: { path: string } }[]).flatMap((v) =>
        v.hostPath ? [v.hostPath.path] : [],
      ),
      [...HOST_PATHS],
    );
    const c = pod.containers[0];
    // The OS store is read, never written, by the agent (test/layout proves why).
    assert.deepEqual(
      (c.volumeMounts as { mountPath: string; readOnly?: boolean }[])
        .filter((m) => m.readOnly && m.mountPath.startsWith("/host/"))
        .map((m) => m.mountPath.slice("/host".length)),
      [...READ_ONLY_HOST_PATHS],
    );
    assert.equal(c.image, "reg.local/regtrust:1");
    assert.deepEqual(c.env[0].valueFrom, { fieldRef: { fieldPath: "spec.nodeName" } });
    assert.ok(c.resources.limits.memory && c.resources.requests.cpu);
    assert.equal(c.livenessProbe.httpGet.path, "/healthz");
    assert.equal(c.readinessProbe.httpGet.path, "/readyz");
    assert.equal(ds.spec.updateStrategy.type, "RollingUpdate");
  });

  it("defaults to report mode and this version's image", async () => {
    const { byKind } = await manifests();
    assert.equal(parseYaml(byKind("ConfigMap").data["agent.yaml"]).mode, "report");
    assert.equal(byKind("DaemonSet").spec.template.spec.containers[0].image, defaultImage());
  });

  it("bad input exits 2 naming the file or flag, printing nothing", async () => {
    const leaf = join(caFile, "..", "leaf.crt");
    for (const [argv, pattern] of [
      [["--ca", "/nonexistent/ca.crt"], /\/nonexistent\/ca\.crt/],
      [["--ca", leaf], /leaf\.crt/],
      [["--ca", caFile, "--mode", "fix"], /--mode fix/],
      [["--ca", caFile, "-n", "Bad_NS"], /--namespace Bad_NS/],
      [["--ca", caFile, "--registry", "repo..example.com"], /--registry repo\.\.example\.com/],
    ] as const) {
      const run = await runCli(["k8s", "manifests", "--registry", "repo.example.com", ...argv]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, pattern);
      assert.equal(run.stdout, "");
    }
  });
});
