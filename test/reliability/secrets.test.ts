/**
 * Issue #10 (6): credentials planted in registries.yaml, daemon.json, a Docker
 * auth file and the environment never appear in any command's stdout/stderr,
 * text or --json, success or error path. Each secret is a unique marker string.
 * The registries.yaml username counts as a secret too (a robot account's
 * name is half its login; src/core/redact.ts masks it like the password).
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { runCli } from "../integration/cli.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { TempDirs } from "../support/tmp.ts";
import { buildDebianNode } from "../trust/node.ts";

const S = {
  user: "SECRETUSER7f3a",
  pass: "SECRETPASS9c1d",
  auth: Buffer.from("SECRETUSER7f3a:SECRETPASS9c1d").toString("base64"),
  idtoken: "SECRETIDTOKEN55ab",
  daemon: "SECRETDAEMONb22c",
  env: "SECRETENVPASS0e4f",
  kube: "SECRETKUBETOKEN8d1e",
};
const HOST = "repo.example.com:5999"; // nothing listens: diagnose/verification take the error path
const REG_YAML = `configs:\n  "${HOST}":\n    auth:\n      username: ${S.user}\n      password: ${S.pass}\n      auth: ${S.auth}\n      identitytoken: ${S.idtoken}\n`;
const DAEMON = JSON.stringify({ "insecure-registries": [], "registry-mirrors": [], "x-token": S.daemon });
const DOCKER_AUTH = JSON.stringify({ auths: { [HOST]: { auth: S.auth, identitytoken: S.idtoken } } });
const ENV = {
  REGISTRY_PASSWORD: S.env,
  REGISTRY_AUTH: S.auth,
  KUBECONFIG_TOKEN: S.kube,
  HOME: "/nonexistent",
};

const dirs = new TempDirs();
after(() => dirs.cleanup());
let node = "";
let ca = "";

before(async () => {
  await ensureTestHosts();
  const pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
  node = await buildDebianNode(dirs, {
    "/etc/containerd/config.toml":
      'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n',
    "/etc/rancher/k3s/registries.yaml": REG_YAML,
    "/etc/docker/daemon.json": DAEMON,
    "/root/.docker/config.json": DOCKER_AUTH,
    "/var/lib/kubelet/config.json": DOCKER_AUTH,
  });
  ca = join(await dirs.make("ca"), "root.pem");
  await writeFile(ca, pki.root.certPem);
});

const COMMANDS: string[][] = [
  ["diagnose", HOST, "--timeout", "1500"],
  ["trust", HOST, "--ca", "CA", "--dry-run", "--timeout", "1500"],
  ["trust", HOST, "--ca", "CA", "--timeout", "1500"],
  ["untrust", HOST],
  ["insecure", HOST, "--ttl", "1h"],
  ["untrust", HOST],
  ["audit"],
  ["audit", "--format", "json"],
  ["audit", "--format", "sarif"],
  ["trust", "bad..name", "--ca", "CA"],
  ["trust", HOST, "--ca", "/nonexistent.pem"],
  ["untrust", "bad..name"],
  ["inspect", "CA"],
  ["chain", HOST, "--timeout", "1500"],
];

describe("no secret in any output", () => {
  for (const argv of COMMANDS) {
    for (const json of [false, true]) {
      if (json && argv.includes("--format")) continue;
      it(`${argv.join(" ")}${json ? " --json" : ""}`, async () => {
        const args = argv.map((a) => (a === "CA" ? ca : a));
        const full = [
          ...args,
          ...(["inspect"].includes(args[0]!) ? [] : ["--root", node]),
          ...(json ? ["--json"] : []),
        ];
        const run = await runCli(full, { env: ENV });
        assert.notEqual(run.code, 3, `internal error:\n${run.stderr}`);
        const out = run.stdout + run.stderr;
        for (const [name, secret] of Object.entries(S)) {
          assert.ok(
            !out.includes(secret),
            `${name} leaked by ${full.join(" ")} (exit ${run.code}):\n${out.slice(0, 2000)}`,
          );
        }
      });
    }
  }
});
