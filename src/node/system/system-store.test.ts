import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { distroFromOsRelease } from "../distro.ts";
import { makeNodeRoot, type NodeEntry } from "../testing/node-root.ts";
import { readSystemStore } from "./system-store.ts";

describe("os-release → distro family", () => {
  const cases: { text: string; id: string; family: string; pretty: string | null }[] = [
    {
      text: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n',
      id: "debian",
      family: "debian",
      pretty: "Debian GNU/Linux 12 (bookworm)",
    },
    {
      text: 'ID=ubuntu\nID_LIKE=debian\nPRETTY_NAME="Ubuntu 24.04 LTS"',
      id: "ubuntu",
      family: "debian",
      pretty: "Ubuntu 24.04 LTS",
    },
    { text: 'ID="rhel"\nID_LIKE="fedora"\n', id: "rhel", family: "rhel", pretty: null },
    { text: 'ID="rocky"\nID_LIKE="rhel centos fedora"\n', id: "rocky", family: "rhel", pretty: null },
    { text: 'ID="almalinux"\n', id: "almalinux", family: "rhel", pretty: null },
    { text: 'ID="amzn"\nID_LIKE="fedora"\n', id: "amzn", family: "rhel", pretty: null },
    { text: 'ID="sles"\nID_LIKE="suse"\n', id: "sles", family: "suse", pretty: null },
    {
      text: 'ID="opensuse-leap"\nID_LIKE="suse opensuse"\n',
      id: "opensuse-leap",
      family: "suse",
      pretty: null,
    },
    { text: "ID=alpine\n", id: "alpine", family: "alpine", pretty: null },
    { text: "ID=arch\n", id: "arch", family: "arch", pretty: null },
    { text: "# comment\nID=someos\nID_LIKE='ubuntu debian'\n", id: "someos", family: "debian", pretty: null },
    { text: "ID=flatcar\n", id: "flatcar", family: "unknown", pretty: null },
    { text: "", id: "unknown", family: "unknown", pretty: null },
  ];
  for (const c of cases) {
    test(`${JSON.stringify(c.text.slice(0, 40))} → ${c.family}`, () => {
      assert.deepEqual(distroFromOsRelease(c.text), { id: c.id, family: c.family, prettyName: c.pretty });
    });
  }
});

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

