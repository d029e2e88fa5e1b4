/**
 * Node roots of every runtime family the artifact tier runs on: each is a
 * Debian node whose OS store the real update-ca-certificates built
 * (test/trust/node.ts), plus what that runtime leaves on a node so that
 * regtrust *detects* it (src/node/detect.ts) — no --runtime flag, as an
 * operator runs it.
 */
import type { TempDirs } from "../support/tmp.ts";
import { buildDebianNode, type NodeFiles } from "../trust/node.ts";

export type Family = "containerd" | "docker" | "crio" | "k3s" | "rke2" | "mixed";

export const FAMILIES: readonly Family[] = ["containerd", "docker", "crio", "k3s", "rke2", "mixed"];

/** containerd 1.7 config (version 2) as a kubeadm node has it: no config_path yet (the incident). */
export const CONTAINERD_CONFIG = `# containerd config managed by our provisioning
version = 2

[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "overlayfs"
`;

/** The incident's own variant: k3s with an empty registries.yaml (issue #16: exit 3 in dist/). */
const K3S_FILES: NodeFiles = {
  "/etc/rancher/k3s/registries.yaml": "",
  "/usr/local/bin/k3s": "",
};

/** rke2 with a hand-kept registries.yaml (comments and credentials must survive, never printed). */
export const RKE2_REGISTRIES_YAML = `# private registries (managed by hand)
mirrors:
  docker.io:
    endpoint:
      - "https://mirror.example.com:5000" # pull-through cache
configs:
  "mirror.example.com:5000":
    auth:
      username: puller
      password: hunter2 # rotated monthly
`;

const FILES: Record<Family, NodeFiles> = {
  containerd: { "/etc/containerd/config.toml": CONTAINERD_CONFIG },
  docker: { "/etc/docker/daemon.json": '{\n  "log-driver": "journald"\n}\n' },
  crio: { "/etc/containers/registries.conf": 'unqualified-search-registries = ["docker.io"]\n' },
  k3s: K3S_FILES,
  rke2: {
    "/etc/rancher/rke2/registries.yaml": RKE2_REGISTRIES_YAML,
    "/usr/lib/systemd/system/rke2-agent.service":
      "[Unit]\nDescription=Rancher Kubernetes Engine v2 (agent)\n",
  },
  mixed: {
    "/etc/containerd/config.toml": CONTAINERD_CONFIG,
    "/etc/docker/daemon.json": "{}\n",
    ...K3S_FILES,
  },
};

/** The diagnose/trust context names a family's node shows (system is the OS store). */
export const CONTEXTS: Record<Family, string[]> = {
  containerd: ["system", "containerd"],
  docker: ["system", "docker"],
  crio: ["system", "crio"],
  k3s: ["system", "k3s"],
  rke2: ["system", "rke2"],
  mixed: ["system", "containerd", "docker", "k3s"],
};

export function familyNode(dirs: TempDirs, family: Family, extra: NodeFiles = {}): Promise<string> {
  return buildDebianNode(dirs, { ...FILES[family], ...extra });
}
