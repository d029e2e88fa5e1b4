/**
 * containerd's side of `regtrust trust` on node trees, verified by the same
 * diagnosis a user would run: config_path added surgically to v2 and v3
 * configs, hosts.toml files that are not regtrust's, the refusals, the shared
 * config_path across targets, symlinks and concurrent runs.
 */
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { codes, context, diagnoseJson, runCli } from "../integration/cli.ts";
import { TempDirs } from "../support/tmp.ts";
import { sharedTrustFixture } from "./fixture.ts";
import { buildDebianNode, type NodeFiles, treeChecksum } from "./node.ts";

const dirs = new TempDirs();
const fx = sharedTrustFixture(dirs);

function trust(node: string, ...extra: string[]) {
  return runCli(["trust", fx.host, "--ca", fx.caFile, "--root", node, "--runtime", "containerd", ...extra]);
}
const read = (node: string, path: string) => readFile(join(node, path), "utf8");
const hostDir = () => `/etc/containerd/certs.d/${fx.host}`;

const V2_WITH_AUTH = `version = 2
# provisioning: do not edit by hand
[plugins."io.containerd.grpc.v1.cri".registry]
  # credentials for the public mirror
[plugins."io.containerd.grpc.v1.cri".registry.configs."gcr.io".auth]
  username = "puller"
  password = "hunter2"
`;

const V3 = `version = 3
root = "/var/lib/containerd" # data

[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
`;

describe("config_path is added surgically", () => {
  test("v2: under the existing registry header; comments kept; the dry run masks the password", async () => {
    const node = await buildDebianNode(dirs, { "/etc/containerd/config.toml": V2_WITH_AUTH });
    const original = await treeChecksum(node);
    const dry = await trust(node, "--dry-run");
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(await treeChecksum(node), original, "a dry run changes nothing");
    await assert.rejects(
      stat(join(node, "/var/lib/regtrust")),
      /ENOENT/,
      "not even regtrust's journal directory",
    );
    assert.match(dry.stdout, /\+ {2}config_path = "\/etc\/containerd\/certs\.d"/);
    assert.doesNotMatch(dry.stdout, /hunter2/);
    const run = await trust(node);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.doesNotMatch(run.stdout, /hunter2/);
    const expected = V2_WITH_AUTH.replace(
      "registry]\n  # credentials",
      'registry]\n  config_path = "/etc/containerd/certs.d"\n  # credentials',
    );
    assert.equal(await read(node, "/etc/containerd/config.toml"), expected);
    assert.match(run.stdout, /waiting for: systemctl restart containerd/);
  });

  test("v3: the cri.v1.images registry table is appended; everything else byte-identical", async () => {
    const node = await buildDebianNode(dirs, { "/etc/containerd/config.toml": V3 });
    const run = await trust(node, "--json");
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(
      await read(node, "/etc/containerd/config.toml"),
      `${V3}\n[plugins."io.containerd.cri.v1.images".registry]\n  config_path = "/etc/containerd/certs.d"\n`,
    );
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.contexts[0].restart, "containerd");
    assert.equal(report.contexts[0].verified, true);
    assert.ok(report.diagnosis.findings.some((f: { code: string }) => f.code === "restart-required"));
  });

  test("no config.toml: a minimal version 2 file is created, and untrust removes it again", async () => {
    const node = await buildDebianNode(dirs, { "/etc/containerd/certs.d/.keep": "" });
    const original = await treeChecksum(node);
    const run = await trust(node);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /did not exist: regtrust creates a minimal one/);
    assert.match(
      await read(node, "/etc/containerd/config.toml"),
      /^# created by regtrust[\s\S]*version = 2\n/,
    );
    assert.equal((await runCli(["untrust", fx.host, "--root", node])).code, 0);
    assert.deepEqual(await treeChecksum(node), original);
  });

  test("registry.mirrors set: refused with the reason, nothing written", async () => {
    const config = `version = 2\n[plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]\n  endpoint = ["https://mirror.example.com"]\n`;
    const node = await buildDebianNode(dirs, { "/etc/containerd/config.toml": config });
    const original = await treeChecksum(node);
    const run = await trust(node);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /sets registry\.mirrors; with config_path also set containerd's CRI plugin fails to load/,
    );
    assert.deepEqual(await treeChecksum(node), original);
  });
});