describe("readSystemStore loads what Go's SystemCertPool loads", () => {
  const cases: {
    name: string;
    files: Record<string, NodeEntry>;
    bundle: string | null;
    dirFiles: string[];
    anchorDir: string | null;
    refresh: string[] | null;
  }[] = [
    {
      name: "Debian: generated bundle, .pem links read, hash links skipped",
      files: {
        "/etc/os-release": "ID=debian\n",
        "/etc/ssl/certs/ca-certificates.crt": PEM,
        "/usr/share/ca-certificates/mozilla/A.crt": PEM,
        "/etc/ssl/certs/A.pem": { symlink: "/usr/share/ca-certificates/mozilla/A.crt" },
        "/etc/ssl/certs/3513523f.0": { symlink: "A.pem" },
        "/etc/ssl/certs/java": { dir: true },
        // Go would read this too (present in the directory), even though update-ca-certificates does not.
        "/etc/ssl/certs/dropped-in.pem": PEM,
      },
      bundle: "/etc/ssl/certs/ca-certificates.crt",
      dirFiles: [
        "/etc/ssl/certs/A.pem",
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/ssl/certs/dropped-in.pem",
      ],
      anchorDir: "/usr/local/share/ca-certificates",
      refresh: ["update-ca-certificates"],
    },
    {
      name: "RHEL 9: ca-bundle.crt link wins over the extracted file",
      files: {
        "/etc/os-release": 'ID="rhel"\nID_LIKE="fedora"\n',
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem": PEM,
        "/etc/pki/tls/certs/ca-bundle.crt": { symlink: "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem" },
        "/etc/pki/ca-trust/source/anchors": { dir: true },
      },
      bundle: "/etc/pki/tls/certs/ca-bundle.crt",
      dirFiles: ["/etc/pki/tls/certs/ca-bundle.crt"],
      anchorDir: "/etc/pki/ca-trust/source/anchors",
      refresh: ["update-ca-trust", "extract"],
    },
    {
      name: "RHEL with only the extracted bundle",
      files: { "/etc/os-release": "ID=fedora\n", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem": PEM },
      bundle: "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
      dirFiles: [],
      anchorDir: "/etc/pki/ca-trust/source/anchors",
      refresh: ["update-ca-trust", "extract"],
    },
    {
      name: "Alpine without the generated bundle falls back to /etc/ssl/cert.pem",
      files: { "/etc/os-release": "ID=alpine\n", "/etc/ssl/cert.pem": PEM },
      bundle: "/etc/ssl/cert.pem",
      dirFiles: [],
      anchorDir: "/usr/local/share/ca-certificates",
      refresh: ["update-ca-certificates"],
    },
    {
      name: "SUSE: /etc/ssl/ca-bundle.pem",
      files: { "/etc/os-release": 'ID="sles"\n', "/etc/ssl/ca-bundle.pem": PEM },
      bundle: "/etc/ssl/ca-bundle.pem",
      dirFiles: [],
      anchorDir: "/etc/pki/trust/anchors",
      refresh: ["update-ca-certificates"],
    },
    {
      name: "Arch",
      files: { "/etc/os-release": "ID=arch\n", "/etc/ssl/certs/ca-certificates.crt": PEM },
      bundle: "/etc/ssl/certs/ca-certificates.crt",
      dirFiles: ["/etc/ssl/certs/ca-certificates.crt"],
      anchorDir: "/etc/ca-certificates/trust-source/anchors",
      refresh: ["trust", "extract-compat"],
    },
    {
      name: "unknown distro: anchor dir found by probing",
      files: { "/usr/local/share/ca-certificates": { dir: true } },
      bundle: null,
      dirFiles: [],
      anchorDir: "/usr/local/share/ca-certificates",
      refresh: ["update-ca-certificates"],
    },
    {
      name: "nothing at all",
      files: {},
      bundle: null,
      dirFiles: [],
      anchorDir: null,
      refresh: null,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const node = makeNodeRoot(c.files);
      try {
        const store = readSystemStore(node.fs);
        assert.equal(store.bundle?.path ?? null, c.bundle);
        assert.deepEqual(
          store.dirFiles.map((f) => f.path),
          c.dirFiles,
        );
        assert.equal(store.anchorDir, c.anchorDir);
        assert.deepEqual(store.refreshCommand, c.refresh);
        if (store.bundle) assert.equal(Buffer.from(store.bundle.bytes ?? []).toString(), PEM);
      } finally {
        node.cleanup();
      }
    });
  }
});

test("SSL_CERT_FILE and SSL_CERT_DIR replace Go's lists", () => {
  const node = makeNodeRoot({
    "/etc/ssl/certs/ca-certificates.crt": PEM,
    "/opt/ca/bundle.pem": PEM,
    "/opt/ca/dir/x.pem": PEM,
  });
  try {
    const store = readSystemStore(node.fs, {
      sslCertFile: "/opt/ca/bundle.pem",
      sslCertDirs: ["/opt/ca/dir"],
    });
    assert.equal(store.bundle?.path, "/opt/ca/bundle.pem");
    assert.deepEqual(
      store.dirFiles.map((f) => f.path),
      ["/opt/ca/dir/x.pem"],
    );
  } finally {
    node.cleanup();
  }
});

test("a bundle symlinked out of the root is skipped and the next file is used", () => {
  const node = makeNodeRoot({
    "/etc/ssl/certs/ca-certificates.crt": { symlink: "../../../../../../../../../etc/passwd" },
    "/etc/ssl/cert.pem": PEM,
  });
  try {
    const store = readSystemStore(node.fs);
    assert.equal(store.bundle?.path, "/etc/ssl/cert.pem");
    const escaped = store.dirFiles.find((f) => f.path === "/etc/ssl/certs/ca-certificates.crt");
    assert.equal(escaped?.bytes, null);
    assert.match(escaped?.readError ?? "", /outside the node root/);
  } finally {
    node.cleanup();
  }
});
