import assert from "node:assert/strict";
import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { readRegularFile } from "./bounded-read.ts";
import { HostFsError } from "./host-fs.ts";
import { makeNodeRoot } from "./testing/node-root.ts";

// The start-up paths of the OS store read (issue #18): typed directory entries, directory
// lookups remembered for one pass only, and reads sized by st_size.
const node = makeNodeRoot({
  "/etc/ssl/certs/ca-certificates.crt": "bundle",
  "/etc/ssl/certs/1234abcd.0": { symlink: "root.pem" },
  "/etc/ssl/certs/root.pem": { symlink: "/usr/share/ca-certificates/mozilla/root.crt" },
  "/etc/ssl/certs/sub/x.pem": "in a subdirectory",
  "/usr/share/ca-certificates/mozilla/root.crt": "mozilla root",
  "/usr/share/other/root.crt": "other root",
});
const scratch = mkdtempSync(join(tmpdir(), "regtrust-read-"));
after(() => {
  node.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

test("readDirEntries types each entry without following it, sorted bytewise; missing is null", () => {
  assert.deepEqual(node.fs.readDirEntries("/etc/ssl/certs"), [
    { name: "1234abcd.0", kind: "symlink" },
    { name: "ca-certificates.crt", kind: "file" },
    { name: "root.pem", kind: "symlink" },
    { name: "sub", kind: "dir" },
  ]);
  assert.equal(node.fs.readDirEntries("/etc/ssl/none"), null);
});

test("withDirectoryMemo reads the same bytes, and its memo ends with the pass", () => {
  const read = () => node.fs.readText("/etc/ssl/certs/root.pem");
  assert.equal(
    node.fs.withDirectoryMemo(() => [read(), read()].join("|")),
    "mozilla root|mozilla root",
  );
  // A directory swapped for a symlink after the pass is followed on the next read: nothing
  // remembered that /usr/share/ca-certificates/mozilla was a directory.
  const mozilla = join(node.fs.root, "usr/share/ca-certificates/mozilla");
  renameSync(mozilla, `${mozilla}.old`);
  symlinkSync("/usr/share/other", mozilla);
  try {
    assert.equal(node.fs.withDirectoryMemo(read), "other root");
    assert.equal(read(), "other root");
  } finally {
    rmSync(mozilla);
    renameSync(`${mozilla}.old`, mozilla);
  }
  assert.equal(read(), "mozilla root");
});

test("withDirectoryMemo still refuses a symlink that leaves the root", () => {
  const link = join(node.fs.root, "etc/ssl/certs/escape.pem");
  symlinkSync("../../../../../../../../../etc/passwd", link);
  try {
    assert.throws(
      () => node.fs.withDirectoryMemo(() => node.fs.readFile("/etc/ssl/certs/escape.pem")),
      (e) => e instanceof HostFsError && e.reason === "escape",
    );
  } finally {
    rmSync(link);
  }
});

test("readRegularFile returns every byte whatever the size, st_size 0 (procfs) included", () => {
  for (const size of [0, 1, 255, 4095, 4096, 8193, 65536, 65537, 200_000]) {
    const path = join(scratch, `f${size}`);
    const bytes = Buffer.alloc(size, size % 251);
    writeFileSync(path, bytes);
    assert.deepEqual(readRegularFile(path), bytes, `${size} bytes`);
  }
  assert.match(readRegularFile("/proc/self/status").toString("latin1"), /^Name:/);
  writeFileSync(join(scratch, "big"), Buffer.alloc(1000));
  assert.throws(() => readRegularFile(join(scratch, "big"), { maxBytes: 999 }), /larger than 999 bytes/);
  assert.equal(readRegularFile(join(scratch, "big"), { maxBytes: 1000 }).length, 1000);
});

test("a symlink retargeted after a pass is read through its new target", () => {
  const link = join(node.fs.root, "etc/ssl/certs/root.pem");
  const read = () => node.fs.withDirectoryMemo(() => node.fs.readText("/etc/ssl/certs/root.pem"));
  assert.equal(read(), "mozilla root");
  rmSync(link);
  symlinkSync("/usr/share/other/root.crt", link);
  try {
    assert.equal(read(), "other root");
    assert.equal(node.fs.readLink("/etc/ssl/certs/root.pem"), "/usr/share/other/root.crt");
  } finally {
    rmSync(link);
    symlinkSync("/usr/share/ca-certificates/mozilla/root.crt", link);
  }
});