describe("hosts.toml that regtrust does not own", () => {
  const WITH_CONFIG_PATH = `version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n`;

  test("hosts.toml present while config_path is unset: diagnosed, then fixed (ca added to its [host] table)", async () => {
    const files: NodeFiles = {
      "/etc/containerd/config.toml": "version = 2\n",
      [`${hostDir()}/hosts.toml`]: `# written by the platform team\nserver = "https://${fx.host}"\n\n[host."https://${fx.host}"]\n  capabilities = ["pull", "resolve"] # no push from nodes\n`,
    };
    const node = await buildDebianNode(dirs, files);
    const { result: before } = await diagnoseJson(fx.host, node, ["--runtime", "containerd"]);
    assert.ok(codes(before, "error").includes("config-path-unset"), JSON.stringify(before.findings));
    const run = await trust(node);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const hosts = await read(node, `${hostDir()}/hosts.toml`);
    assert.match(hosts, /^# written by the platform team\n/);
    assert.match(
      hosts,
      /capabilities = \["pull", "resolve"\] # no push from nodes\n {2}ca = \["regtrust-[0-9a-f]{12}\.crt"\]/,
    );
    const { result: after } = await diagnoseJson(fx.host, node, ["--runtime", "containerd"]);
    assert.equal(context(after, "containerd").ok, true, JSON.stringify(after.findings));
  });

  test("an existing ca string becomes a list with regtrust's file; untrust restores the line", async () => {
    const original = `[host."https://${fx.host}"]\n  ca = "/etc/pki/other.pem" # the old CA\n`;
    const node = await buildDebianNode(dirs, {
      "/etc/containerd/config.toml": WITH_CONFIG_PATH,
      [`${hostDir()}/hosts.toml`]: original,
      // It must exist: containerd fails every pull when any ca file of the list is missing.
      "/etc/pki/other.pem": await readFile(fx.caFile, "utf8"),
    });
    const sums = await treeChecksum(node);
    const run = await trust(node);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(
      await read(node, `${hostDir()}/hosts.toml`),
      /ca = \["\/etc\/pki\/other\.pem", "regtrust-[0-9a-f]{12}\.crt"\] # the old CA\n/,
    );
    assert.equal((await runCli(["untrust", fx.host, "--root", node])).code, 0);
    assert.deepEqual(await treeChecksum(node), sums);
  });

  test("ambiguous (top-level server with its own TLS settings): refused with the exact lines", async () => {
    const node = await buildDebianNode(dirs, {
      "/etc/containerd/config.toml": WITH_CONFIG_PATH,
      [`${hostDir()}/hosts.toml`]: `server = "https://${fx.host}"\nclient = "/etc/pki/client.pem"\n[host."https://mirror.example.com"]\n  capabilities = ["pull"]\n`,
    });
    const sums = await treeChecksum(node);
    const run = await trust(node);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /top-level server entry .* has its own TLS settings/);
    assert.match(run.stderr, /Copy the CA to .*regtrust-[0-9a-f]{12}\.crt/);
    assert.match(
      run.stderr,
      new RegExp(
        `\\[host\\."https://${fx.host.replaceAll(".", "\\.")}"\\]\\n\\s+capabilities = \\["pull", "resolve"\\]\\n\\s+ca = \\["regtrust-`,
      ),
    );
    assert.deepEqual(await treeChecksum(node), sums);
  });
});

describe("config_path shared by several targets", () => {
  test("untrust of one target keeps config_path while another needs it; the last untrust restores the file", async () => {
    const other = `other.example.com:${fx.registry.port}`;
    const node = await buildDebianNode(dirs, { "/etc/containerd/config.toml": "version = 2\n" });
    const sums = await treeChecksum(node);
    assert.equal((await trust(node)).code, 0);
    // other.example.com is served by the same registry (its certificate names only repo.example.com), so
    // the trust run verifies nothing there; what matters here is the shared config_path.
    const second = await runCli([
      "trust",
      other,
      "--ca",
      fx.caFile,
      "--root",
      node,
      "--runtime",
      "containerd",
    ]);
    assert.notEqual(second.code, 2, second.stderr);
    assert.equal((await runCli(["untrust", fx.host, "--root", node])).code, 0);
    assert.match(await read(node, "/etc/containerd/config.toml"), /config_path/);
    assert.equal((await runCli(["untrust", other, "--root", node])).code, 0);
    assert.deepEqual(await treeChecksum(node), sums);
  });
});

describe("unsafe trees and concurrency", () => {
  test("certs.d symlinked out of the root: refused with a clear error, nothing changed", async () => {
    const outside = await dirs.make("outside");
    const node = await buildDebianNode(dirs, { "/etc/containerd/config.toml": "version = 2\n" });
    const { symlink } = await import("node:fs/promises");
    await symlink("../../../../../../../../..".concat(outside), join(node, "/etc/containerd/certs.d"));
    const sums = await treeChecksum(node);
    const run = await trust(node);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /certs\.d/);
    assert.deepEqual(await treeChecksum(node), sums);
  });

  test("two concurrent runs never interleave: the node ends consistent and a re-run has nothing to do", async () => {
    const node = await buildDebianNode(dirs, { "/etc/containerd/config.toml": "version = 2\n" });
    const runs = await Promise.all([trust(node), trust(node)]);
    assert.ok(
      runs.some((r) => r.code === 0),
      runs.map((r) => r.stderr).join("\n"),
    );
    for (const r of runs) assert.ok(r.code === 0 || /applying failed/.test(r.stderr), r.stderr);
    const again = await trust(node);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing changed/);
    assert.equal((await read(node, "/etc/containerd/config.toml")).match(/config_path/g)?.length, 1);
  });
});
