/** The pure pieces of the provisioning formats, table-driven; the whole formats are validated in test/export/. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { loadYamlParser } from "../node/yaml-parser.ts";
import { createPrivatePki } from "../pki/generate.ts";
import { readCaFile } from "../trust/ca-file.ts";
import { eksUserData, karpenterManifests } from "./aws.ts";
import { bottlerocketSettings } from "./bottlerocket.ts";
import { clusterApiTemplate } from "./cluster-api.ts";
import { type ExportPlan, planForExport } from "./export-plan.ts";
import { flatcarIgnition } from "./flatcar.ts";
import { objectNameFor } from "./gate.ts";
import { mimeMultipart } from "./mime.ts";
import { talosConfig, talosVariant } from "./talos.ts";
import { escapeTemplate, terraformCloudInit } from "./terraform.ts";
import { trustFilesOf, withoutContainerdConfigEdit } from "./trust-files.ts";

let plan: ExportPlan;
let caPem: string;

before(async () => {
  const pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
  caPem = pki.root.certPem;
  const dir = mkdtempSync(join(tmpdir(), "regtrust-formats-"));
  writeFileSync(join(dir, "ca.pem"), caPem);
  const certs = readCaFile(join(dir, "ca.pem"));
  rmSync(dir, { recursive: true });
  await loadYamlParser();
  plan = planForExport("repo.example.com:5000", certs, undefined, "debian");
});

describe("talosVariant", () => {
  const table: Array<[string | undefined, string]> = [
    [undefined, "both"],
    ["1.12", "documents"],
    ["v1.12.0", "documents"],
    ["1.13.9", "documents"],
    ["2.0", "documents"],
    ["1.11.6", "legacy"],
    ["v1.8", "legacy"],
    ["1.7.6", "patch-only"],
    ["1.0", "patch-only"],
  ];
  for (const [version, variant] of table) {
    test(`${version ?? "(none)"} -> ${variant}`, () => assert.equal(talosVariant(version), variant));
  }
  for (const bad of ["latest", "1", "1.x", "v1.12-beta"]) {
    test(`${bad} is a usage error`, () => assert.throws(() => talosVariant(bad), /not a Talos release/));
  }
});

describe("objectNameFor: a DNS-1123 name from the registry", () => {
  const table: Array<[string, string]> = [
    ["repo.example.com", "regtrust-repo-example-com"],
    ["Repo.Example.com:5000", "regtrust-repo-example-com-5000"],
    ["[fd00::1]:5000", "regtrust-fd00-1-5000"],
    [`${"a".repeat(70)}.example.com`, `regtrust-${"a".repeat(54)}`],
  ];
  for (const [registry, name] of table) {
    test(registry, () => {
      assert.equal(objectNameFor(registry), name);
      assert.match(name, /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    });
  }
});

describe("escapeTemplate (HCL template sequences)", () => {
  const table: Array<[string, string]> = [
    ["plain", "plain"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: HCL template syntax, not a JS template
    ["${HOME}", "$${HOME}"],
    ["%{ if x }", "%%{ if x }"],
    ["$HOME and %s", "$HOME and %s"],
  ];
  for (const [input, output] of table)
    test(JSON.stringify(input), () => assert.equal(escapeTemplate(input), output));
});

describe("mimeMultipart", () => {
  test("the boundary never occurs in a part", () => {
    const text = mimeMultipart([{ contentType: "text/plain", body: "--REGTRUST-BOUNDARY\n" }], []);
    const boundary = /boundary="([^"]+)"/.exec(text)![1]!;
    assert.notEqual(boundary, "REGTRUST-BOUNDARY");
    assert.equal(text.split(`--${boundary}\n`).length, 2);
    assert.ok(text.endsWith(`--${boundary}--\n`));
  });
});

describe("trust files from the plan", () => {
  test("the OS anchor and containerd's per-registry files, CA before hosts.toml", () => {
    const files = trustFilesOf(plan);
    assert.equal(files.osAnchor?.content, caPem);
    assert.match(files.osAnchor!.path, /^\/usr\/local\/share\/ca-certificates\/regtrust-/);
    assert.deepEqual(
      files.registryFiles.map((f) => f.path.replace(/regtrust-[0-9a-f]+\.crt$/, "CA")),
      [
        "/etc/containerd/certs.d/repo.example.com:5000/CA",
        "/etc/containerd/certs.d/repo.example.com:5000/hosts.toml",
      ],
    );
  });

  test("without the config.toml edit: no config.toml change, no containerd restart, the rest kept", () => {
    const trimmed = withoutContainerdConfigEdit(plan);
    assert.ok(
      plan.plan.changes.some((c) => c.path === "/etc/containerd/config.toml"),
      "the full plan has the edit",
    );
    assert.ok(!trimmed.plan.changes.some((c) => c.path === "/etc/containerd/config.toml"));
    assert.deepEqual(
      trimmed.plan.commands.map((c) => c.kind),
      plan.plan.commands.filter((c) => c.kind !== "restart").map((c) => c.kind),
    );
    assert.equal(trimmed.plan.changes.length, plan.plan.changes.length - 1);
  });
});

describe("every format carries the plan's CA and names the registry", () => {
  const opts = { diagnoseTarget: "repo.example.com:5000", gate: true };
  const b64 = () => Buffer.from(caPem).toString("base64");
  const table: Array<[string, () => string, () => string]> = [
    ["terraform", () => terraformCloudInit(plan, opts), () => caPem.split("\n")[1]!],
    ["cluster-api", () => clusterApiTemplate(plan, opts), () => caPem.split("\n")[1]!],
    ["karpenter", () => karpenterManifests(plan, opts), b64],
    ["eks", () => eksUserData(plan, opts), b64],
    ["bottlerocket", () => bottlerocketSettings(plan), b64],
    ["talos", () => talosConfig(plan, "both"), () => caPem.split("\n")[1]!],
    ["flatcar", () => flatcarIgnition(plan), b64],
  ];
  for (const [name, render, ca] of table) {
    test(name, () => {
      const text = render();
      assert.ok(text.includes(ca()), `${name} carries the CA`);
      assert.ok(text.includes("repo.example.com"), `${name} names the registry`);
    });
  }
});
