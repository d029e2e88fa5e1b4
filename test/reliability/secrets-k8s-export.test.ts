/**
 * Issue #10 (6), continued from secrets.test.ts: `k8s why`, `k8s pulls`,
 * `k8s status` against the fake API server, and `export --format
 * cloud-init|ansible`, with secrets planted wherever those commands read or
 * could pick them up:
 * - the kubeconfig: a bearer token, a client certificate's private key;
 * - the cluster: an imagePullSecret (.dockerconfigjson served by a secrets
 *   route, named in the pods' spec), container env values, pod annotations
 *   (last-applied-configuration with the env), a token in an event of the
 *   failing pod, and a registry username in a pull error's token-realm URL;
 * - the process: REGISTRY_PASSWORD and tokens in the environment, a Docker
 *   config with auths in HOME and DOCKER_CONFIG;
 * - export: a --ca file that also holds the CA's private key.
 * Text and --json, success and error paths (wrong token, unreachable API
 * server, missing pod, bad --ca); stdout, stderr and an `-o` file scanned.
 */
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { runCli } from "../integration/cli.ts";
import { type FakeApiServer, startFakeApiServer } from "../k8s/fake-apiserver.ts";
import type { FakeCluster } from "../k8s/fake-cluster.ts";
import { incidentCluster } from "../k8s/scenarios.ts";
import { TempDirs } from "../support/tmp.ts";
import {
  plantInCluster,
  SECRET_VALUES,
  type Secrets,
  servePullSecret,
  writeSecretKubeconfig,
} from "./secrets-k8s-support.ts";

const NEW_POD = "app-6c5d8f7b9-tz8wn";
const REGISTRY = "repo.example.com:5000";

const dirs = new TempDirs();
let server: FakeApiServer;
let S: Secrets;
const files = { kubeconfig: "", badToken: "", unreachable: "", ca: "", caWithKey: "", out: "" };
let env: Record<string, string> = {};

before(async () => {
  const pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
  const client = await createPrivatePki({ hostnames: ["triage"] });
  S = SECRET_VALUES(client.leaf.keyPem, pki.root.keyPem);
  const cluster: FakeCluster = incidentCluster();
  plantInCluster(cluster, S, NEW_POD);
  server = await startFakeApiServer(cluster);
  server.token = S.kubeToken;
  servePullSecret(server, S);
  const dir = await dirs.make("secrets-k8s");
  files.kubeconfig = writeSecretKubeconfig(await dirs.make("kube-good"), server, S.kubeToken, client);
  files.badToken = writeSecretKubeconfig(await dirs.make("kube-bad"), server, S.staleToken, client);
  files.unreachable = writeSecretKubeconfig(
    await dirs.make("kube-down"),
    { ...server, url: "https://127.0.0.1:1" },
    S.kubeToken,
    client,
  );
  files.ca = join(dir, "ca.pem");
  await writeFile(files.ca, pki.root.certPem);
  files.caWithKey = join(dir, "ca-with-key.pem");
  await writeFile(files.caWithKey, `${pki.root.certPem}\n${pki.root.keyPem}\n`);
  files.out = join(dir, "user-data");
  const home = join(dir, "home");
  await mkdir(join(home, ".docker"), { recursive: true });
  const dockerConfig = JSON.stringify({ auths: { [REGISTRY]: { auth: S.dockerAuth, username: S.user } } });
  await writeFile(join(home, ".docker/config.json"), dockerConfig);
  env = {
    HOME: home,
    DOCKER_CONFIG: join(home, ".docker"),
    KUBECONFIG: files.kubeconfig,
    REGISTRY_USERNAME: S.user,
    REGISTRY_PASSWORD: S.envPassword,
    REGISTRY_TOKEN: S.envToken,
    GITHUB_TOKEN: S.envToken,
  };
});
after(async () => {
  await server?.close();
  await dirs.cleanup();
});

