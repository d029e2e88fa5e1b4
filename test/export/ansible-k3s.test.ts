/**
 * `regtrust export --format ansible --runtime k3s` run by the real
 * ansible-playbook against node roots: registries.yaml created or merged like
 * `trust` merges it, idempotent, and a file of the wrong shape fails the play
 * with the manual fix. Set-up: ansible-support.ts.
 */
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { diagnoseJson } from "../integration/cli.ts";
import { buildNodeRoot, debianBase } from "../integration/node-root.ts";
import { startRegistry } from "../support/registry.ts";
import { caFileOf, chainPem, HOST, useAnsibleFixture } from "./ansible-support.ts";

const fx = useAnsibleFixture();

describe("export --format ansible (k3s)", () => {
  test("k3s: registries.yaml created on a fresh node, idempotent", async () => {
    const playbook = await fx.k3sPlaybook(HOST);
    const fresh = await buildNodeRoot(fx.dirs, debianBase());
    assert.ok((await fx.runPlaybook(playbook, fresh)) > 0);
    assert.equal(await fx.runPlaybook(playbook, fresh), 0);
    const created = await readFile(join(fresh, "etc/rancher/k3s/registries.yaml"), "utf8");
    const caFilePath = caFileOf(parse(created), HOST);
    assert.match(caFilePath, /^\/etc\/rancher\/k3s\/regtrust\//);
    assert.equal((await stat(join(fresh, "etc/rancher/k3s/registries.yaml"))).mode & 0o777, 0o600);
    assert.equal(await readFile(join(fresh, caFilePath), "utf8"), fx.pki().root.certPem);
  });

  test("k3s: merged into an existing registries.yaml like trust; the old ca_file's CA kept; diagnose reads it", async () => {
    const reg = await startRegistry({
      tls: { certPem: chainPem(fx.pki().leaf, fx.pki().intermediate), keyPem: fx.pki().leaf.keyPem },
    });
    try {
      const registry = `${HOST}:${reg.port}`;
      const other = await createPrivatePki({ hostnames: ["other.example.com"] });
      const theirs = [
        "# managed by the platform team",
        "mirrors:",
        "  docker.io:",
        '    endpoint: ["https://mirror.internal"]',
        "configs:",
        `  "${registry}":`,
        "    auth:",
        "      username: robot",
        "      password: s3cret",
        "    tls:",
        "      ca_file: /etc/ssl/private-old-ca.pem",
        "",
      ].join("\n");
      const root = await buildNodeRoot(fx.dirs, {
        ...debianBase(),
        "/etc/rancher/k3s/registries.yaml": theirs,
        "/etc/ssl/private-old-ca.pem": other.root.certPem,
      });
      const playbook = await fx.k3sPlaybook(registry);
      assert.ok((await fx.runPlaybook(playbook, root)) > 0);
      assert.equal(await fx.runPlaybook(playbook, root), 0, "a second run must change nothing");
      const merged = parse(await readFile(join(root, "etc/rancher/k3s/registries.yaml"), "utf8"));
      assert.deepEqual(merged.mirrors, { "docker.io": { endpoint: ["https://mirror.internal"] } });
      assert.deepEqual(merged.configs[registry].auth, { username: "robot", password: "s3cret" });
      const ours = await readFile(join(root, caFileOf(merged, registry)), "utf8");
      assert.ok(ours.includes(other.root.certPem.trim()), "the CA the old ca_file held is kept");
      assert.ok(ours.includes(fx.pki().root.certPem.trim()), "and ours is added");
      // No k3s runs here to render registries.yaml into containerd's hosts.toml (it does so at start),
      // so diagnose reads the merged file and asks for exactly that restart, naming our CA file.
      const { result } = await diagnoseJson(registry, root, ["--runtime", "k3s"]);
      const codes = result.findings.map((f) => f.code);
      assert.ok(!codes.some((c) => c.startsWith("ca-file") || c === "hosts-toml-invalid"), codes.join(" "));
      const restart = result.findings.find((f) => f.code === "restart-required");
      assert.ok(restart?.message.includes(caFileOf(merged, registry)), JSON.stringify(result.findings));
      assert.deepEqual(restart?.fix, ["systemctl restart k3s"]);
    } finally {
      await reg.stop();
    }
  });

  test("k3s: a registries.yaml of the wrong shape fails the play with the fix, unchanged", async () => {
    const theirs = "configs: [not, a, mapping]\n";
    const root = await buildNodeRoot(fx.dirs, {
      ...debianBase(),
      "/etc/rancher/k3s/registries.yaml": theirs,
    });
    const result = await fx.runPlaybookRaw(await fx.k3sPlaybook(HOST), root);
    assert.notEqual(result.code, 0);
    assert.match(result.stdout, /add configs\.\\?"repo\.example\.com\\?"\.tls\.ca_file/);
    assert.equal(await readFile(join(root, "etc/rancher/k3s/registries.yaml"), "utf8"), theirs);
  });
});
