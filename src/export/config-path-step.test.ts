import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { parse } from "smol-toml";
import { runCommand } from "../../test/support/processes.ts";
import {
  configPathApplyScript,
  configPathEdit,
  configPathProbeScript,
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

  test("shellQuote survives single quotes", async () => {
    const text = "it's a 'quoted' $HOME";
    assert.equal(await sh(`printf '%s' ${shellQuote(text)}`, ""), text);
  });
});
