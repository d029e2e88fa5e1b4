/**
 * Artifact tier: the cluster commands through the built artifact as a
 * process, against the local API server (test/k8s/fake-apiserver.ts) with
 * the real @kubernetes/client-node inside the artifact: k8s why, pulls,
 * status, manifests, and k8s node, whose stand-in kubelet (fake-pods.ts)
 * runs the pod's command through the artifact too; then agent --once in
 * enforce and report mode on k3s, RKE2 and containerd nodes, publishing its
 * NodeCondition to the API server.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { agentArgs } from "../agent/agent-args.ts";
import { type FakeApiServer, startFakeApiServer } from "../k8s/fake-apiserver.ts";
import { type Json, wireAgentPod, wireNode } from "../k8s/fake-cluster.ts";
import { type NodeWrite, nodeWriteRoutes } from "../k8s/fake-node-writes.ts";
import { fakePods } from "../k8s/fake-pods.ts";
import { type TempKubeconfig, writeKubeconfig } from "../k8s/kubeconfig-file.ts";
import { fleetCluster, incidentCluster } from "../k8s/scenarios.ts";
import { TempDirs } from "../support/tmp.ts";
import { startTrustFixture, type TrustFixture } from "../trust/fixture.ts";
import { treeChecksum } from "../trust/node.ts";
import {
  type ArtifactRun,
  assertNoInternalError,
  runArtifact,
  selectedArtifact,
  transcript,
} from "./artifact.ts";
import { type Family, familyNode } from "./families.ts";

const artifact = selectedArtifact();
const dirs = new TempDirs();
let fx: TrustFixture;
const servers: FakeApiServer[] = [];
const kubeconfigs: TempKubeconfig[] = [];
/** The API servers' bearer tokens and the rke2 registry password: never printed. */
const secrets = ["hunter2"];

before(async () => {
  fx = await startTrustFixture(dirs);
});
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const k of kubeconfigs) k.cleanup();
  await fx?.registry.stop();
  await dirs.cleanup();
});

async function cluster(build: Parameters<typeof startFakeApiServer>[0], namespace?: string) {
  const server = await startFakeApiServer(build);
  servers.push(server);
  secrets.push(server.token);
  const kubeconfig = writeKubeconfig({
    server: server.url,
    caPem: server.caPem,
    token: server.token,
    ...(namespace ? { namespace } : {}),
  });
  kubeconfigs.push(kubeconfig);
  return { server, kubeconfig: kubeconfig.path };
}

async function regtrust(argv: string[], env: Record<string, string> = {}): Promise<ArtifactRun> {
  const run = await runArtifact(artifact, argv, { env });
  assertNoInternalError(run);
  for (const secret of secrets)
    assert.ok(!(run.stdout + run.stderr).includes(secret), "a credential was printed");
  return run;
}

describe(`k8s triage (${artifact.label})`, () => {
  test("why: the incident pod cannot pull (unknown-authority); old pods run from cache", async () => {
    const { kubeconfig } = await cluster(incidentCluster());
    const run = await regtrust(["k8s", "why", "app-6c5d8f7b9-tz8wn", "--kubeconfig", kubeconfig]);
    assert.equal(run.code, 1, transcript(run));
    assert.match(run.stdout, /node-c has no copy and cannot pull: unknown-authority/);
    const json = await regtrust(["k8s", "why", "app-6c5d8f7b9-tz8wn", "--json", "--kubeconfig", kubeconfig]);
    assert.equal(JSON.parse(json.stdout).failing[0].code, "unknown-authority");
  });

  test("pulls -A: every waiting pull grouped by registry and cause; KUBECONFIG from the environment", async () => {
    const { kubeconfig } = await cluster(fleetCluster());
    const run = await regtrust(["k8s", "pulls", "-A", "--json"], { KUBECONFIG: kubeconfig });
    assert.equal(run.code, 1, transcript(run));
    const text = JSON.stringify(JSON.parse(run.stdout));
    for (const code of ["unknown-authority", "hostname-mismatch", "plain-http"])
      assert.match(text, new RegExp(code));
  });

  test("status: the agents' verdicts per registry, nodes with no agent", async () => {
    const verdict = (name: string, status: string, trusted: boolean): Json => {
      const node = wireNode(name, []);
      (node.status as { conditions: Json[] }).conditions.push({
        type: "RegistryTrustReady",
        status,
        reason: trusted ? "AllRegistriesTrusted" : "UnknownAuthority",
        message: "",
        lastHeartbeatTime: new Date().toISOString(),
        lastTransitionTime: "2026-01-10T09:00:00Z",
      });
      (node.metadata as Json).annotations = {
        "regtrust.io/status": JSON.stringify({
          schemaVersion: 1,
          mode: "enforce",
          checkedAt: new Date().toISOString(),
          registries: [
            trusted
              ? { registry: fx.host, trusted }
              : { registry: fx.host, trusted, code: "unknown-authority" },
          ],
        }),
      };
      return node;
    };
    const { kubeconfig } = await cluster({
      nodes: [verdict("node-a", "True", true), verdict("node-b", "False", false), wireNode("node-c", [])],
      pods: [wireAgentPod("node-a"), wireAgentPod("node-b")],
      events: [],
    });
    const run = await regtrust(["k8s", "status", "--json", "--kubeconfig", kubeconfig]);
    assert.equal(run.code, 1, transcript(run));
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.registries, [
      {
        registry: fx.host,
        ready: ["node-a"],
        notReady: [{ node: "node-b", code: "unknown-authority" }],
        insecure: [],
      },
    ]);
    assert.deepEqual(report.noAgent, ["node-c"]);
  });

  test("manifests: namespace, RBAC, ConfigMap with the CA, DaemonSet, as YAML documents", async () => {
    const run = await regtrust([
      "k8s",
      "manifests",
      "--registry",
      fx.host,
      "--ca",
      fx.caFile,
      "--mode",
      "enforce",
      "--image",
      "registry.internal/regtrust:test",
    ]);
    assert.equal(run.code, 0, transcript(run));
    const docs = parseAllDocuments(run.stdout).map((d) => d.toJS() as { kind: string });
    const kinds = docs.map((d) => d.kind);
    for (const kind of ["Namespace", "ServiceAccount", "ClusterRole", "ConfigMap", "DaemonSet"]) {
      assert.ok(kinds.includes(kind), `${kind} in ${kinds}`);
    }
    assert.match(run.stdout, /image: registry\.internal\/regtrust:test/);
    assert.ok(run.stdout.includes(fx.rootPem.split("\n")[1] ?? "?"), "the CA is in the ConfigMap");
  });
});

