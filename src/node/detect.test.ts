import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { detectRuntimes } from "./detect.ts";
import { makeNodeRoot, type NodeEntry } from "./testing/node-root.ts";

describe("detectRuntimes reads the evidence table", () => {
  const cases: { name: string; files: Record<string, NodeEntry>; want: Record<string, string[]> }[] = [
    { name: "empty node", files: {}, want: {} },
    {
      name: "kubeadm node with containerd",
      files: { "/etc/containerd/config.toml": "version = 2\n", "/usr/bin/containerd": "" },
      want: { containerd: ["/etc/containerd/config.toml", "/usr/bin/containerd"] },
    },
    {
      name: "docker host (dockerd brings its own containerd)",
      files: { "/etc/docker/daemon.json": "{}", "/usr/bin/dockerd": "", "/usr/bin/containerd": "" },
      want: { containerd: ["/usr/bin/containerd"], docker: ["/etc/docker/daemon.json", "/usr/bin/dockerd"] },
    },
    {
      name: "CRI-O node",
      files: { "/etc/crio/crio.conf": "", "/etc/containers/registries.conf": "" },
      want: { crio: ["/etc/crio", "/etc/containers/registries.conf"] },
    },
    {
      name: "k3s server",
      files: {
        "/etc/rancher/k3s/registries.yaml": "",
        "/usr/local/bin/k3s": "",
        "/var/lib/rancher/k3s": { dir: true },
      },
      want: { k3s: ["/etc/rancher/k3s", "/var/lib/rancher/k3s", "/usr/local/bin/k3s"] },
    },
    {
      name: "rke2 agent",
      files: { "/etc/rancher/rke2/config.yaml": "", "/var/lib/rancher/rke2/agent": { dir: true } },
      want: { rke2: ["/etc/rancher/rke2", "/var/lib/rancher/rke2"] },
    },
    {
      name: "docker socket under /var/run symlinked to /run",
      files: { "/run/docker.sock": "", "/var/run": { symlink: "../run" } },
      want: { docker: ["/run/docker.sock", "/var/run/docker.sock"] },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const node = makeNodeRoot(c.files);
      try {
        const got = Object.fromEntries(detectRuntimes(node.fs).map((r) => [r.name, r.evidence]));
        assert.deepEqual(got, c.want);
      } finally {
        node.cleanup();
      }
    });
  }
});
