/**
 * The incident replayed end to end with real binaries: a docker-registry
 * serving a private root → intermediate → leaf chain, a real containerd
 * pulling through its CRI ImageService as kubelet does, and the real
 * update-ca-certificates. regtrust works on a node tree (--root), whose
 * config.toml starts without config_path.
 *
 * How containerd sees the node tree: containerd runs on this host with the
 * harness's own config.toml (its root, state and socket are private). After
 * each regtrust run the test copies the node's registry setting into it,
 * rewriting only the path prefix: config_path "/etc/containerd/certs.d" in the
 * node's config.toml becomes "<node>/etc/containerd/certs.d" in the harness
 * config. Nothing else is rewritten — in particular not hosts.toml, whose `ca`
 * regtrust writes relative to its own directory.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { parse } from "smol-toml";
import { runCli } from "../integration/cli.ts";
import { type RunningContainerd, startContainerd } from "../support/containerd.ts";
import { containerdConfigToml, containerdPaths } from "../support/containerd-config.ts";
import { pullImage, removeImage } from "../support/cri-client.ts";
import type { RunningRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/tmp.ts";
import { startTrustFixture } from "./fixture.ts";
import { buildDebianNode, treeChecksum } from "./node.ts";

const run = promisify(execFile);

const CONFIG_TOML = `# containerd config managed by our provisioning
version = 2

[plugins."io.containerd.grpc.v1.cri"]
  # keep the sandbox image pinned
  sandbox_image = "registry.k8s.io/pause:3.9"

[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "overlayfs" # fast
`;

describe("the incident: private-CA registry, containerd without config_path", () => {
  const dirs = new TempDirs();
  let registry: RunningRegistry | undefined;
  let containerd: RunningContainerd | undefined;
  let node: string;
  let caFile: string;
  let registryHost: string;
  let image: string;
  let original: Record<string, string>;

  /** Copies the node's config_path into the harness config (path prefix rewritten) and restarts. */
  async function restartWithNodeConfig(): Promise<string | undefined> {
    const text = await readFile(join(node, "/etc/containerd/config.toml"), "utf8");
    const cri = (parse(text) as { plugins?: Record<string, { registry?: { config_path?: string } }> })
      .plugins?.["io.containerd.grpc.v1.cri"];
    const nodePath = cri?.registry?.config_path;
    const configPath = nodePath
      ?.split(":")
      .map((p) => join(node, p))
      .join(":");
    const paths = containerdPaths(dirname(containerd!.configFile));
    await writeFile(containerd!.configFile, containerdConfigToml(paths, configPath ? { configPath } : {}));
    await containerd!.restart();
    return configPath;
  }

  before(async () => {
    ({ registry, caFile, host: registryHost, image } = await startTrustFixture(dirs));
    node = await buildDebianNode(dirs, { "/etc/containerd/config.toml": CONFIG_TOML });
    original = await treeChecksum(node);
    containerd = await startContainerd();
  });

  after(async () => {
    await containerd?.stop();
    await registry?.stop();
    await dirs.cleanup();
  });

  it("fails to pull with Go's unknown-authority error before the fix", async () => {
    const result = await pullImage(containerd!.address, image, { timeoutMs: 30_000 });
    assert.ok(!result.ok);
    assert.match(result.message, /x509: certificate signed by unknown authority$/);
  });

  it("trust sets config_path surgically, writes hosts.toml and the OS store, and names the restart", async () => {
    const trust = await runCli([
      "trust",
      registryHost,
      "--ca",
      caFile,
      "--root",
      node,
      "--runtime",
      "containerd,system",
      "--timeout",
      "5000",
    ]);
    assert.equal(trust.code, 0, `${trust.stdout}\n${trust.stderr}`);
    assert.match(trust.stdout, /waiting for: systemctl restart containerd/);
    assert.match(trust.stdout, /to run {2}systemctl restart containerd/);
    const config = await readFile(join(node, "/etc/containerd/config.toml"), "utf8");
    assert.ok(config.startsWith(CONFIG_TOML.trimEnd()), `comments and settings kept:\n${config}`);
    assert.match(
      config,
      /\[plugins\."io\.containerd\.grpc\.v1\.cri"\.registry\]\n {2}config_path = "\/etc\/containerd\/certs\.d"\n$/,
    );
    const hostsToml = await readFile(
      join(node, `/etc/containerd/certs.d/${registryHost}/hosts.toml`),
      "utf8",
    );
    assert.match(hostsToml, /^# managed by regtrust/);
    assert.match(hostsToml, new RegExp(`\\[host\\."https://${registryHost.replaceAll(".", "\\.")}"\\]`));
    const second = await runCli([
      "trust",
      registryHost,
      "--ca",
      caFile,
      "--root",
      node,
      "--runtime",
      "containerd,system",
    ]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /Nothing changed: everything was already in place/);
  });

  it("still fails until containerd restarts (config_path is read at start), then pulls", async () => {
    const before = await pullImage(containerd!.address, image, { timeoutMs: 30_000 });
    assert.ok(!before.ok, "containerd has not re-read config.toml yet");
    const configPath = await restartWithNodeConfig();
    assert.equal(configPath, join(node, "/etc/containerd/certs.d"));
    const pulled = await pullImage(containerd!.address, image, { timeoutMs: 30_000 });
    assert.ok(pulled.ok, pulled.ok ? "" : `${pulled.message}\n${containerd!.logs().slice(-3000)}`);
  });

  it("curl verifies the registry with the OS bundle the real update-ca-certificates built in the node", async () => {
    const { stdout } = await run(
      "curl",
      [
        "-sS",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "--max-time",
        "10",
        "--cacert",
        join(node, "/etc/ssl/certs/ca-certificates.crt"),
        `https://${registryHost}/v2/`,
      ],
      { timeout: 15_000 },
    );
    assert.equal(stdout, "200");
  });

  it("untrust puts the node back byte for byte, and the pull fails again after a restart", async () => {
    const untrust = await runCli(["untrust", registryHost, "--root", node]);
    assert.equal(untrust.code, 0, `${untrust.stdout}\n${untrust.stderr}`);
    assert.deepEqual(await treeChecksum(node), original);
    assert.equal(await restartWithNodeConfig(), undefined);
    await removeImage(containerd!.address, image);
    const result = await pullImage(containerd!.address, image, { timeoutMs: 30_000 });
    assert.ok(!result.ok);
    assert.match(result.message, /x509: certificate signed by unknown authority$/);
  });
});
