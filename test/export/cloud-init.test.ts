/**
 * `regtrust export --format cloud-init`: every distro's user-data is accepted
 * by cloud-init's own schema check (Debian's cloud-init package), and carries
 * the plan in the order a booting node needs it.
 */
import assert from "node:assert/strict";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { EXPORT_DISTROS } from "../../src/export/export-plan.ts";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { runCli } from "../integration/cli.ts";
import { runCommand } from "../support/processes.ts";
import { TempDirs } from "../support/tmp.ts";
import { exportTo, writeCaFile } from "./export-support.ts";

const dirs = new TempDirs();
let caFile: string;
let leafFile: string;
let pki: Awaited<ReturnType<typeof createPrivatePki>>;

before(async () => {
  pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
  caFile = await writeCaFile(dirs, pki);
  leafFile = await writeCaFile(dirs, { ...pki, root: pki.leaf });
});
after(() => dirs.cleanup());

interface UserData {
  write_files?: Array<{ path: string; permissions: string; owner: string; content: string }>;
  runcmd: string[][];
}

async function schemaCheck(file: string): Promise<void> {
  const result = await runCommand(["cloud-init", "schema", "--config-file", file], { timeoutMs: 60_000 });
  assert.equal(result.code, 0, `cloud-init schema rejected ${file}:\n${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /Valid/);
}

describe("export --format cloud-init", () => {
  for (const distro of EXPORT_DISTROS) {
    test(`${distro}: containerd,system user-data passes cloud-init schema`, async () => {
      const out = await exportTo(dirs, "user-data.yaml", [
        "repo.example.com:5000",
        "--format",
        "cloud-init",
        "--ca",
        caFile,
        "--distro",
        distro,
      ]);
      await schemaCheck(out);
      const text = await readFile(out, "utf8");
      assert.ok(text.startsWith("#cloud-config\n"));
      const data = parse(text) as UserData;
      const files = data.write_files ?? [];
      const paths = files.map((f) => f.path);
      assert.ok(
        paths.some((p) => /^\/etc\/containerd\/certs\.d\/repo\.example\.com:5000\/regtrust-.*\.crt$/.test(p)),
      );
      assert.ok(files.every((f) => f.permissions === "0644" && f.owner === "root:root"));
      const argv0 = data.runcmd.map((c) => c.join(" "));
      const hostsToml = argv0.findIndex((c) =>
        c.endsWith("regtrust-create /etc/containerd/certs.d/repo.example.com:5000/hosts.toml"),
      );
      const placement = argv0.findIndex((c) => c.includes("regtrust-host-dir"));
      assert.ok(hostsToml >= 0 && placement > hostsToml, "placement runs after hosts.toml exists");
      const config = argv0.findIndex((c) => c.includes("config_path"));
      const restart = argv0.indexOf("systemctl try-restart containerd");
      const refresh = argv0.findIndex((c) => /update-ca-(certificates|trust)|trust extract-compat/.test(c));
      assert.ok(config >= 0 && refresh > config && restart > refresh, argv0.join("\n"));
      assert.match(argv0.at(-1) ?? "", /command -v regtrust .* regtrust diagnose 'repo.example.com:5000'/);
    });
  }

  test("hosts.toml, run for real: created once as planned, an existing one never replaced", async () => {
    const out = await exportTo(dirs, "user-data.yaml", [
      "repo.example.com",
      "--format",
      "cloud-init",
      "--ca",
      caFile,
    ]);
    const data = parse(await readFile(out, "utf8")) as UserData;
    const create = data.runcmd.find((c) => c[3] === "regtrust-create" && c[4]?.endsWith("/hosts.toml"));
    assert.ok(create, JSON.stringify(data.runcmd));
    assert.match(
      create[2] ?? "",
      /<<'REGTRUST_EOF'\n# .*\nserver = "https:\/\/repo\.example\.com"/,
      "readable here-document",
    );
    const dir = await dirs.make("hosts-toml");
    const file = join(dir, "certs.d/repo.example.com/hosts.toml");
    const run = () => runCommand([...create.slice(0, 4), file], { timeoutMs: 10_000 });
    assert.equal((await run()).code, 0);
    const created = await readFile(file, "utf8");
    assert.match(
      created,
      /\[host\."https:\/\/repo\.example\.com"\]\n\s+capabilities = \["pull", "resolve"\]\n\s+ca = \["regtrust-/,
    );
    assert.equal((await stat(file)).mode & 0o777, 0o644);
    await writeFile(file, "# theirs: a mirror\n");
    const again = await run();
    assert.equal(again.code, 0);
    assert.match(again.stderr, /exists and is not regtrust's: run regtrust trust on the node/);
    assert.equal(await readFile(file, "utf8"), "# theirs: a mirror\n");
  });

  test("k3s: registries.yaml merged by cloud-init's own python3, k3s restarted after", async () => {
    const data = await k3sUserData();
    const lines = data.runcmd.map((c) => c.join(" "));
    const merge = lines.findIndex(
      (l) => l.startsWith("python3 -c") && l.includes("/etc/rancher/k3s/registries.yaml"),
    );
    assert.ok(merge >= 0 && lines.indexOf("systemctl try-restart k3s") > merge, lines.join("\n"));
    assert.ok(
      !data.write_files?.some((f) => f.path.startsWith("/etc/rancher/")),
      "the CA file is the merge's",
    );
  });

  test("k3s merge, run for real: keeps every entry and the old ca_file's CA; a second run changes nothing", async () => {
    const { dir, run } = await mergeRunner();
    const other = await createPrivatePki({ hostnames: ["other.example.com"] });
    await writeFile(join(dir, "old-ca.pem"), other.root.certPem);
    const theirs = [
      "mirrors:",
      "  docker.io:",
      "    endpoint: [https://mirror.internal]",
      "configs:",
      "  repo.example.com:",
      "    auth: {username: robot, password: s3cret}",
      `    tls: {ca_file: ${join(dir, "old-ca.pem")}}`,
      "",
    ].join("\n");
    await writeFile(join(dir, "registries.yaml"), theirs, { mode: 0o640 });
    const first = await run();
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /merged configs\.repo\.example\.com\.tls\.ca_file/);
    const merged = parse(await readFile(join(dir, "registries.yaml"), "utf8"));
    assert.deepEqual(merged.mirrors, { "docker.io": { endpoint: ["https://mirror.internal"] } });
    assert.deepEqual(merged.configs["repo.example.com"].auth, { username: "robot", password: "s3cret" });
    assert.equal(merged.configs["repo.example.com"].tls.ca_file, join(dir, "regtrust/ca.crt"));
    assert.equal((await stat(join(dir, "registries.yaml"))).mode & 0o777, 0o640, "the file keeps its mode");
    const ours = await readFile(join(dir, "regtrust/ca.crt"), "utf8");
    assert.ok(ours.includes(other.root.certPem.trim()) && ours.includes(pki.root.certPem.trim()));
    const second = await run();
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, "", "a second run must change nothing");
  });

  test("k3s merge, run for real: a file that does not parse is left alone with the manual fix", async () => {
    const { dir, run } = await mergeRunner();
    await writeFile(join(dir, "registries.yaml"), "configs: [unclosed\n");
    const result = await run();
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /registries\.yaml: does not parse .*add configs\.repo\.example\.com\.tls\.ca_file/,
    );
    assert.equal(await readFile(join(dir, "registries.yaml"), "utf8"), "configs: [unclosed\n");
  });

  const refusals: Array<{ name: string; args: () => string[]; message: RegExp }> = [
    {
      name: "missing CA file",
      args: () => ["--format", "cloud-init", "--ca", "/nonexistent/ca.pem"],
      message: /--ca \/nonexistent\/ca.pem: no such file/,
    },
    {
      name: "a server certificate as CA",
      args: () => ["--format", "ansible", "--ca", leafFile],
      message: /not a CA/,
    },
    {
      name: "unknown format",
      args: () => ["--format", "pulumi", "--ca", caFile],
      message: /--format must be one of cloud-init, ansible/,
    },
    {
      name: "unknown distro",
      args: () => ["--format", "cloud-init", "--ca", caFile, "--distro", "gentoo"],
      message: /unknown --distro "gentoo"/,
    },
    {
      name: "unknown runtime",
      args: () => ["--format", "cloud-init", "--ca", caFile, "--runtime", "podman"],
      message: /unknown runtime "podman"/,
    },
  ];
  for (const { name, args, message } of refusals) {
    test(`bad input exits 2: ${name}`, async () => {
      const run = await runCli(["export", "repo.example.com", ...args()]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, "");
    });
  }
});

async function k3sUserData(): Promise<UserData> {
  const out = await exportTo(dirs, "k3s.yaml", [
    "repo.example.com",
    "--format",
    "cloud-init",
    "--ca",
    caFile,
    "--runtime",
    "k3s",
  ]);
  await schemaCheck(out);
  return parse(await readFile(out, "utf8")) as UserData;
}

/**
 * The user-data's merge command with its two node paths moved into a temporary
 * directory, run by Debian's python3 with python3-yaml (what cloud-init runs on).
 */
async function mergeRunner() {
  const data = await k3sUserData();
  const argv = data.runcmd.find((c) => c[0] === "python3");
  assert.ok(argv && argv.length === 8, JSON.stringify(argv));
  const dir = await dirs.make("k3s-merge");
  const moved = [...argv];
  moved[0] = "/usr/bin/python3";
  moved[3] = join(dir, "registries.yaml");
  moved[5] = join(dir, "regtrust/ca.crt");
  return { dir, run: () => runCommand(moved, { timeoutMs: 30_000 }) };
}
