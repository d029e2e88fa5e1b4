/**
 * Issue #16 item 1: every runtime dependency works *in the shipped files*,
 * not only under tsx. One cheap command per dependency whose result is
 * only right if that library loaded and did its job inside the artifact
 * (a default-only CommonJS chunk, a bare require() in the single
 * executable or a missing alias fails here). Run by the artifact tier on
 * the bundle (Node 20 and 24) and by test/sea on each single executable.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { buildNodeRoot, debianBase } from "../integration/node-root.ts";
import type { TempDirs } from "../support/tmp.ts";
import {
  type Artifact,
  type ArtifactRun,
  assertNoInternalError,
  runArtifact,
  transcript,
} from "./artifact.ts";

export interface DependencyProof {
  /** package.json dependencies this command proves (the CommonJS ones and what they pull in). */
  packages: string[];
  what: string;
  prove(artifact: Artifact, dirs: TempDirs): Promise<void>;
}

const TARGET = "registry.regtrust-test.invalid:5000";
const HOST_DIR = `/etc/containerd/certs.d/${TARGET}`;

async function run(artifact: Artifact, argv: string[], stdin?: string): Promise<ArtifactRun> {
  const result = await runArtifact(artifact, argv, stdin === undefined ? {} : { stdin });
  assertNoInternalError(result);
  return result;
}

/** A node with containerd (config.toml + hosts.toml) and k3s (registries.yaml) for the target. */
async function configuredNode(dirs: TempDirs, caPem: string): Promise<string> {
  return buildNodeRoot(dirs, {
    ...debianBase(),
    "/etc/containerd/config.toml":
      'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n',
    [`${HOST_DIR}/hosts.toml`]: `server = "https://${TARGET}"\n[host."https://${TARGET}"]\n  ca = "${HOST_DIR}/ca.crt"\n`,
    [`${HOST_DIR}/ca.crt`]: caPem,
    "/etc/rancher/k3s/registries.yaml": `# by hand\nconfigs:\n  "${TARGET}":\n    tls:\n      ca_file: /etc/k3s-ca.crt\n`,
    "/etc/k3s-ca.crt": caPem,
  });
}

/** A CA made here (the target never resolves: only the files and their parsing matter), on disk. */
async function caFile(dirs: TempDirs): Promise<{ pem: string; file: string }> {
  const { root } = await createPrivatePki({ hostnames: ["repo.example.com"] });
  const pem = `${root.certPem.trim()}\n`;
  const file = join(await dirs.make("dep-ca"), "ca.pem");
  await writeFile(file, pem);
  return { pem, file };
}

export const DEPENDENCY_PROOFS: DependencyProof[] = [
  {
    packages: ["commander"],
    what: "--help lists the commands; a missing argument is exit 2",
    async prove(artifact) {
      const help = await run(artifact, ["--help"]);
      assert.equal(help.code, 0, transcript(help));
      assert.match(help.stdout, /^Usage: regtrust \[options\] \[command\]/);
      const usage = await run(artifact, ["diagnose"]);
      assert.equal(usage.code, 2, transcript(usage));
      assert.match(usage.stderr, /missing required argument 'target'/);
    },
  },
  {
    packages: ["smol-toml", "yaml"],
    what: "diagnose reads containerd's config.toml/hosts.toml (TOML) and k3s's registries.yaml (YAML, with line numbers)",
    async prove(artifact, dirs) {
      const node = await configuredNode(dirs, (await caFile(dirs)).pem);
      const r = await run(artifact, ["diagnose", TARGET, "--root", node, "--json", "--timeout", "3000"]);
      assert.equal(r.code, 1, transcript(r));
      const result = JSON.parse(r.stdout) as {
        contexts: Array<{ name: string; anchors: string[] }>;
        findings: Array<{ code: string; line?: number; file?: string }>;
      };
      const containerd = result.contexts.find((c) => c.name === "containerd");
      assert.ok(
        containerd?.anchors.includes(`${HOST_DIR}/ca.crt`),
        `hosts.toml's ca was not parsed\n${r.stdout}`,
      );
      const restart = result.findings.find((f) => f.code === "restart-required");
      assert.match(
        JSON.stringify(restart),
        /registries\.yaml.*:5|"line":5/,
        "registries.yaml was parsed with its lines",
      );
    },
  },
  {
    packages: ["diff", "yaml"],
    what: "trust --dry-run shows a unified diff for hosts.toml and the k3s registries.yaml edit",
    async prove(artifact, dirs) {
      const { pem, file: ca } = await caFile(dirs);
      const node = await configuredNode(dirs, pem);
      const r = await run(artifact, [
        "trust",
        TARGET,
        "--ca",
        ca,
        "--root",
        node,
        "--runtime",
        "containerd,k3s",
        "--dry-run",
        "--timeout",
        "2000",
      ]);
      assert.equal(r.code, 0, transcript(r));
      assert.match(r.stdout, /^--- a\/etc\/rancher\/k3s\/registries\.yaml$/m);
      assert.match(r.stdout, /^@@ -\d+,\d+ \+\d+,\d+ @@/m);
    },
  },
  {
    packages: ["yaml"],
    what: "k8s manifests renders the agent's YAML documents",
    async prove(artifact, dirs) {
      const { file } = await caFile(dirs);
      const r = await run(artifact, [
        "k8s",
        "manifests",
        "--registry",
        TARGET,
        "--ca",
        file,
        "--image",
        "registry.internal/regtrust:test",
      ]);
      assert.equal(r.code, 0, transcript(r));
      assert.match(r.stdout, /^kind: DaemonSet$/m);
    },
  },
  {
    packages: ["@peculiar/x509", "@peculiar/asn1-x509", "@peculiar/asn1-schema", "@peculiar/asn1-cms"],
    what: "demo issues its own CA, intermediate and leaf (X.509 generation) and runs the incident",
    async prove(artifact) {
      const r = await runArtifact(artifact, ["demo", "--json"], { timeoutMs: 120_000 });
      assertNoInternalError(r);
      assert.equal(r.code, 0, transcript(r));
      assert.equal(JSON.parse(r.stdout).after.ok, true);
    },
  },
  {
    packages: ["@kubernetes/client-node", "punycode"],
    what: "k8s status loads the kubeconfig and sends a request through the client (nothing listens: a clear exit 2)",
    async prove(artifact, dirs) {
      const kubeconfig = join(await dirs.make("dep-kube"), "config");
      await writeFile(
        kubeconfig,
        [
          "apiVersion: v1",
          "kind: Config",
          "clusters:",
          "- name: c",
          "  cluster: { server: 'https://127.0.0.1:1' }",
          "users:",
          "- name: u",
          "  user: { token: not-a-real-token }",
          "contexts:",
          "- name: here",
          "  context: { cluster: c, user: u }",
          "current-context: here",
          "",
        ].join("\n"),
      );
      const r = await run(artifact, ["k8s", "status", "--kubeconfig", kubeconfig]);
      assert.equal(r.code, 2, transcript(r));
      assert.match(
        r.stderr,
        /cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:1 \(context "here"\): ECONNREFUSED/,
      );
      assert.doesNotMatch(r.stderr, /not-a-real-token/);
    },
  },
];
