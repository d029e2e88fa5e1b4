/**
 * `regtrust export --format ansible` run by the real ansible-playbook
 * (Debian's ansible-core) with a local connection against node roots built
 * here (`-e regtrust_root=…`): the first run changes the node, a second one
 * changes nothing, check mode writes nothing, and `regtrust diagnose --root`
 * against a loopback registry then verifies containerd's trust.
 *
 * --runtime containerd only: the OS store's refresh (update-ca-certificates)
 * cannot run against a prefix, and the playbook's handlers are off whenever
 * regtrust_root is set. The k3s cases are in ansible-k3s.test.ts.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { context, diagnoseJson } from "../integration/cli.ts";
import { buildNodeRoot } from "../integration/node-root.ts";
import { startRegistry } from "../support/registry.ts";
import { chainPem, freshNode, HOST, useAnsibleFixture } from "./ansible-support.ts";

const fx = useAnsibleFixture();

describe("export --format ansible (containerd)", () => {
  test("fresh node: applied, idempotent, and diagnose verifies containerd's trust", async () => {
    const reg = await startRegistry({
      tls: { certPem: chainPem(fx.pki().leaf, fx.pki().intermediate), keyPem: fx.pki().leaf.keyPem },
    });
    try {
      const registry = `${HOST}:${reg.port}`;
      const root = await buildNodeRoot(fx.dirs, freshNode("version = 2\n"));
      const before = await diagnoseJson(registry, root, ["--runtime", "containerd"]);
      assert.equal(before.run.code, 1, "the node must not trust the registry before the playbook");
      const playbook = await fx.playbookFor(registry);
      assert.ok((await fx.runPlaybook(playbook, root)) > 0);
      assert.equal(await fx.runPlaybook(playbook, root), 0, "a second run must change nothing");
      const config = await readFile(join(root, "etc/containerd/config.toml"), "utf8");
      assert.match(config, /^version = 2\n/);
      assert.match(config, /config_path = "\/etc\/containerd\/certs.d"/);
      const { run, result } = await diagnoseJson(registry, root, ["--runtime", "containerd"]);
      assert.equal(run.code, 0, run.stdout);
      assert.equal(context(result, "containerd").ok, true);
    } finally {
      await reg.stop();
    }
  });

  test("config_path already set elsewhere: the host directory lands there and diagnose verifies", async () => {
    const reg = await startRegistry({
      tls: { certPem: chainPem(fx.pki().leaf, fx.pki().intermediate), keyPem: fx.pki().leaf.keyPem },
    });
    try {
      const registry = `${HOST}:${reg.port}`;
      const config =
        'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/registry.d"\n';
      const root = await buildNodeRoot(fx.dirs, freshNode(config));
      const playbook = await fx.playbookFor(registry);
      assert.ok((await fx.runPlaybook(playbook, root)) > 0);
      assert.equal(await fx.runPlaybook(playbook, root), 0, "a second run must change nothing");
      assert.equal(
        await readFile(join(root, "etc/containerd/config.toml"), "utf8"),
        config,
        "config.toml untouched",
      );
      const placed = await readdir(join(root, "etc/containerd/registry.d", registry));
      assert.ok(placed.includes("hosts.toml"), placed.join(" "));
      const { run, result } = await diagnoseJson(registry, root, ["--runtime", "containerd"]);
      assert.equal(run.code, 0, run.stdout);
      assert.equal(context(result, "containerd").ok, true);
    } finally {
      await reg.stop();
    }
  });

  const states: Array<{ name: string; config: string | null }> = [
    { name: "no config.toml", config: null },
    {
      name: "config_path empty",
      config: 'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = ""\n',
    },
  ];
  for (const { name, config } of states) {
    test(`${name}: config_path set once, second run changes nothing`, async () => {
      const root = await buildNodeRoot(fx.dirs, freshNode(config));
      const playbook = await fx.playbookFor(HOST);
      assert.ok((await fx.runPlaybook(playbook, root)) > 0);
      assert.equal(await fx.runPlaybook(playbook, root), 0);
      const text = await readFile(join(root, "etc/containerd/config.toml"), "utf8");
      assert.equal(text.match(/config_path/g)?.length, 1, text);
      assert.match(text, /config_path = "\/etc\/containerd\/certs.d"/);
    });
  }

  test("check mode reports the changes and writes nothing", async () => {
    const root = await buildNodeRoot(fx.dirs, freshNode("version = 2\n"));
    const playbook = await fx.playbookFor(HOST);
    assert.ok((await fx.runPlaybook(playbook, root, ["--check"])) > 0);
    assert.deepEqual(await readdir(join(root, "etc/containerd")), ["config.toml"]);
    assert.equal(await readFile(join(root, "etc/containerd/config.toml"), "utf8"), "version = 2\n");
  });
});
