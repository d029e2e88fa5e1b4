/**
 * `regtrust export --format bottlerocket|talos|flatcar`: node OSes without a
 * writable /etc. Bottlerocket publishes no settings schema (the TOML is parsed
 * with smol-toml and checked for the documented shape); Talos documents are
 * validated against its config JSON Schema (siderolabs/talos v1.13.9 for
 * >= 1.12, v1.11.6 for the older patch); Flatcar's Ignition config by the
 * real ignition-validate (Debian's ignition 2.14.0).
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse as parseToml } from "smol-toml";
import { parseAllDocuments } from "yaml";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { runCommand } from "../support/processes.ts";
import { TempDirs } from "../support/tmp.ts";
import { exportText, writeCaFile } from "./export-support.ts";
import { errorsOf, talosSchema, UPSTREAM } from "./upstream-schemas.ts";

const dirs = new TempDirs();
let caFile: string;
let caPem: string;
const REGISTRY = "repo.example.com:5000";

before(async () => {
  const pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
  caPem = pki.root.certPem;
  caFile = await writeCaFile(dirs, pki);
});
after(() => dirs.cleanup());

const exportFor = (format: string, extra: string[] = []) =>
  exportText([REGISTRY, "--ca", caFile, "--format", format, ...extra]);

describe("export --format bottlerocket", () => {
  test("settings.pki.<bundle>: base64 of the CA bundle, trusted = true, and says trust is OS-wide", async () => {
    const text = await exportFor("bottlerocket");
    const settings = parseToml(text) as {
      settings: { pki: Record<string, { data: string; trusted: boolean }> };
    };
    const bundles = Object.entries(settings.settings.pki);
    assert.equal(bundles.length, 1);
    const [name, bundle] = bundles[0]!;
    assert.match(name, /^[a-z0-9-]+$/, "a bundle name needs no TOML quoting");
    assert.equal(bundle.trusted, true);
    const pem = Buffer.from(bundle.data, "base64").toString("utf8");
    assert.equal(pem, caPem);
    assert.ok(new X509Certificate(pem).ca);
    assert.match(text, /^# Bottlerocket trust is OS-wide only/m);
  });
});

interface TalosDoc {
  kind?: string;
  name?: string;
  ca?: string;
  certificates?: string;
  machine?: { registries: { config: Record<string, { tls: { ca: string } }> } };
}

const talosDocs = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as TalosDoc);

describe(`export --format talos (schemas: ${UPSTREAM.talosNew}, ${UPSTREAM.talosOld})`, () => {
  const current = talosSchema("talos-v1.13.9-config.schema.json");
  const older = talosSchema("talos-v1.11.6-config.schema.json");
  const registries = older.def("v1alpha1.RegistriesConfig");

  function checkNewDocuments(docs: TalosDoc[]): void {
    const tls = docs.find((d) => d.kind === "RegistryTLSConfig");
    const roots = docs.find((d) => d.kind === "TrustedRootsConfig");
    for (const doc of [tls, roots]) assert.ok(current.root(doc), errorsOf(current.root));
    assert.equal(tls!.name, REGISTRY);
    assert.equal(tls!.ca, caPem);
    assert.equal(roots!.certificates, caPem);
  }

  function checkPatch(docs: TalosDoc[]): void {
    const patch = docs.find((d) => d.machine !== undefined);
    assert.ok(registries(patch!.machine!.registries), errorsOf(registries));
    const ca = patch!.machine!.registries.config[REGISTRY]!.tls.ca;
    assert.equal(Buffer.from(ca, "base64").toString("utf8"), caPem, "v1alpha1 tls.ca is Base64Bytes");
  }

  test("--talos-version 1.12: RegistryTLSConfig + TrustedRootsConfig only", async () => {
    const docs = talosDocs(await exportFor("talos", ["--talos-version", "1.12"]));
    assert.deepEqual(
      docs.map((d) => d.kind),
      ["RegistryTLSConfig", "TrustedRootsConfig"],
    );
    checkNewDocuments(docs);
  });

  test("--talos-version v1.11.6: the machine.registries patch + TrustedRootsConfig (valid for 1.11.6)", async () => {
    const docs = talosDocs(await exportFor("talos", ["--talos-version", "v1.11.6"]));
    assert.equal(docs.length, 2);
    checkPatch(docs);
    const roots = docs.find((d) => d.kind === "TrustedRootsConfig");
    assert.ok(older.root(roots), errorsOf(older.root));
  });

  test("--talos-version 1.7: the patch only (TrustedRootsConfig is in the schema from 1.8.0)", async () => {
    const docs = talosDocs(await exportFor("talos", ["--talos-version", "1.7"]));
    assert.equal(docs.length, 1);
    checkPatch(docs);
  });

  test("no version: both forms, each under a comment naming the releases", async () => {
    const text = await exportFor("talos");
    const docs = talosDocs(text);
    assert.equal(docs.length, 3);
    checkNewDocuments(docs);
    checkPatch(docs);
    assert.match(text, /# Talos >= 1\.12:/);
    assert.match(text, /# Talos < 1\.12:/);
  });

  test("the schema check can fail: RegistryTLSConfig rejects an unknown field", () => {
    assert.equal(
      current.root({ apiVersion: "v1alpha1", kind: "RegistryTLSConfig", name: "x", caFile: "y" }),
      false,
    );
  });
});

describe("export --format flatcar (Ignition, checked by ignition-validate)", () => {
  test("passes ignition-validate; CA in /etc/ssl/certs, certs.d files, update-ca-certificates unit", async () => {
    const text = await exportFor("flatcar");
    const dir = await dirs.make("flatcar");
    const file = join(dir, "config.ign");
    await writeFile(file, text);
    const check = await runCommand(["ignition-validate", file], { timeoutMs: 30_000 });
    assert.equal(check.code, 0, `${check.stdout}\n${check.stderr}`);
    const config = JSON.parse(text) as {
      ignition: { version: string };
      storage: { files: Array<{ path: string; mode: number; contents: { source: string } }> };
      systemd: { units: Array<{ name: string; enabled: boolean; contents: string }> };
    };
    assert.equal(config.ignition.version, "3.3.0");
    const decoded = new Map(
      config.storage.files.map((f) => [
        f.path,
        Buffer.from(f.contents.source.split(",")[1]!, "base64").toString(),
      ]),
    );
    const anchor = [...decoded.keys()].find((p) => /^\/etc\/ssl\/certs\/regtrust-.*\.pem$/.test(p));
    assert.equal(decoded.get(anchor!), caPem);
    assert.ok(decoded.get(`/etc/containerd/certs.d/${REGISTRY}/hosts.toml`)?.includes(`https://${REGISTRY}`));
    const [unit] = config.systemd.units;
    assert.ok(unit!.enabled);
    assert.match(unit!.contents, /^Before=containerd\.service/m);
    assert.match(unit!.contents, /^ExecStart=\/usr\/sbin\/update-ca-certificates$/m);
  });

  test("ignition-validate can fail: a relative path is rejected", async () => {
    const config = JSON.parse(await exportFor("flatcar")) as { storage: { files: Array<{ path: string }> } };
    config.storage.files[0]!.path = "etc/ssl/certs/x.pem";
    const dir = await dirs.make("flatcar-bad");
    await writeFile(join(dir, "bad.ign"), JSON.stringify(config));
    const check = await runCommand(["ignition-validate", join(dir, "bad.ign")], { timeoutMs: 30_000 });
    assert.notEqual(check.code, 0);
  });
});