describe(`k8s node through a pod (${artifact.label})`, () => {
  test("diagnose on a k3s node, trust there, then the node diagnoses clean", async () => {
    // The stand-in kubelet runs the pod's command through the artifact as well.
    const pods = fakePods((argv, env) => runArtifact(artifact, argv, { env }));
    const { server, kubeconfig } = await cluster(
      { pods: [], events: [], nodes: [wireNode("node-k3s", [])] },
      "regtrust",
    );
    server.extraRoutes.push(pods.route);
    const root = await familyNode(dirs, "k3s");
    pods.behaviour.set("node-k3s", "run");
    pods.roots.set("node-k3s", root);
    // The image from the environment, as a platform team sets it once.
    const node = (argv: string[]) =>
      regtrust(["k8s", "node", "--wait", "30", ...argv, "--kubeconfig", kubeconfig], {
        REGTRUST_IMAGE: "registry.internal/regtrust:test",
      });

    const diagnose = await node(["node-k3s", "diagnose", fx.host, "--json", "--timeout", "5000"]);
    assert.equal(diagnose.code, 1, transcript(diagnose));
    assert.equal(JSON.parse(diagnose.stdout).ok, false);
    const trust = await node(["node-k3s", "trust", fx.host, "--ca", fx.caFile]);
    assert.equal(trust.code, 0, transcript(trust));
    const direct = await regtrust(["diagnose", fx.host, "--root", root, "--json", "--timeout", "5000"]);
    assert.equal(direct.code, 0, transcript(direct));
    assert.deepEqual(pods.live(), [], "every pod is deleted");
  });
});

describe(`agent --once (${artifact.label})`, () => {
  const writes: NodeWrite[] = [];
  let kubeconfig = "";
  before(async () => {
    const c = await cluster({ pods: [], events: [], nodes: [wireNode("node-new", [])] });
    c.server.extraRoutes.push(nodeWriteRoutes(writes));
    kubeconfig = c.kubeconfig;
  });

  async function agentOnce(mode: "enforce" | "report", root: string): Promise<ArtifactRun> {
    const config = join(await dirs.make("agent-config"), "agent.yaml");
    await writeFile(config, `registries: ["${fx.host}"]\ncaFile: ${fx.caFile}\nmode: ${mode}\n`);
    writes.length = 0;
    return regtrust(agentArgs({ config, root, node: "node-new", once: true, kubeconfig }));
  }

  function condition(): Record<string, unknown> {
    const patch = writes.find((w) => w.path === "/api/v1/nodes/node-new/status");
    assert.ok(patch, JSON.stringify(writes));
    return (patch.body.status as { conditions: Array<Record<string, unknown>> }).conditions[0] ?? {};
  }

  const enforced: Family[] = ["k3s", "rke2", "containerd", "mixed"];
  for (const family of enforced) {
    test(`enforce on a ${family} node: fixed, RegistryTrustReady=True, the node diagnoses clean`, async () => {
      const root = await familyNode(dirs, family);
      const run = await agentOnce("enforce", root);
      assert.equal(run.code, 0, transcript(run));
      assert.equal(condition().status, "True");
      const again = await regtrust(["diagnose", fx.host, "--root", root, "--json", "--timeout", "5000"]);
      assert.equal(again.code, 0, transcript(again));
    });
  }

  test("report on a k3s node: RegistryTrustReady=False (UnknownAuthority), the node untouched", async () => {
    const root = await familyNode(dirs, "k3s");
    const before = await treeChecksum(root);
    const run = await agentOnce("report", root);
    assert.equal(run.code, 1, transcript(run));
    assert.equal(condition().status, "False");
    assert.equal(condition().reason, "UnknownAuthority");
    assert.deepEqual(await treeChecksum(root), before, "report mode writes nothing on the node");
  });
});
