/**
 * Issue #16 item 4, `k8s node … trust/untrust`: the built dist/regtrust.mjs as
 * a real process with the container args and mounts of the pod regtrust
 * generates (src/k8s/node-run/pod-spec.ts: the node's `/` at /host), on a
 * copy of a real Debian store (this machine's whole Mozilla bundle). The OS
 * store is refreshed by the node's own update-ca-certificates through chroot,
 * identical byte for byte to that tool run on the node itself; the public
 * roots survive trust and untrust byte for byte; links and paths in written
 * files are node paths that exist on the node. A node without the refresh's
 * inputs gets a refusal (exit 2), nothing changed.
 * Needs root (mount namespaces, chroot), as the whole integration suite does.
 */
import assert from "node:assert/strict";
import { copyFile, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { CA_ENV } from "../../src/k8s/node-run/pod-spec.ts";
import { pemBlocks, snapshot } from "./debian-node.ts";
import { BUNDLE, LayoutFixture, LOCAL_CAS, regtrustAnchors, wholeNode } from "./fixture.ts";
import { assertLinksOnNode, assertReferencesOnNode, changedEntries } from "./layout-checks.ts";
import { runNodeTool } from "./pod-layout.ts";

const f = new LayoutFixture();
before(() => f.start());
after(() => f.stop());

describe("k8s node pods: the node's / at /host", () => {
  for (const variant of ["containerd", "k3s"] as const) {
    test(`${variant}: trust and untrust keep the public roots byte for byte; the node's own tool runs`, async () => {
      const node = await f.debianNode(variant);
      const before = await wholeNode(node);
      const bundleBefore = pemBlocks(await readFile(join(node, BUNDLE), "utf8"));
      assert.ok(bundleBefore.length > 100, "a real Mozilla store");

      const trustArgs = [f.fx.target, "--ca", `env:${CA_ENV}`, "--json"];
      const trust = await f.regtrust(node, f.nodePodLayout("trust", trustArgs));
      assert.equal(trust.run.code, 0, trust.run.stderr + trust.run.stdout);
      const report = JSON.parse(trust.run.stdout);
      const refresh = report.commands.find((c: { kind: string }) => c.kind === "refresh");
      assert.equal(refresh.via, "chroot", JSON.stringify(refresh));
      assert.deepEqual(refresh.ran, ["chroot", join(trust.container, "/host"), "update-ca-certificates"]);

      const bundleAfter = pemBlocks(await readFile(join(node, BUNDLE), "utf8"));
      assert.deepEqual(
        bundleAfter.filter((b) => !bundleBefore.includes(b)),
        pemBlocks(f.fx.caPem),
      );
      assert.equal(bundleAfter.length, bundleBefore.length + 1, "every public root is still there");

      // The same anchor put on an identical node and its own tool run there: the same store, byte for byte.
      const reference = await f.debianNode(variant);
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

      const untrust = await f.regtrust(node, f.nodePodLayout("untrust", [f.fx.target, "--json"]));
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
    const node = await f.debianNode("containerd");
    await rm(join(node, "/etc/ca-certificates.conf"));
    const before = await wholeNode(node);
    const args = [f.fx.target, "--ca", `env:${CA_ENV}`, "--runtime", "system"];
    const { run } = await f.regtrust(node, f.nodePodLayout("trust", args));
    assert.equal(run.code, 2, run.stderr + run.stdout);
    assert.match(run.stderr, /update-ca-certificates needs \/etc\/ca-certificates\.conf under \S+\/host/);
    assert.match(run.stderr, /nothing was changed/);
    assert.deepEqual(await wholeNode(node), before);
  });
});
