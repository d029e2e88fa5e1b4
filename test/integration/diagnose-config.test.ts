/**
 * Node configuration traps that make a correct CA useless, diagnosed against
 * a real docker-registry serving a private-CA chain.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { type RunningRegistry, startRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/tmp.ts";
import { codes, context, diagnoseJson } from "./cli.ts";
import { buildNodeRoot, debianBase, withContainerd } from "./node-root.ts";

const HOST = "repo.example.com";
const dirs = new TempDirs();
let pki: Awaited<ReturnType<typeof createPrivatePki>>;
let reg: RunningRegistry;
let registry: string;
let certsDir: string;

before(async () => {
  await ensureTestHosts();
  pki = await createPrivatePki({ hostnames: [HOST] });
  reg = await startRegistry({
    tls: { certPem: `${pki.leaf.certPem}\n${pki.intermediate.certPem}\n`, keyPem: pki.leaf.keyPem },
  });
  registry = `${HOST}:${reg.port}`;
  certsDir = `/etc/containerd/certs.d/${registry}`;
});
after(async () => {
  await reg?.stop();
  await dirs.cleanup();
});

describe("diagnose: runtime configuration traps", () => {
  test("config-path-unset: hosts.toml exists but the CRI plugin never reads certs.d", async () => {
    const root = await buildNodeRoot(dirs, {
      ...debianBase(),
      "/etc/containerd/config.toml":
        'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\n  snapshotter = "overlayfs"\n',
      [`${certsDir}/hosts.toml`]: `server = "https://${registry}"\n[host."https://${registry}"]\n  ca = "${certsDir}/ca.crt"\n`,
      [`${certsDir}/ca.crt`]: pki.root.certPem,
    });
    const { run, result } = await diagnoseJson(registry, root);
    assert.equal(run.code, 1);
    assert.ok(codes(result, "error").includes("config-path-unset"), JSON.stringify(result.findings));
    assert.equal(context(result, "containerd").ok, false, "the ignored CA must not count");
    const unset = result.findings.find((f) => f.code === "config-path-unset");
    assert.match(unset?.fix.join("\n") ?? "", /config_path/);
  });

  test("hosts-toml-invalid: containerd silently falls back when hosts.toml does not parse", async () => {
    const root = await buildNodeRoot(
      dirs,
      withContainerd({
        [`${certsDir}/hosts.toml`]: `server = "https://${registry}"\n[host."https://${registry}"\n  ca = "${certsDir}/ca.pem"\n`,
        [`${certsDir}/ca.pem`]: pki.root.certPem,
      }),
    );
    const { result } = await diagnoseJson(registry, root);
    const invalid = result.findings.find((f) => f.code === "hosts-toml-invalid");
    assert.ok(invalid, JSON.stringify(result.findings));
    assert.equal(invalid.file, `${certsDir}/hosts.toml`);
    assert.equal(context(result, "containerd").ok, false);
  });

  test("ca-file-missing: hosts.toml points at a file that is not there", async () => {
    const root = await buildNodeRoot(
      dirs,
      withContainerd({
        [`${certsDir}/hosts.toml`]: `server = "https://${registry}"\n[host."https://${registry}"]\n  ca = "/etc/pki/registry-root.crt"\n`,
      }),
    );
    const { result } = await diagnoseJson(registry, root);
    const missing = result.findings.find((f) => f.code === "ca-file-missing");
    assert.ok(missing, JSON.stringify(result.findings));
    assert.match(missing.message, /\/etc\/pki\/registry-root\.crt/);
    assert.equal(missing.line, 3);
    assert.ok(
      !context(result, "containerd").anchors.includes("/etc/pki/registry-root.crt"),
      "a missing file anchors nothing",
    );
  });

  test("ca-file-unusable: the CA file is DER, which Go runtimes cannot load", async () => {
    const root = await buildNodeRoot(
      dirs,
      withContainerd({
        [`${certsDir}/hosts.toml`]: `server = "https://${registry}"\n[host."https://${registry}"]\n  ca = "${certsDir}/ca.crt"\n`,
        [`${certsDir}/ca.crt`]: pki.root.der,
      }),
    );
    const { result } = await diagnoseJson(registry, root);
    const unusable = result.findings.find((f) => f.code === "ca-file-unusable");
    assert.ok(unusable, JSON.stringify(result.findings));
    assert.match(unusable.message, /DER/);
    assert.match(unusable.fix[0] ?? "", /openssl x509 -inform der/);
  });

  test("relative ca path resolves against the hosts.toml directory", async () => {
    const root = await buildNodeRoot(
      dirs,
      withContainerd({
        [`${certsDir}/hosts.toml`]: `server = "https://${registry}"\n[host."https://${registry}"]\n  ca = "root.crt"\n`,
        [`${certsDir}/root.crt`]: pki.root.certPem,
      }),
    );
    const { run, result } = await diagnoseJson(registry, root);
    assert.equal(run.code, 0, run.stdout);
    assert.deepEqual(context(result, "containerd").anchors, [`${certsDir}/root.crt`]);
  });

  test("a pasted manifest URL probes the registry's /v2/, not the pasted path (issue #17 item 3)", async () => {
    const base = debianBase();
    const root = await buildNodeRoot(dirs, {
      ...withContainerd(),
      "/etc/ssl/certs/ca-certificates.crt": `${base["/etc/ssl/certs/ca-certificates.crt"]}${pki.root.certPem}`,
    });
    // docker-registry answers 404 (MANIFEST_UNKNOWN) for this path and 200 for /v2/.
    const { run, result } = await diagnoseJson(`https://${registry}/v2/team/app/manifests/latest`, root);
    assert.equal(run.code, 0, run.stdout);
    assert.deepEqual(codes(result), []);
    assert.equal(result.registry?.status, 200);
  });

  test("the OS store trusts the root: every context verifies", async () => {
    const base = debianBase();
    const root = await buildNodeRoot(dirs, {
      ...withContainerd(),
      "/etc/ssl/certs/ca-certificates.crt": `${base["/etc/ssl/certs/ca-certificates.crt"]}${pki.root.certPem}`,
    });
    const { run, result } = await diagnoseJson(registry, root);
    assert.equal(run.code, 0, run.stdout);
    assert.equal(result.ok, true);
    assert.deepEqual(result.findings, []);
    assert.deepEqual(context(result, "system").anchors, ["/etc/ssl/certs/ca-certificates.crt"]);
  });
});
