/**
 * The image users deploy, proven end to end offline: `npm run image` builds
 * (or reuses) the OCI archive from scripts/image/recipe.json; skopeo pushes it
 * over TLS to the Debian docker-registry as repo.example.com (private CA);
 * containerd's CRI pulls it as kubelet would; then its own entrypoint runs
 * from containerd's unpacked snapshot under chroot (pod-chroot.ts) in the
 * layouts the pods give it: `--version` as the image's default user,
 * `diagnose` as `regtrust k8s node` runs it (node `/` at /host, read-only),
 * and `agent --once` in enforce mode with exactly the DaemonSet's mounts and
 * user from `regtrust k8s manifests`.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { V1SecurityContext } from "@kubernetes/client-node";
import { type BuiltImage, buildImage } from "../../scripts/image/build.ts";
import { buildManifests, HOST_PATHS } from "../../src/k8s/manifests/manifests.ts";
import { HOST_MOUNT, nodePod } from "../../src/k8s/node-run/pod-spec.ts";
import { familyNode } from "../artifact/families.ts";
import { buildNodeRoot, withContainerd } from "../integration/node-root.ts";
import { writeCertDir, writeContainerdHostCa } from "../support/certs-d.ts";
import { type RunningContainerd, startContainerd } from "../support/containerd.ts";
import { imageStatus, pullImage } from "../support/cri-client.ts";
import { type PrivateRegistry, startPrivateCaRegistry } from "../support/private-registry.ts";
import { skopeoIsolation } from "../support/skopeo.ts";
import { TempDirs } from "../support/tmp.ts";
import { type ImageConfig, type PodMount, runInPod } from "./pod-chroot.ts";

const dirs = new TempDirs();
let built: BuiltImage;
let registry: PrivateRegistry;
let containerd: RunningContainerd;
let imageRef = "";
let config: ImageConfig;
let chainId = "";
let podCount = 0;

before(
  async () => {
    built = await buildImage({ log: (line) => process.stderr.write(`${line}\n`) });
    registry = await startPrivateCaRegistry(dirs);
    imageRef = `${registry.target}/regtrust/regtrust:${built.tag}`;
    await pushArchive();
    const certsD = await dirs.make("image-certs-d");
    await writeContainerdHostCa(certsD, registry.target, registry.caPem);
    containerd = await startContainerd({ configPath: certsD });
    ({ config, chainId } = await pulledImage());
  },
  { timeout: 20 * 60_000 },
);

after(async () => {
  await containerd?.stop();
  await registry?.registry.stop();
  await dirs.cleanup();
});

async function pushArchive(): Promise<void> {
  const dir = await dirs.make("image-push");
  const skopeo = await skopeoIsolation(dir);
  const certDir = await writeCertDir(join(dir, "certs"), registry.caPem);
  const argv = [...skopeo.globalArgs, "copy", "--policy", skopeo.policyFile, "--dest-cert-dir", certDir];
  argv.push(`oci-archive:${built.archive}:${built.tag}`, `docker://${imageRef}`);
  const push = await skopeo.run(argv, 5 * 60_000);
  assert.equal(push.code, 0, `skopeo copy to ${imageRef}: ${push.stderr}`);
}

/**
 * CRI PullImage, then the image's config as containerd stored it (the content
 * store blob the CRI image id names) and the ChainID of its top layer, the
 * snapshot a container's root is prepared from (image-spec config.md, "Layer ChainID").
 */
async function pulledImage(): Promise<{ config: ImageConfig; chainId: string }> {
  const pulled = await pullImage(containerd.address, imageRef, { timeoutMs: 5 * 60_000 });
  assert.ok(pulled.ok, pulled.ok ? "" : `CRI PullImage ${imageRef}: ${pulled.message}`);
  const digest = pulled.imageRef.replace(/^sha256:/, "");
  const blob = join(containerd.root, "io.containerd.content.v1.content", "blobs", "sha256", digest);
  const image = JSON.parse(await readFile(blob, "utf8")) as {
    config: ImageConfig;
    rootfs: { diff_ids: string[] };
  };
  const chain = image.rootfs.diff_ids.reduce(
    (parent, diffId) => `sha256:${createHash("sha256").update(`${parent} ${diffId}`).digest("hex")}`,
  );
  return { config: image.config, chainId: chain };
}

async function pod(args: string[], opts: Partial<Parameters<typeof runInPod>[0]> = {}) {
  const rootDir = await dirs.make(`image-pod-${++podCount}`);
  await mkdir(join(rootDir, "rootfs"));
  return runInPod({
    containerd: { address: containerd.address, chainId },
    rootDir: join(rootDir, "rootfs"),
    config,
    args,
    timeoutMs: 90_000,
    ...opts,
  });
}

