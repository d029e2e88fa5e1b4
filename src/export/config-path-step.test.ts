import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { parse } from "smol-toml";
import { runCommand } from "../../test/support/processes.ts";
import {
  configPathApplyScript,
  configPathEdit,
  configPathProbeScript,
  hostDirPlacementScript,
  shellQuote,
} from "./config-path-step.ts";

const V2_HEADER = '[plugins."io.containerd.grpc.v1.cri".registry]';
const edit = configPathEdit(
  "/etc/containerd/config.toml",
  `version = 2\n\n${V2_HEADER}\n  config_path = "/etc/containerd/certs.d"\n`,
);
const dir = mkdtempSync(join(tmpdir(), "regtrust-config-path-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function sh(script: string, file: string): Promise<string> {
  const result = await runCommand(["sh", "-c", script, "regtrust-test", file], { timeoutMs: 10_000 });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim();
}

function configPathOf(text: string): unknown {
  const toml = parse(text) as { plugins?: Record<string, { registry?: { config_path?: unknown } }> };
  return toml.plugins?.["io.containerd.grpc.v1.cri"]?.registry?.config_path;
}

const cases: Array<{ name: string; before: string | null; state: string; expected: string }> = [
  { name: "no config.toml", before: null, state: "absent", expected: "/etc/containerd/certs.d" },
  {
    name: "empty config_path",
    before: `version = 2\n${V2_HEADER}\n  config_path = ""\n`,
    state: "empty",
    expected: "/etc/containerd/certs.d",
  },
  {
    name: "registry table without the key",
    before: `version = 2\n${V2_HEADER}\n  # mirrors moved\n`,
    state: "header",
    expected: "/etc/containerd/certs.d",
  },
  {
    name: "no registry table",
    before: 'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "pause:3.9"\n',
    state: "noheader",
    expected: "/etc/containerd/certs.d",
  },
  {
    name: "config_path set elsewhere",
    before: `version = 2\n${V2_HEADER}\n  config_path = "/opt/certs.d"\n`,
    state: "set",
    expected: "/opt/certs.d",
  },
];

describe("config_path shell step", () => {
  for (const { name, before, state, expected } of cases) {
    test(`${name}: probe says ${state}; applied once it sets config_path, twice changes nothing`, async () => {
      const file = join(dir, `${state}.toml`);
      if (before !== null) writeFileSync(file, before);
      assert.equal(await sh(configPathProbeScript(edit), file), state);
      await sh(configPathApplyScript(edit), file);
      const once = readFileSync(file, "utf8");
      assert.equal(configPathOf(once), expected, once);
      if (before !== null) assert.ok(once.includes(before.split("\n")[1] ?? ""), "other settings kept");
      await sh(configPathApplyScript(edit), file);
      assert.equal(readFileSync(file, "utf8"), once);
      assert.equal(await sh(configPathProbeScript(edit), file), "set");
    });
  }

  const placement = configPathEdit(
    "/etc/containerd/config.toml",
    `version = 2\n\n${V2_HEADER}\n  config_path = "/etc/containerd/certs.d"\n`,
    "/etc/containerd/certs.d/repo.example.com:5000",
  );
  const runPlacement = (root: string) =>
    runCommand(
      ["sh", "-c", hostDirPlacementScript(placement), "t", `${root}/etc/containerd/config.toml`, root],
      { timeoutMs: 10_000 },
    );
  function nodeWith(configPath: string): string {
    const root = mkdtempSync(join(dir, "node-"));
    mkdirSync(join(root, "etc/containerd/certs.d/repo.example.com:5000"), { recursive: true });
    writeFileSync(
      join(root, "etc/containerd/config.toml"),
      `version = 2\n${V2_HEADER}\n  config_path = "${configPath}"\n`,
    );
    writeFileSync(join(root, "etc/containerd/certs.d/repo.example.com:5000/hosts.toml"), "ours\n");
    writeFileSync(join(root, "etc/containerd/certs.d/repo.example.com:5000/regtrust-1.crt"), "ca\n");
    return root;
  }

  test("config_path elsewhere: the host directory is placed there once, a file already there kept", async () => {
    const root = nodeWith("/opt/certs.d:/etc/containerd/certs.d");
    const first = await runPlacement(root);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /placed .*\/opt\/certs\.d\/repo\.example\.com:5000\/hosts\.toml/);
    const placed = join(root, "opt/certs.d/repo.example.com:5000");
    assert.deepEqual(readdirSync(placed).sort(), ["hosts.toml", "regtrust-1.crt"]);
    const second = await runPlacement(root);
    assert.equal(second.stdout, "", "a second run changes nothing");
    writeFileSync(join(placed, "hosts.toml"), "theirs\n");
    const third = await runPlacement(root);
    assert.match(third.stderr, /hosts\.toml exists and differs; run regtrust trust/);
    assert.equal(readFileSync(join(placed, "hosts.toml"), "utf8"), "theirs\n");
  });

  test("config_path at the default directory: nothing is copied", async () => {
    const root = nodeWith("/etc/containerd/certs.d");
    const result = await runPlacement(root);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "");
    assert.deepEqual(readdirSync(join(root, "etc/containerd/certs.d")), ["repo.example.com:5000"]);
  });

  test("shellQuote survives single quotes", async () => {
    const text = "it's a 'quoted' $HOME";
    assert.equal(await sh(`printf '%s' ${shellQuote(text)}`, ""), text);
  });
});
