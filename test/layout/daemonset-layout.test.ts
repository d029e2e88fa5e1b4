/**
 * Issue #16 item 4: the built dist/regtrust.mjs, run as a real process in the
 * layouts it ships in, on a realistic Debian node (this machine's whole
 * Mozilla store, containerd or k3s):
 * - `k8s node … trust/untrust` pods mount the node's `/` at /host: the OS
 *   store is refreshed by the node's own update-ca-certificates through
 *   chroot, identical byte for byte to that tool run on the node itself; the
 *   public roots survive trust and untrust byte for byte; links name node
 *   paths only.
 * - The agent DaemonSet mounts only the hostPaths of src/k8s/manifests.ts:
 *   `agent --once` in enforce mode fixes the runtimes and leaves the OS store
 *   alone (its refresh has neither the tool nor its inputs there); asked for
 *   the OS store explicitly, it refuses naming what is missing (exit 2,
 *   nothing changed). Before, Debian's tool rebuilt the node's bundle from the
 *   private CA alone (144 certificates -> 1) and linked to /host paths.
 * Needs root (mount namespaces, chroot), as the whole integration suite does.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { V1ConfigMap, V1DaemonSet, V1PodSpec } from "@kubernetes/client-node";
import { buildManifests, HOST_PATHS } from "../../src/k8s/manifests.ts";
import { CA_ENV, type NodeAction, nodePod } from "../../src/k8s/node-run/pod-spec.ts";
import { type PrivateRegistry, startPrivateCaRegistry } from "../support/private-registry.ts";
import { TempDirs } from "../support/tmp.ts";
import { buildDebianNode, type NodeVariant, pemBlocks, snapshot } from "./debian-node.ts";
import { assertLinksOnNode, assertReferencesOnNode, changedEntries } from "./layout-checks.ts";
import {
  containerArgs,
  createHostPathDirs,
  DIST,
  layoutOf,
  type PodLayout,
  runInLayout,
  runNodeTool,
} from "./pod-layout.ts";

const dirs = new TempDirs();
let fx: PrivateRegistry;
const BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
const LOCAL_CAS = "/usr/local/share/ca-certificates";

before(async () => {
  assert.ok(existsSync(DIST), "dist/regtrust.mjs is missing: run `npm run build` first");
  assert.equal(process.getuid?.(), 0, "the layout tests need root (mount namespaces, chroot)");
  fx = await startPrivateCaRegistry(dirs);
});

after(async () => {
  await fx?.registry.stop();
  await dirs.cleanup();
});

function nodePodLayout(action: NodeAction, args: string[]): PodLayout {
  const pod = nodePod({
    node: "node-a",
    action,
    args,
    namespace: "regtrust",
    image: "regtrust:test",
    deadlineSeconds: 300,
    suffix: "test",
    ...(action === "trust" ? { caPem: fx.caPem } : {}),
  });
  return layoutOf(pod.spec as V1PodSpec);
}

function daemonSetLayout(): PodLayout {
  const docs = buildManifests({
    registries: [fx.target],
    caPem: fx.caPem,
    mode: "enforce",
    image: "regtrust:test",
    namespace: "regtrust",
  });
  const ds = docs.find((d) => d.kind === "DaemonSet") as V1DaemonSet;
  const cm = docs.find((d) => d.kind === "ConfigMap") as V1ConfigMap;
  return layoutOf(ds.spec?.template.spec as V1PodSpec, { [cm.metadata?.name ?? ""]: cm.data ?? {} });
}

async function regtrust(node: string, layout: PodLayout, extra: string[] = []) {
  const container = await dirs.make("layout-container");
  const argv = [process.execPath, DIST, ...containerArgs(layout, container), ...extra];
  return { run: await runInLayout(node, container, layout, argv), container };
}

/** The node minus what the namespace mounts over it (empty directories outside it). */
const wholeNode = (node: string) => snapshot(node, "/");

/**
 * This machine's store has a regular file where Debian's tool keeps a link
 * (sandboxing-egress-ca.pem, written there directly); the tool's next run on
 * the node turns it into the link, whoever runs it. The node starts from the
 * state its own tool leaves, so trust/untrust are compared from a fixed point.
 */
async function debianNode(variant: NodeVariant): Promise<string> {
  const node = await buildDebianNode(dirs, variant);
  const tool = await runNodeTool(node, ["update-ca-certificates"]);
  assert.equal(tool.code, 0, tool.stderr);
  return node;
}

async function regtrustAnchors(node: string): Promise<string[]> {
  return (await readdir(join(node, LOCAL_CAS))).filter((n) => n.startsWith("regtrust-"));
}

