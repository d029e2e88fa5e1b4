/**
 * Issue #20 item 1, the agent gate: `regtrust agent --once` with `gate:` set,
 * against a node root built here, a real docker-registry with a private CA and
 * the local API server holding a Node registered with the startup taint next
 * to another taint. Every Node write passes the generated
 * ValidatingAdmissionPolicy first (evaluated by @bufbuild/cel), and JSON
 * patches are applied by fast-json-patch with their `test` preconditions.
 * Untrusted: the taint stays; enforce fixes trust: exactly one taint patch
 * removes it and nothing else; continuous re-adds it when the CA is removed.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { cp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { buildManifests } from "../../src/k8s/manifests/manifests.ts";
import { NODE_NAME_KEY, STARTUP_TAINT_KEY } from "../../src/k8s/manifests/node-write-policy.ts";
import { runCli } from "../integration/cli.ts";
import { buildNodeRoot, withContainerd } from "../integration/node-root.ts";
import { type FakeApiServer, startFakeApiServer } from "../k8s/fake-apiserver.ts";
import { type NodeWrite, statefulNodeRoutes } from "../k8s/fake-node-writes.ts";
import { type TempKubeconfig, writeKubeconfig } from "../k8s/kubeconfig-file.ts";
import { admit } from "../support/admission-policy.ts";
import { startPrivateCaRegistry } from "../support/private-registry.ts";
import type { RunningRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/tmp.ts";
import { agentArgs } from "./agent-args.ts";

// biome-ignore lint/suspicious/noExplicitAny: a stored Node navigated freely
type Json = Record<string, any>;
const NODE = "worker-1";
const OTHER_TAINT = { key: "dedicated", value: "ci", effect: "NoSchedule" };
const dirs = new TempDirs();
const writes: NodeWrite[] = [];
const nodes = new Map<string, Json>();
const denials: string[] = [];
let server: FakeApiServer;
let kubeconfig: TempKubeconfig;
let registry: RunningRegistry;
let target: string;
let caFile: string;

/** The policy `k8s manifests --gate agent` emits, judging every write as kube-apiserver would. */
function policyAdmission() {
  const docs = buildManifests({
    registries: ["r"],
    caPem: "",
    mode: "enforce",
    image: "i",
    namespace: "regtrust",
    gate: { by: "agent", mode: "continuous" },
  }) as Json[];
  const policy = docs.find((d) => d.kind === "ValidatingAdmissionPolicy") as Json;
  const binding = docs.find((d) => d.kind === "ValidatingAdmissionPolicyBinding") as Json;
  return (oldNode: Json, newNode: Json, subResource: "status" | undefined): string | null => {
    const outcome = admit(policy, binding, {
      operation: "UPDATE",
      resource: { group: "", version: "v1", resource: "nodes" },
      ...(subResource ? { subResource } : {}),
      name: NODE,
      userInfo: {
        username: "system:serviceaccount:regtrust:regtrust-agent",
        extra: { [NODE_NAME_KEY]: [NODE] },
      },
      object: newNode,
      oldObject: oldNode,
    });
    if (outcome.allowed) return null;
    denials.push(...outcome.messages);
    return outcome.messages.join("; ");
  };
}

function registerNode(): void {
  const node = JSON.parse(
    readFileSync(new URL("../k8s/fixtures/node-worker-1.json", import.meta.url), "utf8"),
  );
  node.spec.taints = [OTHER_TAINT, { key: STARTUP_TAINT_KEY, effect: "NoSchedule" }];
  nodes.set(NODE, node);
}

before(async () => {
  ({ registry, target, caFile } = await startPrivateCaRegistry(dirs));
  server = await startFakeApiServer({ pods: [], events: [], nodes: [] });
  server.extraRoutes.push(statefulNodeRoutes(nodes, writes, policyAdmission()));
  kubeconfig = writeKubeconfig({ server: server.url, caPem: server.caPem, token: server.token });
});

after(async () => {
  await registry?.stop();
  await server?.close();
  kubeconfig?.cleanup();
  await dirs.cleanup();
});

async function agentOnce(root: string, mode: "enforce" | "report", gate: "bootstrap-only" | "continuous") {
  const dir = await dirs.make("agent-config");
  const config = join(dir, "agent.yaml");
  await writeFile(config, `registries: ["${target}"]\ncaFile: ${caFile}\nmode: ${mode}\ngate: ${gate}\n`);
  writes.length = 0;
  return runCli(agentArgs({ config, root, node: NODE, once: true, kubeconfig: kubeconfig.path }));
}

/** The node as it was before any trust fix, to put back when "the CA is removed". */
async function snapshot(root: string): Promise<string> {
  const copy = join(await dirs.make("node-snapshot"), "root");
  await cp(root, copy, { recursive: true, verbatimSymlinks: true });
  return copy;
}

