/**
 * Docker, containers/image (CRI-O, podman, skopeo), k3s and every distro's OS
 * store: the files regtrust writes are checked with real clients where one
 * exists here (skopeo reads a Docker-layout certs.d directory exactly as
 * dockerd and CRI-O do), and by plan for the distros this host cannot run.
 */
import assert from "node:assert/strict";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { runCli } from "../integration/cli.ts";
import { skopeoInspect } from "../support/skopeo.ts";
import { TempDirs } from "../support/tmp.ts";
import { sharedTrustFixture } from "./fixture.ts";
import { buildDebianNode, treeChecksum, writeNodeFiles } from "./node.ts";

const dirs = new TempDirs();
const fx = sharedTrustFixture(dirs);

describe("Docker and containers/image certs.d", () => {
  test("skopeo verifies the registry with the docker and containers directories regtrust writes", async () => {
    const node = await buildDebianNode(dirs, {
      "/etc/docker/daemon.json": "{}\n",
      "/etc/containers/registries.conf": "",
    });
    const dockerDir = join(node, `/etc/docker/certs.d/${fx.host}`);
    const containersDir = join(node, `/etc/containers/certs.d/${fx.host}`);
    const untrusted = await skopeoInspect(fx.image, { certDir: join(node, "/etc/containers/certs.d") });
    assert.notEqual(untrusted.code, 0);
    assert.match(untrusted.stderr, /x509: certificate signed by unknown authority/);
    const run = await runCli([
      "trust",
      fx.host,
      "--ca",
      fx.caFile,
      "--root",
      node,
      "--runtime",
      "docker,crio",
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(await readFile(join(dockerDir, "ca.crt"), "utf8"), fx.rootPem);
    for (const certDir of [dockerDir, containersDir]) {
      const inspected = await skopeoInspect(fx.image, { certDir });
      assert.equal(inspected.code, 0, `${certDir}: ${inspected.stderr}`);
    }
    assert.doesNotMatch(run.stdout, /restart/, "certs.d is read on every pull");
  });

  test("a different ca.crt already there is kept; regtrust's CA goes beside it", async () => {
    const other = "-----BEGIN CERTIFICATE-----\nnot ours\n-----END CERTIFICATE-----\n";
    const node = await buildDebianNode(dirs, { [`/etc/docker/certs.d/${fx.host}/ca.crt`]: other });
    const run = await runCli([
      "trust",
      fx.host,
      "--ca",
      fx.caFile,
      "--root",
      node,
      "--runtime",
      "docker",
      "--json",
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const [docker] = JSON.parse(run.stdout).contexts;
    assert.deepEqual(docker.changes, [
      `/etc/docker/certs.d/${fx.host}/regtrust-${docker.changes[0].slice(-16, -4)}.crt`,
    ]);
    assert.equal(await readFile(join(node, `/etc/docker/certs.d/${fx.host}/ca.crt`), "utf8"), other);
  });

  test("containers/image writes where it reads: an existing /etc/docker/certs.d/<host> when it has no own directory", async () => {
    const node = await buildDebianNode(dirs, {
      [`/etc/docker/certs.d/${fx.host}/client.cert`]: "x",
      [`/etc/docker/certs.d/${fx.host}/client.key`]: "y",
    });
    const run = await runCli([
      "trust",
      fx.host,
      "--ca",
      fx.caFile,
      "--root",
      node,
      "--runtime",
      "crio,docker",
      "--json",
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const contexts = JSON.parse(run.stdout).contexts as { name: string; changes: string[] }[];
    assert.deepEqual(contexts.find((c) => c.name === "crio")?.changes, [
      `/etc/docker/certs.d/${fx.host}/ca.crt`,
    ]);
  });
});

const REGISTRIES_YAML = `# private registries (managed by hand)
mirrors:
  docker.io:
    endpoint:
      - "https://mirror.example.com:5000" # pull-through cache
configs:
  "mirror.example.com:5000":
    auth:
      username: puller
      password: hunter2 # rotated monthly
`;

describe("k3s registries.yaml", () => {
  test("ca_file is added with comments kept, mode 0600 kept, credentials never printed, restart named", async () => {
    const node = await buildDebianNode(dirs, { "/etc/rancher/k3s/registries.yaml": REGISTRIES_YAML });
    const { chmod } = await import("node:fs/promises");
    await chmod(join(node, "/etc/rancher/k3s/registries.yaml"), 0o600);
    const original = await treeChecksum(node);
    const dry = await runCli([
      "trust",
      fx.host,
      "--ca",
      fx.caFile,
      "--root",
      node,
      "--runtime",
      "k3s",
      "--dry-run",
    ]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.doesNotMatch(dry.stdout, /hunter2/);
    const run = await runCli([
      "trust",
      fx.host,
      "--ca",
      fx.caFile,
      "--root",
      node,
      "--runtime",
      "k3s",
      "--json",
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.doesNotMatch(run.stdout, /hunter2/);
    const report = JSON.parse(run.stdout);
    assert.equal(report.contexts[0].restart, "k3s");
    assert.ok(report.diagnosis.findings.some((f: { code: string }) => f.code === "restart-required"));
    const yaml = await readFile(join(node, "/etc/rancher/k3s/registries.yaml"), "utf8");
    assert.ok(yaml.startsWith(REGISTRIES_YAML), yaml);
    assert.match(
      yaml.slice(REGISTRIES_YAML.length),
      new RegExp(
        `^ {2}"${fx.host}":\\n {4}tls:\\n {6}ca_file: /etc/rancher/k3s/regtrust/repo\\.example\\.com_\\d+-[0-9a-f]{12}\\.crt\\n$`,
      ),
    );
    assert.equal((await stat(join(node, "/etc/rancher/k3s/registries.yaml"))).mode & 0o777, 0o600);
    assert.equal((await runCli(["untrust", fx.host, "--root", node])).code, 0);
    assert.deepEqual(await treeChecksum(node), original);
  });
});

describe("rke2 registries.yaml", () => {
  test("a new registries.yaml (mode 0600) and the installed agent unit to restart", async () => {
    const node = await buildDebianNode(dirs, { "/usr/lib/systemd/system/rke2-agent.service": "[Unit]\n" });
    const run = await runCli([
      "trust",
      fx.host,
      "--ca",
      fx.caFile,
      "--root",
      node,
      "--runtime",
      "rke2",
      "--json",
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const [rke2] = JSON.parse(run.stdout).contexts;
    assert.equal(rke2.restart, "rke2-agent");
    const yamlPath = join(node, "/etc/rancher/rke2/registries.yaml");
    assert.equal((await stat(yamlPath)).mode & 0o777, 0o600);
    assert.match(
      await readFile(yamlPath, "utf8"),
      /^configs:\n {2}"repo\.example\.com:\d+":\n {4}tls:\n {6}ca_file: \/etc\/rancher\/rke2\/regtrust\//,
    );
  });
});

describe("OS store per distribution (planned; the refresh tool of this host is Debian's)", () => {
  const distros: [string, string, RegExp, string][] = [
    [
      "rhel",
      'ID="rhel"\nID_LIKE="fedora"\n',
      /^\/etc\/pki\/ca-trust\/source\/anchors\/regtrust-/,
      "update-ca-trust extract",
    ],
    ["amzn", 'ID="amzn"\n', /^\/etc\/pki\/ca-trust\/source\/anchors\/regtrust-/, "update-ca-trust extract"],
    [
      "ubuntu",
      "ID=ubuntu\nID_LIKE=debian\n",
      /^\/usr\/local\/share\/ca-certificates\/regtrust-.*\.crt$/,
      "update-ca-certificates",
    ],
    [
      "alpine",
      "ID=alpine\n",
      /^\/usr\/local\/share\/ca-certificates\/regtrust-.*\.crt$/,
      "update-ca-certificates",
    ],
    ["sles", 'ID="sles"\n', /^\/etc\/pki\/trust\/anchors\/regtrust-/, "update-ca-certificates"],
    [
      "arch",
      "ID=arch\n",
      /^\/etc\/ca-certificates\/trust-source\/anchors\/regtrust-/,
      "trust extract-compat",
    ],
  ];
  // What each refresh rebuilds the bundle from (system-store.ts refreshInputs).
  const debianInputs = {
    "/etc/ca-certificates.conf": "",
    "/usr/share/ca-certificates/.keep": "",
    "/etc/ssl/certs/.keep": "",
  };
  const rhelInputs = { "/usr/share/pki/ca-trust-source/.keep": "", "/etc/pki/ca-trust/extracted/.keep": "" };
  const inputsOf = (id: string) =>
    id === "rhel" || id === "amzn" ? rhelInputs : id === "ubuntu" || id === "alpine" ? debianInputs : {};
  for (const [id, osRelease, path, command] of distros) {
    test(`${id}: ${command}`, async () => {
      const node = await dirs.make(`distro-${id}`);
      await writeNodeFiles(node, { "/etc/os-release": osRelease, "/var/lib/.keep": "", ...inputsOf(id) });
      const run = await runCli([
        "trust",
        fx.host,
        "--ca",
        fx.caFile,
        "--root",
        node,
        "--runtime",
        "system",
        "--dry-run",
        "--json",
      ]);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout);
      assert.match(report.contexts[0].changes[0], path);
      assert.equal(report.commands[0].manual, command);
    });
  }

  test("a refresh whose inputs are not under the root is refused before anything is written (exit 2)", async () => {
    const node = await dirs.make("distro-no-inputs");
    await writeNodeFiles(node, { "/etc/os-release": "ID=ubuntu\nID_LIKE=debian\n", "/var/lib/.keep": "" });
    const before = await treeChecksum(node);
    for (const dryRun of [["--dry-run"], []]) {
      const args = ["trust", fx.host, "--ca", fx.caFile, "--root", node, "--runtime", "system", ...dryRun];
      const run = await runCli(args);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /nothing was changed/);
      assert.match(
        run.stderr,
        /\/etc\/ca-certificates\.conf, \/usr\/share\/ca-certificates, \/etc\/ssl\/certs/,
      );
      assert.deepEqual(await treeChecksum(node), before);
    }
  });

  test("an unknown distribution is refused for the OS store with the reason", async () => {
    const node = await dirs.make("distro-unknown");
    await writeFile(join(node, "os-release"), "");
    const run = await runCli(["trust", fx.host, "--ca", fx.caFile, "--root", node, "--runtime", "system"]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /does not know where this distribution/);
  });
});
