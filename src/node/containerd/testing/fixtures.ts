/** Real-world-shaped containerd configs for tests (trimmed `containerd config default` output). */

/** containerd 1.6/1.7, kubeadm-style, certs.d enabled. */
export const CONFIG_V2_CERTS_D = `version = 2
root = "/var/lib/containerd"
state = "/run/containerd"

[grpc]
  address = "/run/containerd/containerd.sock"

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "registry.k8s.io/pause:3.9"
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = true
    [plugins."io.containerd.grpc.v1.cri".registry]
      config_path = "/etc/containerd/certs.d"
`;

/** `containerd config default` of 1.7: the registry tables exist, config_path is empty. */
export const CONFIG_V2_DEFAULT = `version = 2

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.8"

  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = ""

    [plugins."io.containerd.grpc.v1.cri".registry.auths]

    [plugins."io.containerd.grpc.v1.cri".registry.configs]

    [plugins."io.containerd.grpc.v1.cri".registry.headers]

    [plugins."io.containerd.grpc.v1.cri".registry.mirrors]
`;

/** containerd 2.x with two certs.d roots. */
export const CONFIG_V3_TWO_ROOTS = `version = 3
root = "/var/lib/containerd"

[plugins]
  [plugins."io.containerd.cri.v1.images"]
    snapshotter = "overlayfs"
    [plugins."io.containerd.cri.v1.images".registry]
      config_path = "/etc/containerd/certs.d:/etc/docker/certs.d"
  [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
    SystemdCgroup = true
`;

/** containerd 2.x without any registry settings. */
export const CONFIG_V3_BARE = `version = 3
[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
`;

/** Docker's containerd.io package: CRI off. */
export const CONFIG_DOCKER_CONTAINERD_IO = `#   Copyright 2018-2022 Docker Inc.
disabled_plugins = ["cri"]
`;

/** containerd 1.7 with the deprecated per-host TLS and auth settings. */
export const CONFIG_V2_LEGACY_TLS = `version = 2
[plugins."io.containerd.grpc.v1.cri".registry]
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."reg.example.com:5000"]
    endpoint = ["https://mirror.example.com"]
  [plugins."io.containerd.grpc.v1.cri".registry.configs."reg.example.com:5000".tls]
    ca_file = "/etc/ssl/reg-ca.pem"
    insecure_skip_verify = false
  [plugins."io.containerd.grpc.v1.cri".registry.configs."reg.example.com:5000".auth]
    username = "robot"
    password = "s3cr3t-value"
`;
