/**
 * The resolved view in `diagnose --json` and the containerd rules the
 * differential suite (test/oracle/containerd-hosts.test.ts) pinned down,
 * against a real docker-registry serving a private-CA chain.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import type { ResolvedView } from "../../src/node/types.ts";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { type RunningRegistry, startRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/tmp.ts";
import { type DiagnoseJson, diagnoseJson } from "./cli.ts";
import { buildNodeRoot, debianBase, withContainerd } from "./node-root.ts";

const HOST = "repo.example.com";
const DPKG_CONTAINERD_1_6 =
  "Package: containerd\nStatus: install ok installed\nVersion: 1.6.20~ds1-1+deb12u3\n\n";
const dirs = new TempDirs();
let pki: Awaited<ReturnType<typeof createPrivatePki>>;
let reg: RunningRegistry;
let registry: string;

before(async () => {
  await ensureTestHosts();
  pki = await createPrivatePki({ hostnames: [HOST] });
  reg = await startRegistry({
    tls: { certPem: `${pki.leaf.certPem}\n${pki.intermediate.certPem}\n`, keyPem: pki.leaf.keyPem },
  });
  registry = `${HOST}:${reg.port}`;
});
after(async () => {
  await reg?.stop();
  await dirs.cleanup();
});

type ContextJson = DiagnoseJson["contexts"][number] & { resolved?: ResolvedView; summary?: string };

function containerd(result: DiagnoseJson): ContextJson {
  const found = result.contexts.find((c) => c.name === "containerd") as ContextJson | undefined;
  assert.ok(found, JSON.stringify(result.contexts));
  return found;
}

describe("diagnose --json: containerd's resolved view, by version", () => {
  test("containerd 1.6 already reads certs.d/_default; the JSON names the rules, host dir and endpoints", async () => {
    const root = await buildNodeRoot(
      dirs,
      withContainerd({
        "/var/lib/dpkg/status": DPKG_CONTAINERD_1_6,
        "/etc/containerd/certs.d/_default/hosts.toml": `[host."https://${registry}"]\n  ca = "corp.crt"\n`,
        "/etc/containerd/certs.d/_default/corp.crt": pki.root.certPem,
      }),
    );
    const { result } = await diagnoseJson(registry, root);
    const ctx = containerd(result);
    assert.equal(ctx.ok, true, JSON.stringify(ctx));
    const r = ctx.resolved as ResolvedView;
    assert.deepEqual(r.rules, {
      runtimeVersion: "1.6.20~ds1-1+deb12u3",
      versionSource: "dpkg status",
      rules: "containerd 1.6",
      assumed: false,
    });
    assert.equal(r.configPath, "/etc/containerd/certs.d");
    assert.equal(r.registryTable, 'plugins."io.containerd.grpc.v1.cri".registry');
    assert.equal(r.hostDir, "/etc/containerd/certs.d/_default");
    assert.equal(r.hostsToml, "/etc/containerd/certs.d/_default/hosts.toml");
    assert.deepEqual(
      r.endpoints.map((e) => [e.origin, e.scheme, e.host, e.caFiles, e.skipVerify, e.httpFallback]),
      [
        ["host", "https", registry, ["/etc/containerd/certs.d/_default/corp.crt"], false, false],
        ["server", "https", registry, [], false, false],
      ],
    );
    assert.equal(r.error, null);
  });

  test("a version 1 config.toml: the io.containerd.grpc.v1.cri table is ignored, certs.d is never read", async () => {
    const certsDir = `/etc/containerd/certs.d/${registry}`;
    const root = await buildNodeRoot(dirs, {
      ...debianBase(),
      "/var/lib/dpkg/status": DPKG_CONTAINERD_1_6,
      "/etc/containerd/config.toml":
        '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n',
      [`${certsDir}/ca.crt`]: pki.root.certPem,
    });
    const { result } = await diagnoseJson(registry, root);
    const ctx = containerd(result);
    assert.equal(ctx.ok, false, "the CA in certs.d must not count");
    assert.equal(ctx.resolved?.registryTable, "plugins.cri.registry");
    assert.equal(ctx.resolved?.configPath, null);
    assert.ok(
      result.findings.some((f) => f.code === "config-path-unset"),
      JSON.stringify(result.findings),
    );
  });

  test("a client certificate that cannot be loaded fails every pull (client-cert-unusable)", async () => {
    const certsDir = `/etc/containerd/certs.d/${registry}`;
    const root = await buildNodeRoot(
      dirs,
      withContainerd({
        [`${certsDir}/hosts.toml`]: `[host."https://${registry}"]\n  ca = "ca.crt"\n  client = [["client.cert", "client.key"]]\n`,
        [`${certsDir}/ca.crt`]: pki.root.certPem,
      }),
    );
    const { run, result } = await diagnoseJson(registry, root);
    assert.equal(run.code, 1);
    const ctx = containerd(result);
    assert.equal(ctx.ok, false, "the chain verifies, but containerd never gets that far");
    assert.match(ctx.error ?? "", /^unable to read CERT file ".*client\.cert"/);
    assert.equal(ctx.resolved?.rules.assumed, true, "no package database: newest rules assumed");
    const f = result.findings.find((x) => x.code === "client-cert-unusable");
    assert.ok(f, JSON.stringify(result.findings));
    assert.equal(f.severity, "error");
  });

  test("the built dist/regtrust.mjs prints the same resolved view", {
    skip: !existsSync("dist/regtrust.mjs"),
  }, async () => {
    const root = await buildNodeRoot(
      dirs,
      withContainerd({
        "/var/lib/dpkg/status": DPKG_CONTAINERD_1_6,
        "/etc/containerd/certs.d/_default/corp.crt": pki.root.certPem,
      }),
    );
    const run = spawnSync(
      process.execPath,
      ["dist/regtrust.mjs", "diagnose", registry, "--root", root, "--json", "--timeout", "4000"],
      { encoding: "utf8", timeout: 60_000 },
    );
    const result = JSON.parse(run.stdout) as DiagnoseJson;
    const ctx = containerd(result);
    assert.equal(ctx.ok, true, run.stdout);
    assert.equal(ctx.resolved?.hostDir, "/etc/containerd/certs.d/_default");
    assert.deepEqual(ctx.resolved?.endpoints[0]?.caFiles, ["/etc/containerd/certs.d/_default/corp.crt"]);
    assert.equal(ctx.resolved?.endpoints[0]?.origin, "certs.d");
  });
});