/**
 * The CA leaves the node: its files go back to how they were before the fix
 * (a reimage, or another tool rewriting them). Not `regtrust untrust`: on these
 * node roots it leaves the CA in /etc/ssl/certs/ca-certificates.crt (reported
 * separately), so containerd's system-roots fallback would still verify.
 */
async function removeCa(root: string, pristine: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
  await cp(pristine, root, { recursive: true, verbatimSymlinks: true });
}

const taints = () => (nodes.get(NODE)?.spec.taints ?? []) as Json[];
const hasStartupTaint = () => taints().some((t) => t.key === STARTUP_TAINT_KEY);
const taintPatches = () => writes.filter((w) => w.contentType === "application/json-patch+json");

describe("agent gate: the startup taint follows registry trust", () => {
  test("bootstrap-only: untrusted keeps the taint; enforce removes it with one patch; later breaks do not re-add it", async () => {
    registerNode();
    const root = await buildNodeRoot(dirs, withContainerd());
    const pristine = await snapshot(root);

    const untrusted = await agentOnce(root, "report", "bootstrap-only");
    assert.equal(untrusted.code, 1, untrusted.stderr);
    assert.ok(hasStartupTaint(), "an untrusted node keeps the taint");
    assert.deepEqual(taintPatches(), []);

    const enforced = await agentOnce(root, "enforce", "bootstrap-only");
    assert.equal(enforced.code, 0, enforced.stderr);
    assert.equal(hasStartupTaint(), false, enforced.stderr);
    assert.deepEqual(taints(), [OTHER_TAINT], "the other taint is untouched");
    const [patch, ...more] = taintPatches();
    assert.equal(more.length, 0, "exactly one taint patch");
    assert.deepEqual(patch?.body, [
      { op: "test", path: "/spec/taints/1", value: { key: STARTUP_TAINT_KEY, effect: "NoSchedule" } },
      { op: "remove", path: "/spec/taints/1" },
    ]);
    assert.deepEqual(denials, [], "the admission policy allowed every write");

    const again = await agentOnce(root, "enforce", "bootstrap-only");
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(taintPatches(), [], "nothing to do the second time");

    await removeCa(root, pristine);
    const broken = await agentOnce(root, "report", "bootstrap-only");
    assert.equal(broken.code, 1, broken.stderr);
    assert.equal(hasStartupTaint(), false, "bootstrap-only never re-adds the taint");
    assert.deepEqual(taintPatches(), []);
  });

  test("continuous: the taint comes back when the CA is removed and goes when trust is fixed", async () => {
    registerNode();
    const root = await buildNodeRoot(dirs, withContainerd());
    const pristine = await snapshot(root);
    const fixed = await agentOnce(root, "enforce", "continuous");
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.equal(hasStartupTaint(), false);
    assert.equal(taintPatches().length, 1);

    await removeCa(root, pristine);
    const broken = await agentOnce(root, "report", "continuous");
    assert.equal(broken.code, 1, broken.stderr);
    assert.ok(hasStartupTaint(), "continuous re-adds the taint");
    assert.deepEqual(taints(), [OTHER_TAINT, { key: STARTUP_TAINT_KEY, effect: "NoSchedule" }]);
    const [added, ...more] = taintPatches();
    assert.equal(more.length, 0, "exactly one taint patch");
    assert.deepEqual(added?.body, [
      { op: "test", path: "/spec/taints", value: [OTHER_TAINT] },
      { op: "add", path: "/spec/taints/-", value: { key: STARTUP_TAINT_KEY, effect: "NoSchedule" } },
    ]);

    const refixed = await agentOnce(root, "enforce", "continuous");
    assert.equal(refixed.code, 0, refixed.stderr);
    assert.equal(hasStartupTaint(), false);
    assert.equal(taintPatches().length, 1);
    assert.deepEqual(denials, [], "the admission policy allowed every write");
  });

  test("a taint list changed by someone else between read and patch is not clobbered", async () => {
    registerNode();
    const root = await buildNodeRoot(dirs, withContainerd());
    // Another controller inserts a taint before ours after every read the agent makes.
    const concurrent = { key: "node.kubernetes.io/other", effect: "NoSchedule" };
    let raced = false;
    server.extraRoutes.unshift((req, _res, url) => {
      if (!raced && req.method === "PATCH" && url.pathname === `/api/v1/nodes/${NODE}`) {
        const t = req.headers["content-type"];
        if (t === "application/json-patch+json") {
          raced = true;
          taints().splice(0, 0, concurrent);
        }
      }
      return false;
    });
    const run = await agentOnce(root, "enforce", "bootstrap-only");
    server.extraRoutes.shift();
    assert.equal(run.code, 0, run.stderr);
    // The first patch's test failed (422), the agent re-read and removed the taint at its new index.
    const patches = taintPatches();
    assert.equal(patches.length, 2, JSON.stringify(patches));
    assert.equal(patches[0]?.body.refused, 422);
    assert.deepEqual(taints(), [concurrent, OTHER_TAINT]);
  });
});
