/**
 * The single executable (scripts/build-sea.mjs): built once, then run
 * with a PATH that holds no node binary, to prove it carries its own runtime.
 * Set REGTRUST_SEA_BINARY to test an already built binary. Besides its own
 * checks it runs a smaller matrix of the artifact tier's scenarios
 * (test/artifact): the trust lifecycle on k3s, RKE2 and containerd nodes,
 * agent --once on a k3s node publishing to the local API server, k8s why,
 * export for k3s and inspect from stdin.
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { agentArgs } from "../agent/agent-args.ts";
import {
  type Artifact,
  artifactAt,
  assertNoInternalError,
  runArtifact,
  transcript,
} from "../artifact/artifact.ts";
import { DEPENDENCY_PROOFS } from "../artifact/dependencies.ts";
import { familyNode } from "../artifact/families.ts";
import { trustLifecycle } from "../artifact/lifecycle.ts";
import { buildNodeRoot, withContainerd } from "../integration/node-root.ts";
import { startFakeApiServer } from "../k8s/fake-apiserver.ts";
import { wireNode } from "../k8s/fake-cluster.ts";
import { type NodeWrite, nodeWriteRoutes } from "../k8s/fake-node-writes.ts";
import { writeKubeconfig } from "../k8s/kubeconfig-file.ts";
import { incidentCluster } from "../k8s/scenarios.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { startRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/tmp.ts";
import { startTrustFixture, type TrustFixture } from "../trust/fixture.ts";

const run = promisify(execFile);
const dirs = new TempDirs();
let binary = "";
let env: Record<string, string> = {};

/** A bin directory with every system tool except node/npm/npx, as PATH. */
function pathWithoutNode(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const sys of ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]) {
    if (!existsSync(sys)) continue;
    for (const name of readdirSync(sys)) {
      if (/^(node|nodejs|npm|npx|corepack)$/.test(name) || existsSync(join(dir, name))) continue;
      symlinkSync(join(sys, name), join(dir, name));
    }
  }
  return dir;
}

let fx: TrustFixture | undefined;
let artifact: Artifact;

before(async () => {
  binary = resolve(process.env.REGTRUST_SEA_BINARY ?? "dist/regtrust");
  if (process.env.REGTRUST_SEA_BINARY === undefined) {
    execFileSync(process.execPath, ["scripts/build-sea.mjs"], { stdio: "pipe", timeout: 180_000 });
  }
  const tmp = await dirs.make("sea-path");
  env = { PATH: pathWithoutNode(join(tmp, "bin")), HOME: tmp, LANG: "C.UTF-8" };
  assert.throws(
    () => execFileSync("node", ["--version"], { env, stdio: "pipe" }),
    "node must not be on PATH",
  );
  await ensureTestHosts();
  artifact = { ...artifactAt(binary), env };
});
after(async () => {
  await fx?.registry.stop();
  await dirs.cleanup();
});

