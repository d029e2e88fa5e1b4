/**
 * Issue 17 item 1: an insecure override next to a CA regtrust installs. The
 * runtime verifies nothing while the override is there, so `trust` must not
 * say "verified", and the fix it offers removes the override and keeps the CA
 * (`trust --remove-insecure`), never `untrust` (which removes the CA and
 * leaves the override). The removal is journaled: untrust puts the node back.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { diagnoseJson, runCli } from "../integration/cli.ts";
import { runDist } from "../support/dist-cli.ts";
import { TempDirs } from "../support/tmp.ts";
import { sharedTrustFixture } from "../trust/fixture.ts";
import { buildDebianNode, treeChecksum } from "../trust/node.ts";

const dirs = new TempDirs();
const fx = sharedTrustFixture(dirs);

const CONFIG =
  'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n';

describe("an insecure override next to a trusted CA", () => {
  test("docker: trust is not 'verified' while insecure-registries holds the registry; --remove-insecure removes only that entry", async () => {
    const daemon = (host: string) =>
      `{\n  "log-driver": "journald",\n  "insecure-registries": ["${host}"]\n}\n`;
    const node = await buildDebianNode(dirs, { "/etc/docker/daemon.json": daemon(fx.host) });
    const original = await treeChecksum(node);

    const trust = await runCli(["trust", fx.host, "--ca", fx.caFile, "--root", node, "--runtime", "docker"]);
    assert.equal(trust.code, 1, trust.stdout + trust.stderr);
    assert.doesNotMatch(trust.stdout, /✓ docker|✓ verified/);
    assert.match(trust.stdout, /skips verification \(insecure-registries/);
    assert.doesNotMatch(trust.stdout + trust.stderr, /regtrust untrust/);
    assert.match(trust.stdout, new RegExp(`regtrust trust ${fx.host} --remove-insecure`));

    // The shipped artifact, as the operator runs the fix it was offered.
    const fix = await runDist(["trust", fx.host, "--remove-insecure", "--root", node, "--runtime", "docker"]);
    assert.equal(fix.code, 0, fix.stdout + fix.stderr);
    assert.match(fix.stdout, /systemctl reload docker/);
    assert.deepEqual(JSON.parse(await readFile(join(node, "/etc/docker/daemon.json"), "utf8")), {
      "log-driver": "journald",
    });
    const ca = await readFile(join(node, `/etc/docker/certs.d/${fx.host}/ca.crt`), "utf8");
    assert.equal(ca.trim(), fx.rootPem.trim());

    const { result } = await diagnoseJson(fx.host, node, ["--runtime", "docker"]);
    const docker = result.contexts.find((c) => c.name === "docker") as
      | { ok: boolean; insecure: boolean; summary?: string }
      | undefined;
    // The entry is gone, but the test registry's name resolves to 127.0.0.1, inside dockerd's built-in
    // insecure range (127.0.0.0/8, moby registry/config.go; test/oracle proves it against dockerd 20.10):
    // dockerd still skips verification, and regtrust says it is built in, not in a file to edit.
    assert.deepEqual([docker?.ok, docker?.insecure], [true, true], JSON.stringify(result.contexts));
    assert.match(docker?.summary ?? "", /built-in insecure range 127\.0\.0\.0\/8/);

    assert.equal((await runCli(["untrust", fx.host, "--root", node])).code, 0);
    assert.deepEqual(await treeChecksum(node), original);
  });

  test("containerd: a hand-written skip_verify beside the new ca is reported truthfully and removed surgically", async () => {
    const hostsToml = [
      "# written by hand during the incident",
      `server = "https://${fx.host}"`,
      "",
      `[host."https://${fx.host}"]`,
      '  capabilities = ["pull", "resolve"]',
      "  skip_verify = true # TODO remove",
      "",
    ].join("\n");
    const node = await buildDebianNode(dirs, {
      "/etc/containerd/config.toml": CONFIG,
      [`/etc/containerd/certs.d/${fx.host}/hosts.toml`]: hostsToml,
    });
    const original = await treeChecksum(node);

    const before = await diagnoseJson(fx.host, node, ["--runtime", "containerd"]);
    const insecure = before.result.findings.find((f) => f.code === "insecure-skip-verify");
    assert.ok(insecure, JSON.stringify(before.result.findings));
    assert.ok(
      insecure.fix.every((f) => !f.includes("untrust")),
      insecure.fix.join("\n"),
    );
    assert.match(insecure.fix[0] ?? "", /--ca <root\.pem> --remove-insecure/);

    const trust = await runCli([
      "trust",
      fx.host,
      "--ca",
      fx.caFile,
      "--root",
      node,
      "--runtime",
      "containerd",
    ]);
    assert.equal(trust.code, 1, trust.stdout + trust.stderr);
    assert.match(trust.stdout, /✗ containerd {2}skips verification/);
    assert.match(trust.stdout, /✗ not verified: containerd/);
    assert.doesNotMatch(trust.stdout, /regtrust untrust/);

    const fixed = await runCli([
      "trust",
      fx.host,
      "--ca",
      fx.caFile,
      "--remove-insecure",
      "--root",
      node,
      "--runtime",
      "containerd",
    ]);
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    const after = await readFile(join(node, `/etc/containerd/certs.d/${fx.host}/hosts.toml`), "utf8");
    assert.doesNotMatch(after, /skip_verify/);
    assert.match(after, /# written by hand during the incident/);
    assert.match(after, /ca = /);
    const { result } = await diagnoseJson(fx.host, node, ["--runtime", "containerd"]);
    assert.equal(result.ok, true, JSON.stringify(result.findings));
    assert.equal(result.contexts.find((c) => c.name === "containerd")?.insecure, false);

    assert.equal((await runCli(["untrust", fx.host, "--root", node])).code, 0);
    assert.deepEqual(await treeChecksum(node), original);
  });

  test("--remove-insecure without --ca refuses (exit 1, nothing written) when the chain would not verify", async () => {
    const node = await buildDebianNode(dirs, {
      "/etc/docker/daemon.json": `{ "insecure-registries": ["${fx.host}"] }\n`,
    });
    const sums = await treeChecksum(node);
    const run = await runCli(["trust", fx.host, "--remove-insecure", "--root", node, "--runtime", "docker"]);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /docker would fail without insecure-registries/);
    assert.match(run.stderr, /--ca <root\.pem> --remove-insecure/);
    assert.deepEqual(await treeChecksum(node), sums);
  });

  test("--remove-insecure with no override: says so, exit 0, nothing written", async () => {
    const node = await buildDebianNode(dirs, { "/etc/containerd/config.toml": CONFIG });
    const sums = await treeChecksum(node);
    const run = await runCli([
      "trust",
      fx.host,
      "--remove-insecure",
      "--root",
      node,
      "--runtime",
      "containerd",
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(
      run.stdout,
      /nothing to change for repo\.example\.com:\d+: no runtime .* skips verification/,
    );
    assert.doesNotMatch(run.stdout, /✓ verified/);
    assert.deepEqual(await treeChecksum(node), sums);
  });
});