describe("k8s node pods: the node's / at /host", () => {
  for (const variant of ["containerd", "k3s"] as NodeVariant[]) {
    test(`${variant}: trust and untrust keep the public roots byte for byte; the node's own tool runs`, async () => {
      const node = await debianNode(variant);
      const before = await wholeNode(node);
      const bundleBefore = pemBlocks(await readFile(join(node, BUNDLE), "utf8"));
      assert.ok(bundleBefore.length > 100, "a real Mozilla store");

      const trustArgs = [fx.target, "--ca", `env:${CA_ENV}`, "--json"];
      const trust = await regtrust(node, nodePodLayout("trust", trustArgs));
      assert.equal(trust.run.code, 0, trust.run.stderr + trust.run.stdout);
      const report = JSON.parse(trust.run.stdout);
      const refresh = report.commands.find((c: { kind: string }) => c.kind === "refresh");
      assert.equal(refresh.via, "chroot", JSON.stringify(refresh));
      assert.deepEqual(refresh.ran, ["chroot", join(trust.container, "/host"), "update-ca-certificates"]);

      const bundleAfter = pemBlocks(await readFile(join(node, BUNDLE), "utf8"));
      assert.deepEqual(
        bundleAfter.filter((b) => !bundleBefore.includes(b)),
        pemBlocks(fx.caPem),
      );
      assert.equal(bundleAfter.length, bundleBefore.length + 1, "every public root is still there");

      // The same anchor put on an identical node and its own tool run there: the same store, byte for byte.
      const reference = await debianNode(variant);
      for (const name of await regtrustAnchors(node)) {
        await copyFile(join(node, LOCAL_CAS, name), join(reference, LOCAL_CAS, name));
      }
      const tool = await runNodeTool(reference, ["update-ca-certificates"]);
      assert.equal(tool.code, 0, tool.stderr);
      const certsAfter = await snapshot(node, "/etc/ssl/certs");
      assert.deepEqual(certsAfter, await snapshot(reference, "/etc/ssl/certs"));

      const afterTrust = await wholeNode(node);
      await assertLinksOnNode(node, trust.container, certsAfter, "/etc/ssl/certs");
      await assertReferencesOnNode(node, trust.container, afterTrust, changedEntries(before, afterTrust));

      const untrust = await regtrust(node, nodePodLayout("untrust", [fx.target, "--json"]));
      assert.equal(untrust.run.code, 0, untrust.run.stderr + untrust.run.stdout);
      const afterUntrust = await wholeNode(node);
      assert.deepEqual(
        changedEntries(before, afterUntrust).filter((p) => !p.startsWith("var/lib/regtrust")),
        [],
        "untrust leaves the node as it was, outside regtrust's journal",
      );
    });
  }

  test("a node without /etc/ca-certificates.conf: trust refuses and names it; nothing changed", async () => {
    const node = await debianNode("containerd");
    await rm(join(node, "/etc/ca-certificates.conf"));
    const before = await wholeNode(node);
    const args = [fx.target, "--ca", `env:${CA_ENV}`, "--runtime", "system"];
    const { run } = await regtrust(node, nodePodLayout("trust", args));
    assert.equal(run.code, 2, run.stderr + run.stdout);
    assert.match(run.stderr, /update-ca-certificates needs \/etc\/ca-certificates\.conf under \S+\/host/);
    assert.match(run.stderr, /nothing was changed/);
    assert.deepEqual(await wholeNode(node), before);
  });
});

describe("agent DaemonSet: only the hostPaths of manifests.ts under /host", () => {
  const agentFlags = ["--node", "node-a", "--once", "--metrics-port", "0", "--no-publish"];

  for (const variant of ["containerd", "k3s"] as NodeVariant[]) {
    test(`${variant}: agent --once enforce fixes the runtime and leaves the OS store byte for byte`, async () => {
      const node = await debianNode(variant);
      const layout = daemonSetLayout();
      await createHostPathDirs(node, layout);
      const before = await wholeNode(node);
      const { run, container } = await regtrust(node, layout, agentFlags);
      if (variant === "containerd") assert.equal(run.code, 0, run.stderr + run.stdout);
      else {
        // k3s reads registries.yaml when it starts; the agent does not restart it unless configured to.
        assert.equal(run.code, 1, run.stderr + run.stdout);
        assert.match(run.stderr + run.stdout, /"restart-required"/);
      }

      const fixLog = run.stderr
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { msg: string; notes?: string[] })
        .find((l) => l.msg === "enforce: trust fix applied");
      assert.match(
        (fixLog?.notes ?? []).join("\n"),
        /the OS store was left alone: update-ca-certificates needs \/etc\/ca-certificates\.conf, \/usr\/share\/ca-certificates under \S+\/host/,
        run.stderr,
      );
      const after = await wholeNode(node);
      const changed = changedEntries(before, after);
      const mounted = HOST_PATHS.map((p) => p.slice(1));
      assert.ok(changed.length > 0, "the runtime got the CA");
      for (const path of changed) {
        assert.ok(
          mounted.some((m) => path === m || path.startsWith(`${m}/`)),
          `${path} changed outside the mounts`,
        );
        assert.ok(!path.startsWith("etc/ssl") && !path.startsWith("usr/"), `the OS store changed: ${path}`);
      }
      await assertReferencesOnNode(node, container, after, changed, HOST_PATHS);
      if (variant === "k3s") {
        const yaml = await readFile(join(node, "/etc/rancher/k3s/registries.yaml"), "utf8");
        assert.ok(yaml.includes("mirror.internal.example:5000"), "the operator's mirror is kept");
        assert.match(yaml, /ca_file: \/etc\/rancher\/k3s\//);
      }
    });
  }

  test("the OS store named explicitly is refused, naming what the pod does not mount", async () => {
    const node = await debianNode("containerd");
    const layout = daemonSetLayout();
    await createHostPathDirs(node, layout);
    const before = await wholeNode(node);
    const trust: PodLayout = {
      ...layout,
      args: ["trust", fx.target, "--ca", "/etc/regtrust/ca.crt", "--root", "/host", "--runtime", "system"],
    };
    const { run } = await regtrust(node, trust);
    assert.equal(run.code, 2, run.stderr + run.stdout);
    assert.match(run.stderr, /\/etc\/ca-certificates\.conf, \/usr\/share\/ca-certificates under \S+\/host/);
    assert.match(run.stderr, /nothing was changed/);
    assert.deepEqual(await wholeNode(node), before);
  });
});