async function sea(
  args: string[],
  timeout = 60_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(binary, args, { env, timeout, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw error;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

test("the embedded script requires only built-in modules (Node's SEA require loads nothing else)", () => {
  // The build's work files sit beside dist/regtrust; the release's in build/release-work (test-release.sh says where).
  const work = process.env.REGTRUST_SEA_WORK ?? join(dirname(binary), "sea");
  const script = readFileSync(join(work, "regtrust.cjs"), "utf8");
  const required = new Set([...script.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1] as string));
  const notBuiltin = [...required].filter((name) => !isBuiltin(name));
  assert.deepEqual(notBuiltin, [], "each would print Node's SEA require() warning and fail to load");
});

test("--version prints the package version, with no experimental-SEA warning", async () => {
  const r = await sea(["--version"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), "0.1.0");
  assert.equal(r.stderr, "");
});

test("demo runs end to end (host update-ca-certificates, loopback registry)", async () => {
  const r = await sea(["demo"], 120_000);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /Registry\s+GET \/v2\//);
});

test("diagnose --json against a loopback TLS registry: untrusted, then trusted through hosts.toml", async () => {
  const pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
  const reg = await startRegistry({
    tls: { certPem: pki.leaf.certPem + pki.intermediate.certPem, keyPem: pki.leaf.keyPem },
  });
  try {
    const target = `repo.example.com:${reg.port}`;
    const bare = await buildNodeRoot(dirs, withContainerd());
    const untrusted = await sea(["diagnose", target, "--root", bare, "--json", "--timeout", "4000"]);
    assert.equal(untrusted.code, 1, untrusted.stderr);
    assert.equal(JSON.parse(untrusted.stdout).ok, false);

    const dir = `/etc/containerd/certs.d/${target}`;
    const trusted = await buildNodeRoot(
      dirs,
      withContainerd({
        [`${dir}/hosts.toml`]: `server = "https://${target}"\n\n[host."https://${target}"]\n  capabilities = ["pull", "resolve"]\n  ca = "${dir}/ca.crt"\n`,
        [`${dir}/ca.crt`]: pki.root.certPem,
      }),
    );
    const ok = await sea(["diagnose", target, "--root", trusted, "--json", "--timeout", "4000"]);
    assert.equal(ok.code, 0, `${ok.stdout}\n${ok.stderr}`);
    assert.equal(JSON.parse(ok.stdout).ok, true);
  } finally {
    await reg.stop();
  }
});

test("a kubectl-regtrust symlink maps onto `regtrust k8s` (kubectl plugin)", async () => {
  const dir = await dirs.make("sea-plugin");
  const plugin = join(dir, "kubectl-regtrust");
  symlinkSync(binary, plugin);
  const { stdout } = await run(plugin, ["--help"], { env, timeout: 60_000 });
  assert.match(stdout, /^Usage: regtrust k8s /);
});

describe("the artifact tier's smaller matrix, through the single executable", () => {
  // artifact.label names the executable (dist/regtrust, or the release's from test-release.sh).
  before(async () => {
    fx = await startTrustFixture(dirs);
  });
  const fixture = (): TrustFixture => {
    assert.ok(fx, "trust fixture started");
    return fx;
  };

  for (const proof of DEPENDENCY_PROOFS) {
    test(`dependency ${proof.packages.join(", ")}: ${proof.what}`, () => proof.prove(artifact, dirs));
  }

  for (const family of ["k3s", "rke2", "containerd"] as const) {
    test(`trust lifecycle on a ${family} node`, () => trustLifecycle(artifact, dirs, fixture(), family));
  }

  test("agent --once enforce on a k3s node: fixed and RegistryTrustReady=True published", async () => {
    const writes: NodeWrite[] = [];
    const server = await startFakeApiServer({ pods: [], events: [], nodes: [wireNode("node-k3s", [])] });
    server.extraRoutes.push(nodeWriteRoutes(writes));
    const kubeconfig = writeKubeconfig({ server: server.url, caPem: server.caPem, token: server.token });
    try {
      const root = await familyNode(dirs, "k3s");
      const config = join(await dirs.make("sea-agent"), "agent.yaml");
      await writeFile(
        config,
        `registries: ["${fixture().host}"]\ncaFile: ${fixture().caFile}\nmode: enforce\n`,
      );
      const args = agentArgs({ config, root, node: "node-k3s", once: true, kubeconfig: kubeconfig.path });
      const run = await runArtifact(artifact, args);
      assertNoInternalError(run);
      assert.equal(run.code, 0, transcript(run));
      const patch = writes.find((w) => w.path === "/api/v1/nodes/node-k3s/status");
      assert.ok(patch, JSON.stringify(writes));
      const conditions = (patch.body.status as { conditions: Array<{ status: string }> }).conditions;
      assert.equal(conditions[0]?.status, "True");
    } finally {
      await server.close();
      kubeconfig.cleanup();
    }
  });

  test("k8s why on the incident, through the bundled Kubernetes client", async () => {
    const server = await startFakeApiServer(incidentCluster());
    const kubeconfig = writeKubeconfig({ server: server.url, caPem: server.caPem, token: server.token });
    try {
      const argv = ["k8s", "why", "app-6c5d8f7b9-tz8wn", "--kubeconfig", kubeconfig.path];
      const run = await runArtifact(artifact, argv);
      assertNoInternalError(run);
      assert.equal(run.code, 1, transcript(run));
      assert.match(run.stdout, /node-c has no copy and cannot pull: unknown-authority/);
    } finally {
      await server.close();
      kubeconfig.cleanup();
    }
  });

  test("export cloud-init for k3s, and inspect from stdin", async () => {
    const exported = await runArtifact(artifact, [
      "export",
      fixture().host,
      "--format",
      "cloud-init",
      "--runtime",
      "k3s",
      "--ca",
      fixture().caFile,
    ]);
    assertNoInternalError(exported);
    assert.equal(exported.code, 0, transcript(exported));
    assert.match(exported.stdout, /^#cloud-config\n[\s\S]*registries\.yaml/);
    const inspected = await runArtifact(artifact, ["inspect", "-", "--json"], { stdin: fixture().rootPem });
    assert.equal(inspected.code, 0, transcript(inspected));
    assert.equal(JSON.parse(inspected.stdout).count, 1);
  });
});