describe("the regtrust image, pushed, pulled through the CRI and run from containerd's snapshot", () => {
  test("CRI pull: the registry's manifest digest, the recipe's entrypoint and an unprivileged default user", async () => {
    const status = await imageStatus(containerd.address, imageRef);
    assert.ok(status, "containerd has the image");
    assert.ok(
      status.repoDigests.some((d) => d.endsWith(`@${built.manifestDigest}`)),
      `${status.repoDigests} vs ${built.manifestDigest}`,
    );
    const recipe = JSON.parse(await readFile("scripts/image/recipe.json", "utf8"));
    assert.deepEqual(config.Entrypoint, recipe.config.entrypoint);
    assert.notEqual(config.User?.split(":")[0], "0");
  });

  test("--version as the image's default user prints package.json's version", async () => {
    const run = await pod(["--version"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), built.version);
    assert.equal(run.user, config.User);
  });

  test("what trust and --restart run inside the pod is in the image (chroot, nsenter); no apt, no build host files", async () => {
    for (const tool of ["/usr/sbin/chroot", "/usr/bin/nsenter"]) {
      const run = await pod(["--version"], { config: { ...config, Entrypoint: [tool] } });
      assert.equal(run.code, 0, `${tool}: ${run.stderr}`);
    }
    const names = built.basePackages.map((line) => line.split("\t")[0]);
    assert.ok(names.includes("libstdc++6") && names.includes("coreutils") && names.includes("util-linux"));
    for (const absent of ["apt", "usrmerge", "perl"])
      assert.ok(!names.includes(absent), `${absent} in the base`);
    const listing = await pod(["-c", "ls -A /etc/apt /etc/resolv.conf /etc/hostname 2>&1; true"], {
      config: { ...config, Entrypoint: ["/bin/sh"] },
    });
    assert.match(listing.stdout, /\/etc\/apt.*No such file/);
    assert.match(listing.stdout, /\/etc\/hostname.*No such file/);
  });

  test("the harness applies the pod's securityContext: diagnose's pod runs as root with no capabilities", async () => {
    const spec = nodePod({
      node: "n",
      action: "diagnose",
      args: [],
      namespace: "d",
      image: imageRef,
      deadlineSeconds: 60,
      suffix: "c",
    });
    const securityContext = spec.spec!.containers[0]!.securityContext!;
    const run = await pod(
      ["-c", "grep -E '^(Uid|CapEff|CapBnd|NoNewPrivs):' /proc/self/status; touch /x 2>&1; true"],
      {
        config: { ...config, Entrypoint: ["/bin/sh"] },
        securityContext,
      },
    );
    assert.match(run.stdout, /^Uid:\s+0\s/m, run.stdout);
    assert.match(run.stdout, /^CapEff:\s+0+$/m, run.stdout);
    assert.match(run.stdout, /^CapBnd:\s+0+$/m, run.stdout);
    assert.match(run.stdout, /Read-only file system/, "readOnlyRootFilesystem");
  });

  test("diagnose in the `k8s node` pod (node / read-only at /host, read-only root): unknown-authority, exit 1", async () => {
    const node = await buildNodeRoot(dirs, withContainerd());
    const run = await nodePodRun(node, "diagnose", [registry.target, "--json"]);
    assert.equal(run.code, 1, run.stderr);
    const result = JSON.parse(run.stdout) as { ok: boolean; findings: { code: string }[] };
    assert.equal(result.ok, false);
    assert.ok(
      result.findings.some((f) => f.code === "unknown-authority"),
      run.stdout,
    );
  });

  for (const family of ["k3s", "rke2"] as const) {
    test(`diagnose on a ${family} node through the image: the YAML reader loads (issue #16's crash), unknown-authority`, async () => {
      const node = await familyNode(dirs, family);
      const run = await nodePodRun(node, "diagnose", [registry.target, "--json"]);
      assert.doesNotMatch(run.stderr, /internal error|is not a constructor|is not a function/, run.stderr);
      assert.equal(run.code, 1, run.stderr);
      const result = JSON.parse(run.stdout) as { contexts: { name: string; ok: boolean }[] };
      const context = result.contexts.find((c) => c.name === family);
      assert.equal(context?.ok, false, run.stdout);
    });
  }

  test("agent --once, enforce, in the DaemonSet's layout: containerd trusts the registry, the node's public roots are intact", async () => {
    const node = await buildNodeRoot(dirs, withContainerd());
    const bundle = join(node, "etc/ssl/certs/ca-certificates.crt");
    const publicRoots = await readFile(bundle);
    const run = await agentPodRun(node);
    assert.equal(run.code, 0, `${run.stderr}\n${run.stdout}`);
    const logs = run.stderr
      .trim()
      .split("\n")
      .map(
        (line) => JSON.parse(line) as { msg: string; registry?: string; trusted?: boolean; detail?: string },
      );
    const checked = logs.find((l) => l.msg === "registry checked");
    assert.equal(checked?.registry, registry.target, run.stderr);
    assert.equal(checked?.trusted, true, run.stderr);
    assert.ok(
      logs.some((l) => /containerd: verified/.test(l.detail ?? "")),
      run.stderr,
    );
    const hostsToml = await readFile(
      join(node, "etc/containerd/certs.d", registry.target, "hosts.toml"),
      "utf8",
    );
    assert.doesNotMatch(hostsToml, /\/host\//, "node files name node paths, not the pod's /host");
    assert.deepEqual(await readFile(bundle), publicRoots, "the node's public roots survive the agent");
    const again = await nodePodRun(node, "diagnose", [registry.target, "--json"]);
    const result = JSON.parse(again.stdout) as { contexts: { name: string; ok: boolean }[] };
    assert.equal(result.contexts.find((c) => c.name === "containerd")?.ok, true, again.stdout);
  });
});

/** Runs `regtrust k8s node <action>`'s pod (src/k8s/node-run/pod-spec.ts) for a node whose `/` is `node`. */
async function nodePodRun(node: string, action: "diagnose" | "trust" | "untrust" | "audit", args: string[]) {
  const spec = nodePod({
    node: "node-1",
    action,
    args,
    namespace: "regtrust",
    image: imageRef,
    deadlineSeconds: 60,
    suffix: "t",
  });
  const container = spec.spec!.containers[0]!;
  const volumes = new Map(spec.spec!.volumes!.map((v) => [v.name, v.hostPath!.path]));
  const mounts: PodMount[] = (container.volumeMounts ?? []).map((m) => ({
    hostPath: join(node, volumes.get(m.name)!),
    mountPath: m.mountPath,
    readOnly: m.readOnly ?? false,
  }));
  assert.deepEqual(
    mounts.map((m) => m.mountPath),
    [HOST_MOUNT],
  );
  return pod(container.args!, { mounts, securityContext: container.securityContext ?? {} });
}

/**
 * The DaemonSet of `regtrust k8s manifests` (src/k8s/manifests/manifests.ts) on a node
 * whose `/` is `node`: its hostPath volumes (DirectoryOrCreate), its
 * ConfigMap's files at /etc/regtrust, its args, user and NODE_NAME, plus
 * `--once --no-publish` (one check, no API server).
 */
async function agentPodRun(node: string) {
  const docs = buildManifests({
    registries: [registry.target],
    caPem: registry.caPem,
    mode: "enforce",
    image: imageRef,
    namespace: "regtrust",
  }) as unknown as ManifestDoc[];
  const configMap = docs.find((d) => d.kind === "ConfigMap")!;
  const podSpec = docs.find((d) => d.kind === "DaemonSet")!.spec!.template.spec;
  const container = podSpec.containers[0]!;
  // A configMap volume: world-readable files (defaultMode 0644) in a world-readable directory.
  const configDir = await dirs.make("image-agent-config");
  await chmod(configDir, 0o755);
  for (const [name, text] of Object.entries(configMap.data!)) {
    await writeFile(join(configDir, name), text, { mode: 0o644 });
  }
  const mounts: PodMount[] = [];
  for (const mount of container.volumeMounts) {
    const volume = podSpec.volumes.find((v) => v.name === mount.name)!;
    if (volume.configMap) {
      mounts.push({ hostPath: configDir, mountPath: mount.mountPath, readOnly: true });
      continue;
    }
    if (volume.emptyDir) {
      // The agent's /tmp beside its read-only root file system: an empty, writable directory.
      mounts.push({
        hostPath: await dirs.make("image-agent-tmp"),
        mountPath: mount.mountPath,
        readOnly: false,
      });
      continue;
    }
    assert.equal(volume.hostPath?.type, "DirectoryOrCreate");
    await mkdir(join(node, volume.hostPath.path), { recursive: true });
    const hostPath = join(node, volume.hostPath.path);
    mounts.push({ hostPath, mountPath: mount.mountPath, readOnly: mount.readOnly ?? false });
  }
  assert.deepEqual(
    mounts
      .filter((m) => m.mountPath.startsWith(`${HOST_MOUNT}/`))
      .map((m) => m.mountPath.slice(HOST_MOUNT.length)),
    [...HOST_PATHS],
  );
  return pod([...container.args, "--once", "--no-publish", "--metrics-port", "0"], {
    mounts,
    securityContext: container.securityContext,
    env: { NODE_NAME: "node-1" },
  });
}

interface ManifestDoc {
  kind: string;
  data?: Record<string, string>;
  spec?: {
    template: {
      spec: {
        containers: {
          args: string[];
          securityContext: V1SecurityContext;
          volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
        }[];
        volumes: {
          name: string;
          configMap?: object;
          emptyDir?: object;
          hostPath?: { path: string; type: string };
        }[];
      };
    };
  };
}
