/**
 * `regtrust export --format ansible` run by the real ansible-playbook
 * (Debian's ansible-core) with a local connection against node roots built
 * here (`-e regtrust_root=…`): the first run changes the node, a second one
 * changes nothing, check mode writes nothing, and `regtrust diagnose --root`
 * against a loopback registry then verifies containerd's trust.
 *
 * --runtime containerd only: the OS store's refresh (update-ca-certificates)
 * cannot run against a prefix, and the playbook's handlers are off whenever
 * regtrust_root is set.
 */
import assert from "node:assert/strict";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { createTestPki, type IssuedCert } from "../../src/pki/generate.ts";
import { context, diagnoseJson } from "../integration/cli.ts";
import { buildNodeRoot, debianBase, type NodeFiles } from "../integration/node-root.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { runCommand } from "../support/processes.ts";
import { startRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/tmp.ts";
import { exportTo, type TestPki, writeCaFile } from "./export-support.ts";

const HOST = "repo.example.com";
const dirs = new TempDirs();
let pki: TestPki;
let caFile: string;

before(async () => {
  await ensureTestHosts();
  pki = await createTestPki({ hostnames: [HOST] });
  caFile = await writeCaFile(dirs, pki);
});
after(() => dirs.cleanup());

function freshNode(config: string | null): NodeFiles {
  return config === null ? debianBase() : { ...debianBase(), "/etc/containerd/config.toml": config };
}

async function playbookFor(registry: string): Promise<string> {
  return exportTo(dirs, "playbook.yml", [
    registry,
    "--format",
    "ansible",
    "--ca",
    caFile,
    "--runtime",
    "containerd",
  ]);
}

/** One ansible-playbook run; returns the recap's changed count. */
async function runPlaybook(playbook: string, root: string, extra: string[] = []): Promise<number> {
  const result = await runPlaybookRaw(playbook, root, extra);
  assert.equal(result.code, 0, `ansible-playbook failed:\n${result.stdout}\n${result.stderr}`);
  const changed = /localhost\s*:\s*ok=\d+\s+changed=(\d+)/.exec(result.stdout);
  assert.ok(changed, result.stdout);
  return Number(changed[1]);
}

function runPlaybookRaw(playbook: string, root: string, extra: string[] = []) {
  return runCommand(
    [
      "ansible-playbook",
      "-i",
      "localhost,",
      "-c",
      "local",
      playbook,
      "-e",
      `regtrust_root=${root}`,
      ...extra,
    ],
    {
      timeoutMs: 120_000,
      env: {
        ...process.env,
        ANSIBLE_NOCOLOR: "1",
        ANSIBLE_LOCALHOST_WARNING: "false",
        ANSIBLE_RETRY_FILES_ENABLED: "0",
      },
    },
  );
}

function k3sPlaybook(registry: string): Promise<string> {
  return exportTo(dirs, "k3s.yml", [registry, "--format", "ansible", "--ca", caFile, "--runtime", "k3s"]);
}

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML of a test's own file
function caFileOf(doc: any, registry: string): string {
  const path = doc?.configs?.[registry]?.tls?.ca_file;
  assert.equal(typeof path, "string", JSON.stringify(doc));
  return path as string;
}

function chainPem(...certs: IssuedCert[]): string {
  return certs.map((c) => c.certPem.trim()).join("\n") + "\n";
}

describe("export --format ansible", () => {
  test("fresh node: applied, idempotent, and diagnose verifies containerd's trust", async () => {
    const reg = await startRegistry({
      tls: { certPem: chainPem(pki.leaf, pki.intermediate), keyPem: pki.leaf.keyPem },
    });
    try {
      const registry = `${HOST}:${reg.port}`;
      const root = await buildNodeRoot(dirs, freshNode("version = 2\n"));
      const before = await diagnoseJson(registry, root, ["--runtime", "containerd"]);
      assert.equal(before.run.code, 1, "the node must not trust the registry before the playbook");
      const playbook = await playbookFor(registry);
      assert.ok((await runPlaybook(playbook, root)) > 0);
      assert.equal(await runPlaybook(playbook, root), 0, "a second run must change nothing");
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
      tls: { certPem: chainPem(pki.leaf, pki.intermediate), keyPem: pki.leaf.keyPem },
    });
    try {
      const registry = `${HOST}:${reg.port}`;
      const config =
        'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/registry.d"\n';
      const root = await buildNodeRoot(dirs, freshNode(config));
      const playbook = await playbookFor(registry);
      assert.ok((await runPlaybook(playbook, root)) > 0);
      assert.equal(await runPlaybook(playbook, root), 0, "a second run must change nothing");
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
      const root = await buildNodeRoot(dirs, freshNode(config));
      const playbook = await playbookFor(HOST);
      assert.ok((await runPlaybook(playbook, root)) > 0);
      assert.equal(await runPlaybook(playbook, root), 0);
      const text = await readFile(join(root, "etc/containerd/config.toml"), "utf8");
      assert.equal(text.match(/config_path/g)?.length, 1, text);
      assert.match(text, /config_path = "\/etc\/containerd\/certs.d"/);
    });
  }

  test("k3s: registries.yaml created on a fresh node, idempotent", async () => {
    const playbook = await k3sPlaybook(HOST);
    const fresh = await buildNodeRoot(dirs, debianBase());
    assert.ok((await runPlaybook(playbook, fresh)) > 0);
    assert.equal(await runPlaybook(playbook, fresh), 0);
    const created = await readFile(join(fresh, "etc/rancher/k3s/registries.yaml"), "utf8");
    const caFilePath = caFileOf(parse(created), HOST);
    assert.match(caFilePath, /^\/etc\/rancher\/k3s\/regtrust\//);
    assert.equal((await stat(join(fresh, "etc/rancher/k3s/registries.yaml"))).mode & 0o777, 0o600);
    assert.equal(await readFile(join(fresh, caFilePath), "utf8"), pki.root.certPem);
  });

  test("k3s: merged into an existing registries.yaml like trust; the old ca_file's CA kept; diagnose reads it", async () => {
    const reg = await startRegistry({
      tls: { certPem: chainPem(pki.leaf, pki.intermediate), keyPem: pki.leaf.keyPem },
    });
    try {
      const registry = `${HOST}:${reg.port}`;
      const other = await createTestPki({ hostnames: ["other.example.com"] });
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
      const root = await buildNodeRoot(dirs, {
        ...debianBase(),
        "/etc/rancher/k3s/registries.yaml": theirs,
        "/etc/ssl/private-old-ca.pem": other.root.certPem,
      });
      const playbook = await k3sPlaybook(registry);
      assert.ok((await runPlaybook(playbook, root)) > 0);
      assert.equal(await runPlaybook(playbook, root), 0, "a second run must change nothing");
      const merged = parse(await readFile(join(root, "etc/rancher/k3s/registries.yaml"), "utf8"));
      assert.deepEqual(merged.mirrors, { "docker.io": { endpoint: ["https://mirror.internal"] } });
      assert.deepEqual(merged.configs[registry].auth, { username: "robot", password: "s3cret" });
      const ours = await readFile(join(root, caFileOf(merged, registry)), "utf8");
      assert.ok(ours.includes(other.root.certPem.trim()), "the CA the old ca_file held is kept");
      assert.ok(ours.includes(pki.root.certPem.trim()), "and ours is added");
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
    const root = await buildNodeRoot(dirs, { ...debianBase(), "/etc/rancher/k3s/registries.yaml": theirs });
    const result = await runPlaybookRaw(await k3sPlaybook(HOST), root);
    assert.notEqual(result.code, 0);
    assert.match(result.stdout, /add configs\.\\?"repo\.example\.com\\?"\.tls\.ca_file/);
    assert.equal(await readFile(join(root, "etc/rancher/k3s/registries.yaml"), "utf8"), theirs);
  });

  test("check mode reports the changes and writes nothing", async () => {
    const root = await buildNodeRoot(dirs, freshNode("version = 2\n"));
    const playbook = await playbookFor(HOST);
    assert.ok((await runPlaybook(playbook, root, ["--check"])) > 0);
    assert.deepEqual(await readdir(join(root, "etc/containerd")), ["config.toml"]);
    assert.equal(await readFile(join(root, "etc/containerd/config.toml"), "utf8"), "version = 2\n");
  });
});
