import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { makeNodeRoot, type NodeEntry } from "../testing/node-root.ts";
import { readDaemonFlags } from "./daemon-flags.ts";
import { dockerTrustFor } from "./docker.ts";

const REG = "repo.example.com:5000";
const DPKG_DOCKER_20_10 =
  "Package: docker.io\nStatus: install ok installed\nVersion: 20.10.24+dfsg1-1+deb12u1+b6\n\n";
const DEBIAN_UNIT =
  "[Service]\nEnvironmentFile=-/etc/default/docker\nExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS\n";

function withNode<T>(
  files: Record<string, NodeEntry>,
  body: (fs: ReturnType<typeof makeNodeRoot>["fs"]) => T,
): T {
  const node = makeNodeRoot(files);
  try {
    return body(node.fs);
  } finally {
    node.cleanup();
  }
}

describe("readDaemonFlags: registry flags of docker.service", () => {
  const cases: { name: string; files: Record<string, NodeEntry>; insecure: string[]; mirrors: string[] }[] = [
    { name: "no unit", files: {}, insecure: [], mirrors: [] },
    {
      name: "Debian's unit with DOCKER_OPTS in /etc/default/docker",
      files: {
        "/lib/systemd/system/docker.service": DEBIAN_UNIT,
        "/etc/default/docker":
          'DOCKER_OPTS="--insecure-registry 10.0.0.0/8 --registry-mirror=https://m.example.com"\n',
      },
      insecure: ["10.0.0.0/8"],
      mirrors: ["https://m.example.com"],
    },
    {
      name: "a drop-in resets ExecStart and adds flags; backslash continuations",
      files: {
        "/lib/systemd/system/docker.service":
          "[Service]\nExecStart=/usr/bin/dockerd --insecure-registry=old:5000\n",
        "/etc/systemd/system/docker.service.d/10-reg.conf":
          "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd \\\n  --insecure-registry=repo.example.com:5000 \\\n  --insecure-registry http://10.1.0.0/16\n",
      },
      insecure: ["repo.example.com:5000", "http://10.1.0.0/16"],
      mirrors: [],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const flags = withNode(c.files, (fs) => readDaemonFlags(fs));
      assert.deepEqual(
        flags.insecureRegistries.map((e) => e.raw),
        c.insecure,
      );
      assert.deepEqual(flags.registryMirrors, c.mirrors);
    });
  }
});

describe("dockerTrustFor: rules checked against moby 20.10.24 (test/oracle/moby-registry.test.ts)", () => {
  test("a registry name that resolves into 127.0.0.0/8 is insecure by default: TLS skipped, then plain HTTP", () => {
    const view = withNode({ "/var/lib/dpkg/status": DPKG_DOCKER_20_10 }, (fs) =>
      dockerTrustFor(fs, REG, { addresses: ["127.0.0.1"] }),
    );
    assert.equal(view.insecure?.setting, "dockerd's built-in insecure range 127.0.0.0/8");
    assert.deepEqual(
      view.resolved?.endpoints.map((e) => [e.scheme, e.host, e.skipVerify]),
      [
        ["https", REG, true],
        ["http", REG, true],
      ],
    );
    assert.equal(view.resolved?.rules.rules, "docker 20.10");
  });

  test("20.10 does not treat ::1 as insecure; newer rules (assumed when the version is unknown) do", () => {
    const old = withNode({ "/var/lib/dpkg/status": DPKG_DOCKER_20_10 }, (fs) =>
      dockerTrustFor(fs, REG, { addresses: ["::1"] }),
    );
    assert.equal(old.insecure, null);
    const unknown = withNode({}, (fs) => dockerTrustFor(fs, REG, { addresses: ["::1"] }));
    assert.equal(unknown.insecure?.setting, "dockerd's built-in insecure range ::1/128");
    assert.equal(unknown.resolved?.rules.assumed, true);
  });

  test("--insecure-registry in the unit counts, and names the unit", () => {
    const view = withNode(
      {
        "/lib/systemd/system/docker.service": DEBIAN_UNIT,
        "/etc/default/docker": `DOCKER_OPTS="--insecure-registry ${REG}"\n`,
      },
      (fs) => dockerTrustFor(fs, REG),
    );
    assert.equal(view.insecure?.setting, `--insecure-registry ${REG} (docker.service)`);
    assert.equal(view.insecure?.file, "/lib/systemd/system/docker.service");
  });

  test("insecure-registries both as a flag and in daemon.json: dockerd refuses to start", () => {
    const view = withNode(
      {
        "/lib/systemd/system/docker.service": DEBIAN_UNIT,
        "/etc/default/docker": 'DOCKER_OPTS="--insecure-registry 10.0.0.0/8"\n',
        "/etc/docker/daemon.json": '{"insecure-registries": ["10.1.0.0/16"]}\n',
      },
      (fs) => dockerTrustFor(fs, REG),
    );
    assert.ok(view.findings.some((f) => f.code === "config-invalid" && /refuses to start/.test(f.message)));
    assert.match(view.resolved?.error ?? "", /specified both as a flag and in the configuration file/);
  });

  test("Docker Hub mirrors come first, each with its own TLS; registry-1.docker.io last", () => {
    const view = withNode(
      { "/etc/docker/daemon.json": '{"registry-mirrors": ["https://m.example.com"]}\n' },
      (fs) => dockerTrustFor(fs, "docker.io"),
    );
    assert.deepEqual(view.mirrors, ["https://m.example.com"]);
    assert.deepEqual(
      view.resolved?.endpoints.map((e) => [e.origin, e.host]),
      [
        ["mirror", "m.example.com"],
        ["default", "registry-1.docker.io"],
      ],
    );
  });
});
