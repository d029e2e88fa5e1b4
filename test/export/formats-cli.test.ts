/**
 * Every `regtrust export` format from the shipped bundle (dist/regtrust.mjs,
 * spawned as a real process): same bytes as the in-process CLI the format
 * tests validate. And bad input: exit 2, a message naming what is wrong,
 * nothing written.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { EXPORT_FORMATS } from "../../src/cli/commands/export.ts";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { runCli } from "../integration/cli.ts";
import { runCommand } from "../support/processes.ts";
import { TempDirs } from "../support/tmp.ts";
import { exportText, writeCaFile } from "./export-support.ts";

const dirs = new TempDirs();
let caFile: string;

before(async () => {
  const pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
  caFile = await writeCaFile(dirs, pki);
});
after(() => dirs.cleanup());

const GATED = new Set(["cluster-api", "karpenter", "eks"]);

describe("export formats from dist/regtrust.mjs", () => {
  for (const format of EXPORT_FORMATS) {
    test(`--format ${format}${GATED.has(format) ? " --gate" : ""}: exit 0, same output as in-process`, async () => {
      assert.ok(existsSync("dist/regtrust.mjs"), "dist/regtrust.mjs is missing: run `npm run build` first");
      const args = ["repo.example.com:5000", "--ca", caFile, "--format", format];
      if (GATED.has(format)) args.push("--gate");
      const shipped = await runCommand([process.execPath, "dist/regtrust.mjs", "export", ...args], {
        timeoutMs: 60_000,
      });
      assert.equal(shipped.code, 0, shipped.stderr);
      assert.equal(shipped.stdout, await exportText(args));
    });
  }
});

describe("export: bad input is exit 2 and writes nothing", () => {
  const cases: Array<{ name: string; args: () => string[]; message: RegExp }> = [
    {
      name: "unknown --format lists every format",
      args: () => ["--format", "pulumi"],
      message: new RegExp(`--format must be one of ${EXPORT_FORMATS.join(", ")} \\(got "pulumi"\\)`),
    },
    {
      name: "--gate on a format that cannot taint nodes",
      args: () => ["--format", "bottlerocket", "--gate"],
      message: /--gate needs a format that can taint new nodes: cluster-api, karpenter, eks/,
    },
    {
      name: "--talos-version that is not a release",
      args: () => ["--format", "talos", "--talos-version", "latest"],
      message: /--talos-version "latest" is not a Talos release/,
    },
    {
      name: "--talos-version with another format",
      args: () => ["--format", "flatcar", "--talos-version", "1.12"],
      message: /--talos-version applies to --format talos only/,
    },
    {
      name: "--runtime with a format that fixes the node",
      args: () => ["--format", "talos", "--runtime", "docker"],
      message: /--format talos configures containerd and the OS store; --runtime does not apply/,
    },
    {
      name: "--distro with a format that fixes the node",
      args: () => ["--format", "eks", "--distro", "ubuntu"],
      message: /--format eks targets its own OS; --distro does not apply/,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const dir = await dirs.make("export-bad");
      const out = join(dir, "out");
      const run = await runCli(["export", "repo.example.com", "--ca", caFile, ...c.args(), "-o", out]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, c.message);
      assert.deepEqual(await readdir(dir), []);
    });
  }

  test("shipped bundle: unknown --format exits 2 with the list", async () => {
    const run = await runCommand(
      [process.execPath, "dist/regtrust.mjs", "export", "repo.example.com", "--ca", caFile, "--format", "x"],
      { timeoutMs: 60_000 },
    );
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /--format must be one of cloud-init, ansible, terraform, cluster-api, karpenter/,
    );
  });
});
