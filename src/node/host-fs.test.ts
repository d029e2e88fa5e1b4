import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { HostFs, HostFsError } from "./host-fs.ts";
import { makeNodeRoot } from "./testing/node-root.ts";

// A file outside the node root that escaping symlinks would reach.
const outside = mkdtempSync(join(tmpdir(), "regtrust-outside-"));
writeFileSync(join(outside, "secret"), "outside the root");

const node = makeNodeRoot({
  "/etc/os-release": "ID=debian\n",
  "/etc/ssl/certs/ca-certificates.crt": "bundle",
  "/etc/ssl/certs/b.pem": "b",
  "/etc/ssl/certs/a.pem": "a",
  "/etc/ssl/certs/1234abcd.0": { symlink: "a.pem" },
  "/usr/share/ca-certificates/mozilla/root.crt": "mozilla root",
  "/etc/ssl/certs/root.pem": { symlink: "/usr/share/ca-certificates/mozilla/root.crt" },
  "/etc/alt/link-to-dir": { symlink: "../ssl/certs" },
  "/etc/escape-relative": { symlink: "../../../../../../../../.." },
  "/etc/escape-file": { symlink: `../..${outside}/secret` },
  "/etc/loop-a": { symlink: "loop-b" },
  "/etc/loop-b": { symlink: "loop-a" },
  "/var/empty": { dir: true },
});
after(() => {
  node.cleanup();
  rmSync(outside, { recursive: true, force: true });
});

describe("HostFs reads node-absolute paths under the root", () => {
  const cases: { name: string; path: string; want: string | null }[] = [
    { name: "plain file", path: "/etc/os-release", want: "ID=debian\n" },
    { name: "missing file", path: "/etc/nope", want: null },
    { name: "missing parent", path: "/nope/at/all", want: null },
    { name: "a file used as a directory is missing (ENOTDIR)", path: "/etc/os-release/x", want: null },
    { name: "same-dir relative symlink", path: "/etc/ssl/certs/1234abcd.0", want: "a" },
    { name: "absolute symlink is re-rooted", path: "/etc/ssl/certs/root.pem", want: "mozilla root" },
    { name: "relative symlink to a directory", path: "/etc/alt/link-to-dir/b.pem", want: "b" },
    { name: "dot-dot inside the root", path: "/etc/ssl/../os-release", want: "ID=debian\n" },
  ];
  for (const c of cases) {
    test(`${c.name}: ${c.path}`, () => {
      assert.equal(node.fs.readText(c.path), c.want);
    });
  }
});

describe("HostFs refuses what it must not read", () => {
  const cases: { name: string; run: () => unknown; reason: HostFsError["reason"]; message: RegExp }[] = [
    {
      name: "relative symlink climbing out of the root",
      run: () => node.fs.readFile("/etc/escape-relative/etc/passwd"),
      reason: "escape",
      message: /\/etc\/escape-relative.*outside the node root/,
    },
    {
      name: "symlink to a host file outside the root",
      run: () => node.fs.readFile("/etc/escape-file"),
      reason: "escape",
      message: /^\/etc\/escape-file: symlink/,
    },
    {
      name: "path climbing above /",
      run: () => node.fs.readFile("/../etc/os-release"),
      reason: "escape",
      message: /above/,
    },
    {
      name: "directory read as a file",
      run: () => node.fs.readFile("/etc/ssl"),
      reason: "is-directory",
      message: /^\/etc\/ssl:/,
    },
    {
      name: "file listed as a directory",
      run: () => node.fs.readDir("/etc/os-release"),
      reason: "not-directory",
      message: /^\/etc\/os-release: is not a directory/,
    },
    {
      name: "symlink loop",
      run: () => node.fs.readFile("/etc/loop-a"),
      reason: "loop",
      message: /symbolic links/,
    },
    {
      name: "relative node path",
      run: () => node.fs.readFile("etc/os-release"),
      reason: "relative",
      message: /node-absolute/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.throws(c.run, (error: unknown) => {
        assert.ok(error instanceof HostFsError, String(error));
        assert.equal(error.reason, c.reason);
        assert.match(error.message, c.message);
        return true;
      });
    });
  }
});

test("an absolute symlink to a host path is re-rooted, never followed to the host", () => {
  const root = mkdtempSync(join(tmpdir(), "regtrust-node-"));
  try {
    mkdirSync(join(root, "etc"));
    symlinkSync(join(outside, "secret"), join(root, "etc", "abs"));
    const fs = new HostFs(root);
    assert.equal(
      fs.readFile("/etc/abs"),
      null,
      "the target is looked up under the root, where it does not exist",
    );
    assert.equal(fs.resolve("/etc/abs"), join(fs.root, outside, "secret"));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a FIFO is refused instead of blocking the read", () => {
  const root = mkdtempSync(join(tmpdir(), "regtrust-node-"));
  try {
    mkdirSync(join(root, "etc"));
    execFileSync("mkfifo", [join(root, "etc", "fifo.crt")]);
    const fs = new HostFs(root);
    assert.throws(() => fs.readFile("/etc/fifo.crt"), /not a regular file/);
    assert.equal(fs.stat("/etc/fifo.crt")?.kind, "other");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("readDir lists sorted names; missing dir is null", () => {
  assert.deepEqual(node.fs.readDir("/etc/ssl/certs"), [
    "1234abcd.0",
    "a.pem",
    "b.pem",
    "ca-certificates.crt",
    "root.pem",
  ]);
  assert.deepEqual(node.fs.readDir("/var/empty"), []);
  assert.equal(node.fs.readDir("/var/nothing"), null);
});

test("stat follows in-root symlinks and reports kind, size and mode", () => {
  const st = node.fs.stat("/etc/ssl/certs/root.pem");
  assert.equal(st?.kind, "file");
  assert.equal(st?.size, "mozilla root".length);
  assert.equal(node.fs.stat("/etc/alt/link-to-dir")?.kind, "dir");
  assert.equal(node.fs.stat("/etc/missing"), null);
  assert.equal(node.fs.exists("/etc/os-release"), true);
  assert.equal(node.fs.exists("/etc/missing"), false);
});

test("readLink returns the stored target only for symlinks", () => {
  assert.equal(node.fs.readLink("/etc/ssl/certs/1234abcd.0"), "a.pem");
  assert.equal(node.fs.readLink("/etc/ssl/certs/a.pem"), null);
  assert.equal(node.fs.readLink("/etc/ssl/certs/missing"), null);
});

test("resolve maps a node path to the host path under the root", () => {
  assert.equal(node.fs.resolve("/etc/os-release"), join(node.fs.root, "etc/os-release"));
  assert.equal(node.fs.resolve("/etc/alt/link-to-dir/a.pem"), join(node.fs.root, "etc/ssl/certs/a.pem"));
  assert.equal(node.fs.resolve("/etc/none/x"), join(node.fs.root, "etc/none/x"));
});
