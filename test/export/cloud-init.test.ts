/**
 * `regtrust export --format cloud-init`: every distro's user-data is accepted
 * by cloud-init's own schema check (Debian's cloud-init package), and carries
 * the plan in the order a booting node needs it.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { EXPORT_DISTROS } from "../../src/export/export-plan.ts";
import { createTestPki } from "../../src/pki/generate.ts";
import { runCli } from "../integration/cli.ts";
import { runCommand } from "../support/processes.ts";
import { TempDirs } from "../support/tmp.ts";
import { exportTo, writeCaFile } from "./export-support.ts";

const dirs = new TempDirs();
let caFile: string;
let leafFile: string;

before(async () => {
  const pki = await createTestPki({ hostnames: ["repo.example.com"] });
  caFile = await writeCaFile(dirs, pki);
  leafFile = await writeCaFile(dirs, { ...pki, root: pki.leaf });
});
after(() => dirs.cleanup());

interface UserData {
  write_files: Array<{ path: string; permissions: string; owner: string; content: string }>;
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
      const paths = data.write_files.map((f) => f.path);
      assert.ok(paths.includes("/etc/containerd/certs.d/repo.example.com:5000/hosts.toml"), paths.join(" "));
      assert.ok(data.write_files.every((f) => f.permissions === "0644" && f.owner === "root:root"));
      const argv0 = data.runcmd.map((c) => c.join(" "));
      const config = argv0.findIndex((c) => c.includes("config_path"));
      const restart = argv0.indexOf("systemctl try-restart containerd");
      const refresh = argv0.findIndex((c) => /update-ca-(certificates|trust)|trust extract-compat/.test(c));
      assert.ok(config >= 0 && refresh > config && restart > refresh, argv0.join("\n"));
      assert.match(argv0.at(-1) ?? "", /command -v regtrust .* regtrust diagnose 'repo.example.com:5000'/);
    });
  }

  test("k3s: registries.yaml is created only where absent, k3s restarted after", async () => {
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
    const data = parse(await readFile(out, "utf8")) as UserData;
    const lines = data.runcmd.map((c) => c.join(" "));
    assert.ok(lines.some((l) => l.includes("/etc/rancher/k3s/registries.yaml") && l.includes('[ -e "$f" ]')));
    assert.ok(lines.includes("systemctl try-restart k3s"), lines.join("\n"));
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
      args: () => ["--format", "terraform", "--ca", caFile],
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