/** argv with placeholders: KUBE/BAD/DOWN = a kubeconfig, CA/CAKEY = a --ca file, OUT = the -o file. */
const K8S: string[][] = [
  ["k8s", "why", NEW_POD, "--kubeconfig", "KUBE"],
  ["k8s", "why", `pod/${NEW_POD}`, "-n", "default", "--kubeconfig", "KUBE"],
  ["k8s", "why", "app-6c5d8f7b9-4xk2p", "--kubeconfig", "KUBE"],
  ["k8s", "pulls", "-A", "--kubeconfig", "KUBE"],
  ["k8s", "pulls", "-n", "default", "--kubeconfig", "KUBE"],
  ["k8s", "status", "--kubeconfig", "KUBE"],
  ["k8s", "why", "ghost", "--kubeconfig", "KUBE"],
  ["k8s", "why", NEW_POD, "--kubeconfig", "BAD"],
  ["k8s", "pulls", "-A", "--kubeconfig", "BAD"],
  ["k8s", "why", NEW_POD, "--kubeconfig", "DOWN", "--timeout", "1500"],
  ["k8s", "pulls", "-A", "--kubeconfig", "DOWN", "--timeout", "1500"],
];
const EXPORT: string[][] = [
  ["export", REGISTRY, "--format", "cloud-init", "--ca", "CA", "--runtime", "containerd,system,k3s"],
  ["export", REGISTRY, "--format", "ansible", "--ca", "CA", "--runtime", "containerd,system,k3s,docker"],
  ["export", REGISTRY, "--format", "cloud-init", "--ca", "CAKEY", "--runtime", "containerd,system,k3s"],
  ["export", REGISTRY, "--format", "ansible", "--ca", "CAKEY"],
  ["export", REGISTRY, "--format", "cloud-init", "--ca", "CAKEY", "-o", "OUT"],
  ["export", REGISTRY, "--format", "ansible", "--ca", "/nonexistent.pem"],
  ["export", REGISTRY, "--format", "puppet", "--ca", "CA"],
];

function resolve(argv: string[]): string[] {
  const map: Record<string, string> = {
    KUBE: files.kubeconfig,
    BAD: files.badToken,
    DOWN: files.unreachable,
    CA: files.ca,
    CAKEY: files.caWithKey,
    OUT: files.out,
  };
  return argv.map((a) => map[a] ?? a);
}

async function scan(argv: string[], json: boolean): Promise<void> {
  const full = [...resolve(argv), ...(json ? ["--json"] : [])];
  const run = await runCli(full, { env });
  assert.notEqual(run.code, 3, `internal error:\n${run.stderr}`);
  let out = run.stdout + run.stderr;
  if (argv.includes("OUT")) out += await readFile(files.out, "utf8");
  for (const [name, secret] of Object.entries(S)) {
    assert.ok(
      !out.includes(secret),
      `${name} leaked by ${argv.join(" ")}${json ? " --json" : ""} (exit ${run.code}):\n${out.slice(0, 3000)}`,
    );
  }
}

describe("no secret in k8s why/pulls/status output", () => {
  for (const argv of K8S) {
    for (const json of [false, true]) {
      it(`${argv.join(" ")}${json ? " --json" : ""}`, () => scan(argv, json));
    }
  }
  it("the planted cluster is what the commands read (the pods with env, annotations, pull secret)", async () => {
    const run = await runCli(["k8s", "why", NEW_POD, "--kubeconfig", files.kubeconfig, "--json"], { env });
    assert.equal(run.code, 1, run.stderr);
    const why = JSON.parse(run.stdout) as { timeline: { reason: string }[]; failing: { code: string }[] };
    assert.ok(
      why.timeline.some((e) => e.reason === "SecretRotated"),
      "the event carrying a token was read",
    );
    assert.ok(why.failing.length > 0);
    assert.ok(server.requests.some((r) => r.path === `/api/v1/namespaces/default/pods/${NEW_POD}`));
  });
});

describe("no secret in export output", () => {
  for (const argv of EXPORT) {
    it(argv.join(" "), () => scan(argv, false));
  }
  it("export with a --ca file holding the key still writes the CA", async () => {
    const run = await runCli(resolve(EXPORT[2]!), { env });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /BEGIN CERTIFICATE/);
  });
});
