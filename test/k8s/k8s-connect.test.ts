/**
 * Reaching the cluster: which kubeconfig is used, and the errors a user sees
 * when it cannot be read, the server is unreachable or slow, or rejects the
 * credentials. All exit 2 (an environment problem, not a registry finding)
 * with a message that names the file, server or RBAC rule.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../integration/cli.ts";
import { pickFreePort } from "../support/free-port.ts";
import { type FakeApiServer, startFakeApiServer } from "./fake-apiserver.ts";
import { type TempKubeconfig, writeKubeconfig } from "./kubeconfig-file.ts";
import { incidentCluster } from "./scenarios.ts";

describe("connecting to the cluster", () => {
  let server: FakeApiServer;
  let config: TempKubeconfig;
  const temps: TempKubeconfig[] = [];
  const kubeconfigFor = (input: Partial<Parameters<typeof writeKubeconfig>[0]>) => {
    const file = writeKubeconfig({ server: server.url, caPem: server.caPem, token: server.token, ...input });
    temps.push(file);
    return file.path;
  };

  before(async () => {
    server = await startFakeApiServer(incidentCluster());
    config = writeKubeconfig({
      server: server.url,
      caPem: server.caPem,
      token: server.token,
      namespace: "kube-system",
    });
  });
  after(async () => {
    await server.close();
    config.cleanup();
    for (const t of temps) t.cleanup();
  });

  test("$KUBECONFIG is honoured, and the context's namespace is the default", async () => {
    const run = await runCli(["k8s", "pulls", "--json"], { env: { KUBECONFIG: config.path } });
    assert.equal(run.code, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { namespace: string }).namespace, "kube-system");
  });

  test("~/.kube/config is used when nothing else is given", async () => {
    const home = mkdtempSync(join(tmpdir(), "regtrust-home-"));
    try {
      const kubeDir = join(home, ".kube");
      const { mkdirSync, copyFileSync } = await import("node:fs");
      mkdirSync(kubeDir);
      copyFileSync(config.path, join(kubeDir, "config"));
      const run = await runCli(["k8s", "pulls", "-A"], { env: { HOME: home } });
      assert.equal(run.code, 1, run.stderr);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test("no configuration anywhere: exit 2 naming where it looked", async () => {
    const run = await runCli(["k8s", "pulls"], { env: { HOME: "/nonexistent-home" } });
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /no Kubernetes configuration: --kubeconfig not given, \$KUBECONFIG unset, \/nonexistent-home\/\.kube\/config does not exist/,
    );
  });

  test("--kubeconfig to a missing file: exit 2 naming it", async () => {
    const run = await runCli(["k8s", "pulls", "--kubeconfig", "/nonexistent/kubeconfig"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--kubeconfig \/nonexistent\/kubeconfig: no such file/);
  });

  test("a kubeconfig that does not parse: exit 2 naming it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "regtrust-kube-"));
    try {
      const path = join(dir, "config");
      writeFileSync(path, "clusters: [ {name: x\n");
      const run = await runCli(["k8s", "pulls", "--kubeconfig", path]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, new RegExp(`kubeconfig ${path}: `));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("--context that does not exist: exit 2 listing the known ones", async () => {
    const run = await runCli(["k8s", "pulls", "--kubeconfig", config.path, "--context", "prod"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /context "prod" not found in kubeconfig .* \(known: fake\)/);
  });

  test("a wrong token: exit 2, 401 explained", async () => {
    const path = kubeconfigFor({ token: "wrong-token" });
    const run = await runCli(["k8s", "pulls", "--kubeconfig", path]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /rejected the credentials of context "fake" \(401 Unauthorized\)/);
  });

  test("list pods forbidden cluster-wide: exit 2 naming verb, resource and scope", async () => {
    server.forbid.push({ verb: "list", resource: "pods", namespace: null });
    try {
      const run = await runCli(["k8s", "pulls", "-A", "--kubeconfig", config.path]);
      assert.equal(run.code, 2);
      assert.equal(run.stdout, "");
      assert.match(
        run.stderr,
        /forbidden to list pods in all namespaces \(403\): RBAC must grant verb "list" on resource "pods" \(API group ""\) cluster-wide/,
      );
      assert.match(run.stderr, /User "system:serviceaccount:default:triage" cannot list resource "pods"/);
    } finally {
      server.forbid.length = 0;
    }
  });

  test("nothing listens at the server address: exit 2 at once", async () => {
    const port = await pickFreePort("127.0.0.1");
    const path = kubeconfigFor({ server: `https://127.0.0.1:${port}` });
    const started = Date.now();
    const run = await runCli(["k8s", "pulls", "--kubeconfig", path]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      new RegExp(
        `cannot reach the Kubernetes API at https://127\\.0\\.0\\.1:${port} \\(context "fake"\\): ECONNREFUSED`,
      ),
    );
    assert.ok(Date.now() - started < 5000);
  });

  test("a server that never answers: exit 2 within --timeout", async () => {
    server.hang = true;
    try {
      const started = Date.now();
      const run = await runCli([
        "k8s",
        "why",
        "app-6c5d8f7b9-tz8wn",
        "--kubeconfig",
        config.path,
        "--timeout",
        "400",
      ]);
      const elapsed = Date.now() - started;
      assert.equal(run.code, 2);
      assert.match(
        run.stderr,
        /did not answer "get pod "app-6c5d8f7b9-tz8wn" in namespace "kube-system"" within 400 ms/,
      );
      assert.ok(elapsed >= 350 && elapsed < 3000, `took ${elapsed} ms`);
    } finally {
      server.hang = false;
    }
  });

  test("a slow server within the timeout still works", async () => {
    server.delayMs = 150;
    try {
      const run = await runCli([
        "k8s",
        "why",
        "app-6c5d8f7b9-tz8wn",
        "-n",
        "default",
        "--kubeconfig",
        config.path,
        "--timeout",
        "2000",
      ]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, /unknown-authority/);
    } finally {
      server.delayMs = 0;
    }
  });

  test("a server whose certificate the kubeconfig does not trust: exit 2, TLS named", async () => {
    const other = await startFakeApiServer({ pods: [], events: [], nodes: [] });
    try {
      const path = kubeconfigFor({ server: other.url });
      const run = await runCli(["k8s", "pulls", "--kubeconfig", path]);
      assert.equal(run.code, 2);
      assert.match(
        run.stderr,
        /TLS to the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ failed \(\w+\): check certificate-authority/,
      );
    } finally {
      await other.close();
    }
  });
});
