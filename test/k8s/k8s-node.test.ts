/**
 * `regtrust k8s node`: the short-lived pod's life cycle against the local API
 * server with the stand-in kubelet of fake-pods.ts. The command really runs
 * (in-process) against a node root built here, so a diagnosis through the pod
 * is compared with the same diagnosis run directly. Every test also checks
 * that no pod is left behind.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import type { V1Pod } from "@kubernetes/client-node";
import { connectKube } from "../../src/k8s/client/kube-client.ts";
import { runOnNode } from "../../src/k8s/node-run/run-on-node.ts";
import { runCli } from "../integration/cli.ts";
import { buildNodeRoot, debianBase, withContainerd } from "../integration/node-root.ts";
import { startPrivateCaRegistry } from "../support/private-registry.ts";
import type { RunningRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/tmp.ts";
import { wireNode } from "./fake-cluster.ts";
import { type FakePods, fakePods } from "./fake-pods.ts";
import { useFakeCluster } from "./harness.ts";

const HOST = "repo.example.com";
const dirs = new TempDirs();
const cluster = useFakeCluster(
  () => ({ pods: [], events: [], nodes: ["node-a", "node-b", "node-c"].map((n) => wireNode(n, [])) }),
  { namespace: "regtrust" },
);
let pods: FakePods;
let registry: RunningRegistry;
let target: string;
let caFile: string;

before(async () => {
  ({ registry, target, caFile } = await startPrivateCaRegistry(dirs));
  pods = fakePods();
  cluster.server().extraRoutes.push(pods.route);
});

after(async () => {
  await registry?.stop();
  await dirs.cleanup();
});

afterEach(() => {
  assert.deepEqual(pods.live(), [], "every pod is deleted");
  pods.behaviour.clear();
  pods.roots.clear();
  pods.refuseCreate = null;
  pods.created.length = 0;
});

// cluster.run appends --kubeconfig after the node's command, where `k8s node` lifts it out (node-args.ts).
const node = (argv: string[]) => cluster.run(["k8s", "node", "--wait", "20", ...argv]);

async function untrustedNode(name: string): Promise<string> {
  const root = await buildNodeRoot(dirs, withContainerd(debianBase()));
  pods.behaviour.set(name, "run");
  pods.roots.set(name, root);
  return root;
}

function lastPod(): V1Pod {
  const pod = pods.created.at(-1);
  assert.ok(pod, "a pod was created");
  return pod;
}

describe("k8s node <node> diagnose", () => {
  test("prints the same diagnosis as running regtrust on the node, with its exit code", async () => {
    const root = await untrustedNode("node-c");
    const viaPod = await node(["node-c", "diagnose", target, "--json", "--timeout", "4000"]);
    const direct = await runCli(["diagnose", target, "--root", root, "--json", "--timeout", "4000"]);
    assert.equal(viaPod.code, 1, viaPod.stderr);
    assert.equal(viaPod.code, direct.code);
    const strip = (text: string) => {
      const json = JSON.parse(text);
      delete json.checkedAt;
      delete json.connection;
      return json;
    };
    assert.deepEqual(strip(viaPod.stdout), strip(direct.stdout));
    assert.match(viaPod.stderr, /running "regtrust diagnose" on node node-c \(namespace regtrust/);
  });

  test("the pod: pinned, every taint tolerated, host / read-only, no privilege, a deadline", async () => {
    await untrustedNode("node-a");
    await node(["node-a", "diagnose", target, "--image", "registry.internal/regtrust:1.0"]);
    const pod = lastPod();
    const spec = pod.spec!;
    const container = spec.containers[0]!;
    assert.match(pod.metadata?.name ?? "", /^regtrust-diagnose-node-a-[0-9a-f]{5}$/);
    assert.equal(pod.metadata?.namespace, "regtrust");
    assert.deepEqual(pod.metadata?.labels, {
      "app.kubernetes.io/name": "regtrust",
      "app.kubernetes.io/component": "node-run",
      "regtrust.io/action": "diagnose",
      "regtrust.io/node": "node-a",
    });
    assert.equal(spec.nodeName, "node-a");
    assert.equal(spec.restartPolicy, "Never");
    assert.equal(spec.activeDeadlineSeconds, 300);
    assert.deepEqual(spec.tolerations, [{ operator: "Exists" }]);
    assert.equal(spec.hostNetwork, true);
    assert.equal(spec.hostPID, undefined);
    assert.equal(spec.automountServiceAccountToken, false);
    assert.equal(container.image, "registry.internal/regtrust:1.0");
    assert.deepEqual(container.args, ["diagnose", target, "--root", "/host"]);
    assert.deepEqual(container.volumeMounts, [{ name: "host", mountPath: "/host", readOnly: true }]);
    assert.deepEqual(spec.volumes, [{ name: "host", hostPath: { path: "/", type: "Directory" } }]);
    assert.deepEqual(container.securityContext, {
      runAsUser: 0,
      runAsNonRoot: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
  });
});

describe("k8s node <node> trust", () => {
  test("the CA file travels in the pod; the node then diagnoses clean for containerd", async () => {
    const root = await untrustedNode("node-b");
    const run = await node(["node-b", "trust", target, "--ca", caFile]);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    const container = lastPod().spec!.containers[0]!;
    assert.deepEqual(container.args, ["trust", target, "--ca", "env:REGTRUST_CA_PEM", "--root", "/host"]);
    assert.match(container.env?.[0]?.value ?? "", /^-----BEGIN CERTIFICATE-----/);
    assert.deepEqual(container.volumeMounts, [{ name: "host", mountPath: "/host", readOnly: false }]);
    assert.deepEqual(container.securityContext?.capabilities, {
      drop: ["ALL"],
      add: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SYS_CHROOT"],
    });
    const after = await runCli(["diagnose", target, "--root", root, "--runtime", "containerd", "--json"]);
    assert.equal(
      JSON.parse(after.stdout).contexts.find((c: { name: string }) => c.name === "containerd").ok,
      true,
    );
  });

  test("untrust --ca: the file of CAs to remove travels in the pod too", async () => {
    await untrustedNode("node-b");
    assert.equal((await node(["node-b", "trust", target, "--ca", caFile])).code, 0);
    const run = await node(["node-b", "untrust", target, "--ca", caFile]);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    const container = lastPod().spec!.containers[0]!;
    assert.deepEqual(container.args, ["untrust", target, "--ca", "env:REGTRUST_CA_PEM", "--root", "/host"]);
    assert.match(container.env?.[0]?.value ?? "", /^-----BEGIN CERTIFICATE-----/);
  });

  test("--restart asks for hostPID and the nsenter capabilities, never a privileged container", async () => {
    await untrustedNode("node-b");
    await node(["node-b", "trust", target, "--ca", caFile, "--restart", "--dry-run"]);
    const spec = lastPod().spec!;
    assert.equal(spec.hostPID, true);
    assert.deepEqual(spec.containers[0]!.securityContext, {
      runAsUser: 0,
      runAsNonRoot: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: {
        drop: ["ALL"],
        add: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SYS_CHROOT", "SYS_PTRACE", "SYS_ADMIN"],
      },
      appArmorProfile: { type: "Unconfined" },
    });
  });
});

describe("k8s node --all", () => {
  test("one row per node; a node that cannot pull the image is a row, not the end", async () => {
    await untrustedNode("node-a");
    await untrustedNode("node-b");
    pods.behaviour.set("node-c", "image-pull");
    const run = await node(["--all", "diagnose", target, "--runtime", "containerd"]);
    assert.equal(run.code, 2, run.stderr);
    const lines = run.stdout.split("\n");
    assert.match(lines[0] ?? "", /^NODE\s+RESULT\s+EXIT\s+DETAIL$/);
    assert.match(lines[1] ?? "", /^node-a\s+FAIL\s+1\s+unknown-authority/);
    assert.match(lines[2] ?? "", /^node-b\s+FAIL\s+1\s+unknown-authority/);
    assert.match(lines[3] ?? "", /^node-c\s+NOT RUN\s+-\s+node node-c cannot pull .*ErrImagePull.*--image/);
    assert.match(run.stdout, /3 nodes: 2 fail, 1 not run/);
    assert.equal(pods.created.length, 3);
  });

  test("--json: one object per node with the node's own result", async () => {
    await untrustedNode("node-a");
    await untrustedNode("node-b");
    await untrustedNode("node-c");
    const run = await node(["--all", "diagnose", target, "--json", "--runtime", "containerd"]);
    const report = JSON.parse(run.stdout);
    assert.equal(report.exitCode, 1);
    assert.deepEqual(
      report.nodes.map((n: { node: string }) => n.node),
      ["node-a", "node-b", "node-c"],
    );
    assert.equal(report.nodes[0].result.target.host, HOST);
  });
});

describe("k8s node failures: clear errors, and the pod always deleted", () => {
  const cases: Array<{ name: string; setup: () => void; args: string[]; message: RegExp }> = [
    {
      name: "image cannot be pulled",
      setup: () => pods.behaviour.set("node-a", "image-pull"),
      args: ["node-a", "diagnose", "repo.example.com"],
      message:
        /cannot pull registry\.internal\/regtrust:test.*ErrImagePull.*very registry trust problem.*--image/,
    },
    {
      name: "pod never starts",
      setup: () => pods.behaviour.set("node-a", "pending"),
      args: ["node-a", "diagnose", "repo.example.com", "--wait", "1"],
      message: /did not finish on node node-a within 1 s \(phase Pending\)/,
    },
    {
      name: "deadline exceeded",
      setup: () => pods.behaviour.set("node-a", "deadline"),
      args: ["node-a", "diagnose", "repo.example.com", "--deadline", "30"],
      message: /longer than its deadline \(30 s\) on node node-a/,
    },
    {
      name: "RBAC forbids creating pods",
      setup: () => {
        pods.refuseCreate = "rbac";
      },
      args: ["node-a", "audit"],
      message: /RBAC must grant verb "create" on resource "pods" \(API group ""\) in namespace "regtrust"/,
    },
    {
      name: "Pod Security rejects it",
      setup: () => {
        pods.refuseCreate = "pod-security";
      },
      args: ["node-a", "audit"],
      message: /pod-security\.kubernetes\.io\/enforce=privileged/,
    },
  ];
  for (const { name, setup, args, message } of cases) {
    test(`${name}: exit 2 with the reason`, async () => {
      setup();
      const run = await node(args);
      assert.equal(run.code, 2, run.stdout);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, "");
    });
  }

  test("bad input never reaches the cluster", async () => {
    for (const args of [
      ["node-a", "insecure", "x"],
      ["Node_A", "diagnose", "x"],
      ["node-a", "diagnose", "x", "--root", "/"],
    ]) {
      const run = await node(args);
      assert.equal(run.code, 2, args.join(" "));
    }
    assert.equal(pods.created.length, 0);
  });

  test("an interrupted client still deletes the pod", async () => {
    pods.behaviour.set("node-a", "pending");
    const kube = await connectKube({ kubeconfig: cluster.kubeconfig(), timeoutMs: 5000, env: {} });
    const controller = new AbortController();
    const input = {
      node: "node-a",
      action: "diagnose" as const,
      args: ["x"],
      namespace: "regtrust",
      image: "img",
      deadlineSeconds: 60,
      suffix: "abcde",
    };
    const running = runOnNode(kube.api, input, { waitMs: 30_000, pollMs: 50, signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(
      running,
      /interrupted: pod regtrust-diagnose-node-a-abcde on node node-a was deleted/,
    );
    assert.ok(pods.deleted.includes("regtrust-diagnose-node-a-abcde"));
  });
});
