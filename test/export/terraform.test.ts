/**
 * `regtrust export --format terraform`: no terraform/opentofu is packaged for
 * Debian 12, so the HCL is read by a real HCL parser (@cdktf/hcl2json, the
 * hashicorp/hcl Go parser compiled to WASM) and the cloud-config it carries
 * is checked by `cloud-init schema`, exactly as `--format cloud-init`.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { runCommand } from "../support/processes.ts";
import { TempDirs } from "../support/tmp.ts";
import { exportText, writeCaFile } from "./export-support.ts";

/**
 * Loaded by a non-literal specifier so TypeScript does not read its typings:
 * they pull in the DOM lib (`/// <reference lib="dom" />` in bridge.d.ts),
 * which changes the project's WebCrypto types.
 */
const HCL2JSON = "@cdktf/hcl2json";
async function parseHcl(file: string, text: string): Promise<unknown> {
  const mod = (await import(HCL2JSON)) as { parse(file: string, text: string): Promise<unknown> };
  return mod.parse(file, text);
}

const dirs = new TempDirs();
let caFile: string;

before(async () => {
  const pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
  caFile = await writeCaFile(dirs, pki);
});
after(() => dirs.cleanup());

interface CloudInitConfig {
  data: {
    cloudinit_config: Record<
      string,
      Array<{
        gzip: boolean;
        base64_encode: boolean;
        part: Array<{ content_type: string; content: string; merge_type: string; filename: string }>;
      }>
    >;
  };
}

describe("export --format terraform", () => {
  for (const [registry, distro] of [
    ["repo.example.com:5000", "debian"],
    ["repo.example.com", "rhel"],
  ] as const) {
    test(`${registry} (${distro}): HCL parses, and its part is the cloud-init export, valid for cloud-init schema`, async () => {
      const args = [registry, "--ca", caFile, "--distro", distro];
      const hcl = await exportText([...args, "--format", "terraform"]);
      const cloudInit = await exportText([...args, "--format", "cloud-init"]);
      const parsed = (await parseHcl("regtrust.tf", hcl)) as CloudInitConfig;
      const sources = Object.entries(parsed.data.cloudinit_config);
      assert.equal(sources.length, 1);
      const [name, [source]] = sources[0]!;
      assert.equal(name, `regtrust_${registry.replace(/[.:]/g, "_")}`);
      assert.equal(source!.gzip, true);
      assert.equal(source!.base64_encode, true);
      const [part] = source!.part;
      assert.equal(part!.content_type, "text/cloud-config");
      assert.match(part!.merge_type, /^list\(append\)/);
      // The template escapes are undone by the parser: the part is the cloud-init export byte for byte.
      assert.equal(part!.content, cloudInit);
      const dir = await dirs.make("terraform-part");
      const file = join(dir, "part.yaml");
      await writeFile(file, part!.content);
      const check = await runCommand(["cloud-init", "schema", "--config-file", file], { timeoutMs: 60_000 });
      assert.equal(check.code, 0, `${check.stdout}\n${check.stderr}`);
    });
  }
});