/** `regtrust audit --json` (the built bundle) on the node copy: the os-store-inconsistent findings, as `severity: message`. */
function auditOsStore(node: string): string[] {
  let stdout: string;
  try {
    stdout = execFileSync(process.execPath, [DIST, "audit", "--root", node, "--json"], {
      encoding: "utf8",
      timeout: 60_000,
    });
  } catch (error) {
    stdout = (error as { stdout: string }).stdout; // exit 1: error findings
  }
  const report = JSON.parse(stdout) as { findings: { code: string; severity: string; message: string }[] };
  return report.findings
    .filter((f) => f.code === "os-store-inconsistent")
    .map((f) => `${f.severity}: ${f.message}`);
}

describe("a node whose store an earlier agent damaged", () => {
  test("the old refresh (this machine's tool, /host directory options) is the damage; the node's own --fresh repairs it byte for byte", async () => {
    const node = await debianNode("containerd");
    const pristine = await snapshot(node, "/etc/ssl/certs");
    assert.deepEqual(auditOsStore(node), [], "a consistent store has no finding");
    const publicRoots = pemBlocks(await readFile(join(node, BUNDLE), "utf8")).length;
    const anchor = join(node, LOCAL_CAS, "regtrust-old-agent.crt");
    await copyFile(fx.caFile, anchor);
    // What regtrust <= this fix ran in the DaemonSet (plan/commands.ts host-tool mode on /host).
    const layout = daemonSetLayout();
    const container = await dirs.make("layout-container");
    const host = (p: string) => join(container, "/host", p);
    const oldRefresh = [
      "/usr/sbin/update-ca-certificates",
      ...["--certsconf", host("/etc/ca-certificates.conf"), "--certsdir", host("/usr/share/ca-certificates")],
      ...["--localcertsdir", host(LOCAL_CAS), "--etccertsdir", host("/etc/ssl/certs")],
      ...["--hooksdir", host("/etc/ca-certificates/update.d")],
    ];
    // The DaemonSet now mounts the OS store read-only: the same command cannot change it any more.
    await runInLayout(node, container, layout, oldRefresh);
    assert.deepEqual(await snapshot(node, "/etc/ssl/certs"), pristine);
    // Mounted writable, as the DaemonSet did before: exit 0, and the public roots are gone.
    const writable: PodLayout = {
      ...layout,
      mounts: layout.mounts.map((m) => (m.kind === "host" ? { ...m, readOnly: false } : m)),
    };
    const damage = await runInLayout(node, container, writable, oldRefresh);
    assert.equal(damage.code, 0, damage.stderr);
    const left = pemBlocks(await readFile(join(node, BUNDLE), "utf8")).length;
    assert.ok(left < 5 && publicRoots > 100, `${publicRoots} certificates -> ${left}`);
    // `regtrust audit` finds such a node: roots missing from the bundle, links to /host paths.
    const found = auditOsStore(node);
    assert.equal(found.length, 2, found.join("\n"));
    assert.match(
      found[0] ?? "",
      /^error: \/etc\/ssl\/certs\/ca-certificates\.crt lacks \d{3} of the certificates/,
    );
    assert.match(found[1] ?? "", /^warning: \d+ certificate link\(s\) in \/etc\/ssl\/certs lead to files/);
    execFileSync("rm", [anchor]);
    const repair = await runNodeTool(node, ["update-ca-certificates", "--fresh"]);
    assert.equal(repair.code, 0, repair.stderr);
    assert.deepEqual(await snapshot(node, "/etc/ssl/certs"), pristine);
    assert.deepEqual(auditOsStore(node), []);
  });
});
