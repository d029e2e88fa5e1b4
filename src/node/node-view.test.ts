import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fromApk, fromDpkg } from "./containerd/version.ts";
import { readNodeView } from "./node-view.ts";
import { makeNodeRoot } from "./testing/node-root.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const REG = "reg.example.com:5000";

test("a node view answers per runtime and reads each config once", () => {
  const node = makeNodeRoot({
    "/etc/os-release": "ID=ubuntu\nID_LIKE=debian\n",
    "/etc/ssl/certs/ca-certificates.crt": PEM,
    "/etc/containerd/config.toml":
      'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n',
    [`/etc/containerd/certs.d/${REG}/ca.crt`]: PEM,
    "/etc/docker/daemon.json": `{ "insecure-registries": ["${REG}"] }`,
  });
  try {
    const view = readNodeView(node.fs);
    assert.equal(view.distro.family, "debian");
    assert.equal(view.system.bundle?.path, "/etc/ssl/certs/ca-certificates.crt");
    assert.deepEqual(
      view.runtimes.map((r) => r.name),
      ["containerd", "docker"],
    );
    const containerd = view.trustFor("containerd", REG);
    assert.deepEqual(
      containerd.caFiles.map((s) => s.path),
      [`/etc/containerd/certs.d/${REG}/ca.crt`],
    );
    assert.equal(view.trustFor("docker", REG).insecure?.setting, `insecure-registries "${REG}"`);
    assert.equal(view.trustFor("containerd", REG), containerd, "same registry → cached view");
    // config.toml is parsed once: deleting it does not change later answers for other registries.
    rmSync(join(node.root, "etc/containerd/config.toml"));
    writeFileSync(join(node.root, "etc/docker/daemon.json"), "not json");
    assert.match(view.trustFor("containerd", "other.example.com").summary, /^config_path /);
    assert.equal(view.trustFor("docker", "other.example.com").findings.length, 0);
  } finally {
    node.cleanup();
  }
});

test("asked-for runtimes are answered even without evidence; CRI-disabled containerd is not detected", () => {
  const node = makeNodeRoot({
    "/etc/containerd/config.toml": 'disabled_plugins = ["cri"]\n',
    "/usr/bin/containerd": "",
    "/usr/bin/dockerd": "",
  });
  try {
    assert.deepEqual(
      readNodeView(node.fs).runtimes.map((r) => r.name),
      ["docker"],
    );
    const asked = readNodeView(node.fs, { runtimes: ["k3s", "containerd"] });
    assert.deepEqual(asked.runtimes, [
      { name: "k3s", evidence: [] },
      { name: "containerd", evidence: ["/etc/containerd/config.toml", "/usr/bin/containerd"] },
    ]);
    assert.equal(asked.trustFor("k3s", REG).runtime, "k3s");
  } finally {
    node.cleanup();
  }
});

test("containerd 2.2 from the package database turns on its default config_path", () => {
  const node = makeNodeRoot({
    "/etc/containerd/config.toml":
      'version = 3\n[plugins."io.containerd.cri.v1.images"]\n  snapshotter = "overlayfs"\n',
    [`/etc/containerd/certs.d/${REG}/ca.crt`]: PEM,
    "/var/lib/dpkg/status":
      "Package: bash\nStatus: install ok installed\nVersion: 5.2\n\nPackage: containerd.io\nStatus: install ok installed\nVersion: 2.2.1-1\n",
  });
  try {
    const view = readNodeView(node.fs).trustFor("containerd", REG);
    assert.deepEqual(
      view.caFiles.map((s) => s.path),
      [`/etc/containerd/certs.d/${REG}/ca.crt`],
    );
    assert.deepEqual(view.findings, []);
  } finally {
    node.cleanup();
  }
});

test("package databases", () => {
  assert.equal(
    fromDpkg("Package: containerd\nStatus: install ok installed\nVersion: 1.6.20~ds1-1+b1\n"),
    "1.6.20~ds1-1+b1",
  );
  assert.equal(fromDpkg("Package: containerd\nStatus: deinstall ok config-files\nVersion: 1.6.20\n"), null);
  assert.equal(
    fromDpkg("Package: containerd.io\nStatus: install ok installed\nVersion: 1:2.2.0-1\n"),
    "2.2.0-1",
  );
  assert.equal(fromApk("P:musl\nV:1.2.5-r0\n\nP:containerd\nV:2.0.4-r1\n"), "2.0.4-r1");
  assert.equal(fromApk(null), null);
});
