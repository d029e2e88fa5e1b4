/**
 * Issue #16 item 4, the agent DaemonSet: the built dist/regtrust.mjs as a real
 * process with exactly the hostPaths (and read-only flags) of
 * src/k8s/manifests/manifests.ts bind-mounted under /host in a private mount namespace,
 * over a copy of a real Debian node (containerd or k3s). `agent --once` in
 * enforce mode fixes the runtime, changes nothing outside the mounts, leaves
 * the OS store byte for byte (its refresh has neither the node's tool nor its
 * inputs there) and says so; asked for the OS store explicitly, it refuses
 * naming what is missing (exit 2, nothing changed). The damage the earlier
 * agent did (this machine's update-ca-certificates with /host directory
 * options: the node's bundle rebuilt from the local CAs alone) is reproduced,
 * found by `regtrust audit`, and repaired by the node's own tool.
 * Needs root (mount namespaces, chroot), as the whole integration suite does.
 */
import assert from "node:assert/strict";
import { copyFile, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { HOST_PATHS } from "../../src/k8s/manifests/manifests.ts";
import { pemBlocks, snapshot } from "./debian-node.ts";
import { auditOsStore, BUNDLE, LayoutFixture, LOCAL_CAS, wholeNode } from "./fixture.ts";
import { assertReferencesOnNode, changedEntries } from "./layout-checks.ts";
import { createHostPathDirs, type PodLayout, runInLayout, runNodeTool } from "./pod-layout.ts";

const f = new LayoutFixture();
before(() => f.start());
after(() => f.stop());

describe("agent DaemonSet: only the hostPaths of manifests.ts under /host", () => {
  const agentFlags = ["--node", "node-a", "--once", "--metrics-port", "0", "--no-publish"];

  for (const variant of ["containerd", "k3s"] as const) {
    test(`${variant}: agent --once enforce fixes the runtime and leaves the OS store byte for byte`, async () => {
      const node = await f.debianNode(variant);
      const layout = f.daemonSetLayout();
      await createHostPathDirs(node, layout);
      const before = await wholeNode(node);
      const { run, container } = await f.regtrust(node, layout, agentFlags);
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
    const node = await f.debianNode("containerd");
    const layout = f.daemonSetLayout();
    await createHostPathDirs(node, layout);
    const before = await wholeNode(node);
    const trust: PodLayout = {
      ...layout,
      args: ["trust", f.fx.target, "--ca", "/etc/regtrust/ca.crt", "--root", "/host", "--runtime", "system"],
    };
    const { run } = await f.regtrust(node, trust);
    assert.equal(run.code, 2, run.stderr + run.stdout);
    assert.match(run.stderr, /\/etc\/ca-certificates\.conf, \/usr\/share\/ca-certificates under \S+\/host/);
    assert.match(run.stderr, /nothing was changed/);
    assert.deepEqual(await wholeNode(node), before);
  });
});

describe("a node whose store an earlier agent damaged", () => {
  test("the old refresh (this machine's tool, /host directory options) is the damage; the node's own --fresh repairs it byte for byte", async () => {
    const node = await f.debianNode("containerd");
    const pristine = await snapshot(node, "/etc/ssl/certs");
    assert.deepEqual(auditOsStore(node), [], "a consistent store has no finding");
    const publicRoots = pemBlocks(await readFile(join(node, BUNDLE), "utf8")).length;
    const anchor = join(node, LOCAL_CAS, "regtrust-old-agent.crt");
    await copyFile(f.fx.caFile, anchor);
    // What regtrust <= this fix ran in the DaemonSet (plan/commands.ts host-tool mode on /host).
    const layout = f.daemonSetLayout();
    const container = await f.dirs.make("layout-container");
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
    await rm(anchor);
    const repair = await runNodeTool(node, ["update-ca-certificates", "--fresh"]);
    assert.equal(repair.code, 0, repair.stderr);
    assert.deepEqual(await snapshot(node, "/etc/ssl/certs"), pristine);
    assert.deepEqual(auditOsStore(node), []);
  });
});
