import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import * as models from "@kubernetes/client-node";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { HOST_PATHS, READ_ONLY_HOST_PATHS } from "../../src/k8s/manifests/manifests.ts";
import { RESTART_CAPABILITIES, WRITE_CAPABILITIES } from "../../src/k8s/manifests/pod-privileges.ts";
import { createPrivatePki } from "../../src/pki/generate.ts";
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
  Role: "V1Role",
  RoleBinding: "V1RoleBinding",
  ValidatingAdmissionPolicy: "V1ValidatingAdmissionPolicy",
  ValidatingAdmissionPolicyBinding: "V1ValidatingAdmissionPolicyBinding",
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
  const pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
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
    "--image",
    "registry.internal/regtrust:1.0",
    ...extra,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const docs = parseAllDocuments(run.stdout).map((d) => d.toJSON() as Record<string, unknown>);
  // biome-ignore lint/suspicious/noExplicitAny: parsed manifests, navigated freely by the assertions
  return { run, docs, byKind: (kind: string) => docs.find((d) => d.kind === kind) as Record<string, any> };
}

describe("regtrust k8s manifests", () => {
  it("prints ten documents that validate against the Kubernetes models, in every mode", async () => {
    for (const extra of [[], ["--mode", "enforce"], ["--mode", "enforce", "--restart"]]) {
      const { docs } = await manifests(extra);
      assert.deepEqual(
        docs.map((d) => d.kind),
        [
          "Namespace",
          "ServiceAccount",
          "ClusterRole",
          "ClusterRoleBinding",
          "Role",
          "RoleBinding",
          "ValidatingAdmissionPolicy",
          "ValidatingAdmissionPolicyBinding",
          "ConfigMap",
          "DaemonSet",
        ],
      );
      for (const doc of docs) assert.deepEqual(validateDoc(doc), []);
    }
  });

  it("docs/agent.md lists every capability the manifests add, and how a restart runs", () => {
    const doc = readFileSync("docs/agent.md", "utf8");
    for (const cap of [...WRITE_CAPABILITIES, ...RESTART_CAPABILITIES])
      assert.match(doc, new RegExp(`\`${cap.name}\`: `));
    assert.match(doc, /nsenter -t 1 -m -u -i -n -p -- systemctl restart/);
  });

  it("the shipped bundle prints the same documents (dist/regtrust.mjs, --restart)", async () => {
    const argv = [
      "k8s",
      "manifests",
      "--registry",
      "repo.example.com:5000",
      "--ca",
      caFile,
      "--mode",
      "enforce",
      "--restart",
      "--image",
      "reg.local/regtrust:1",
    ];
    assert.ok(existsSync("dist/regtrust.mjs"), "dist/regtrust.mjs is missing: run `npm run build` first");
    const shipped = execFileSync(process.execPath, ["dist/regtrust.mjs", ...argv], {
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(shipped, (await runCli(argv)).stdout);
    assert.match(shipped, /kind: ValidatingAdmissionPolicy\n/);
    assert.doesNotMatch(shipped, /privileged: true/);
  });

  it("--no-admission-policy (clusters older than 1.30) leaves out only the policy and its binding", async () => {
    const { docs } = await manifests(["--no-admission-policy"]);
    assert.equal(docs.length, 8);
    assert.ok(!docs.some((d) => String(d.kind).startsWith("ValidatingAdmissionPolicy")));
  });

  it("the validator itself rejects a misspelt field", () => {
    const bad = {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      spec: { template: { spec: { toleration: [] } } },
    };
    assert.match(validateDoc(bad).join("\n"), /toleration: not a field of V1PodSpec/);
  });

  it("RBAC is exactly the agent's calls: nodes get/patch, nodes/status patch, events create in default", async () => {
    const { byKind } = await manifests();
    assert.equal(byKind("Namespace").metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
    assert.deepEqual(byKind("ClusterRole").rules, [
      { apiGroups: [""], resources: ["nodes"], verbs: ["get", "patch"] },
      { apiGroups: [""], resources: ["nodes/status"], verbs: ["patch"] },
    ]);
    const subjects = [{ kind: "ServiceAccount", name: "regtrust-agent", namespace: "regtrust" }];
    assert.deepEqual(byKind("ClusterRoleBinding").subjects, subjects);
    assert.equal(byKind("Role").metadata.namespace, "default");
    assert.deepEqual(byKind("Role").rules, [{ apiGroups: [""], resources: ["events"], verbs: ["create"] }]);
    assert.equal(byKind("RoleBinding").metadata.namespace, "default");
    assert.deepEqual(byKind("RoleBinding").subjects, subjects);
    assert.deepEqual(byKind("RoleBinding").roleRef, {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "Role",
      name: "regtrust-agent",
    });
  });

  it("the admission policy binds to the agent's ServiceAccount in its namespace and denies", async () => {
    const { byKind } = await manifests(["-n", "ops"]);
    const policy = byKind("ValidatingAdmissionPolicy");
    assert.deepEqual(policy.spec.matchConditions, [
      {
        name: "regtrust-agent",
        expression: "request.userInfo.username == 'system:serviceaccount:ops:regtrust-agent'",
      },
    ]);
    assert.equal(policy.spec.failurePolicy, "Fail");
    assert.deepEqual(byKind("ValidatingAdmissionPolicyBinding").spec, {
      policyName: policy.metadata.name,
      validationActions: ["Deny"],
    });
  });

  /**
   * Privileges per mode (src/k8s/manifests/pod-privileges.ts): never privileged; root
   * with every capability dropped to report; the write set to enforce;
   * hostPID, the nsenter set and no AppArmor confinement only with --restart.
   */
  const modes: [string[], { caps: string[]; hostPID: boolean; restart: boolean }][] = [
    [[], { caps: [], hostPID: false, restart: false }],
    [["--mode", "enforce"], { caps: WRITE_CAPABILITIES.map((c) => c.name), hostPID: false, restart: false }],
    [
      ["--mode", "enforce", "--restart"],
      {
        caps: [...WRITE_CAPABILITIES, ...RESTART_CAPABILITIES].map((c) => c.name),
        hostPID: true,
        restart: true,
      },
    ],
  ];
  for (const [flags, want] of modes) {
    it(`${flags.join(" ") || "report"}: capabilities [${want.caps}], hostPID ${want.hostPID}`, async () => {
      const { byKind } = await manifests(flags);
      const pod = byKind("DaemonSet").spec.template.spec;
      const sc = pod.containers[0].securityContext;
      assert.equal(sc.privileged, undefined, "never a privileged container");
      assert.equal(sc.runAsUser, 0, "node trust files are root's (the image's default user is not)");
      assert.equal(sc.readOnlyRootFilesystem, true);
      assert.deepEqual(sc.capabilities, { drop: ["ALL"], ...(want.caps.length ? { add: want.caps } : {}) });
      assert.equal(pod.hostPID === true, want.hostPID);
      assert.equal(sc.allowPrivilegeEscalation, false);
      assert.equal(sc.appArmorProfile?.type, want.restart ? "Unconfined" : undefined);
      assert.equal(parseYaml(byKind("ConfigMap").data["agent.yaml"]).restart, want.restart);
    });
  }

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

  it("defaults to report mode; the image is the one named", async () => {
    const { byKind } = await manifests();
    assert.equal(parseYaml(byKind("ConfigMap").data["agent.yaml"]).mode, "report");
    assert.equal(
      byKind("DaemonSet").spec.template.spec.containers[0].image,
      "registry.internal/regtrust:1.0",
    );
  });

  it("REGTRUST_IMAGE names the image when --image is absent", async () => {
    const run = await runCli(["k8s", "manifests", "--registry", "repo.example.com", "--ca", caFile], {
      env: { REGTRUST_IMAGE: "mirror.internal/ops/regtrust:2" },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /image: mirror\.internal\/ops\/regtrust:2/);
  });

  it("refuses without --registry or without an image: exit 2, nothing printed (issue #17 item 8)", async () => {
    for (const [argv, pattern] of [
      [["--ca", caFile, "--image", "r/x:1"], /--registry is required/],
      [["--registry", "repo.example.com", "--ca", caFile], /regtrust publishes none.*--image/],
    ] as const) {
      const run = await runCli(["k8s", "manifests", ...argv]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, pattern);
      assert.equal(run.stdout, "");
    }
  });

  it("bad input exits 2 naming the file or flag, printing nothing", async () => {
    const leaf = join(caFile, "..", "leaf.crt");
    for (const [argv, pattern] of [
      [["--ca", "/nonexistent/ca.crt"], /\/nonexistent\/ca\.crt/],
      [["--ca", leaf], /leaf\.crt/],
      [["--ca", caFile, "--mode", "fix"], /--mode fix/],
      [["--ca", caFile, "-n", "Bad_NS"], /--namespace Bad_NS/],
      [["--ca", caFile, "--registry", "repo..example.com"], /--registry repo\.\.example\.com/],
      [["--ca", caFile, "--restart"], /--restart needs --mode enforce/],
    ] as const) {
      const run = await runCli([
        "k8s",
        "manifests",
        "--registry",
        "repo.example.com",
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
