import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { InputError } from "../core/errors.ts";
import { checkNodePath, resolveUnderRoot } from "./safe-path.ts";
import { makeRoot, removeRoot } from "./testing/support.ts";

describe("checkNodePath", () => {
  const refused: [string, string, RegExp][] = [
    ["relative", "etc/x", /not an absolute node path/],
    ["dot-dot", "/etc/../shadow", /"\.\." segment/],
    ["trailing dot-dot", "/etc/containerd/certs.d/..", /"\.\." segment/],
    ["dot", "/etc/./x", /"\." segment/],
    ["NUL", "/etc/x\0y", /NUL byte/],
    ["over-long name", `/etc/${"a".repeat(256)}`, /longer than 255 bytes/],
    ["over-long path", `/${"a/".repeat(2100)}`, /longer than 4096/],
  ];
  for (const [name, path, message] of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => checkNodePath(path),
        (e: unknown) => e instanceof InputError && message.test(e.message),
      );
    });
  }
  it("splits a good path and ignores doubled slashes", () => {
    assert.deepEqual(checkNodePath("/etc//containerd/certs.d/repo.example.com:11000/"), [
      "etc",
      "containerd",
      "certs.d",
      "repo.example.com:11000",
    ]);
  });
});

describe("resolveUnderRoot", () => {
  let root: string;
  let outside: string;
  before(async () => {
    outside = await mkdtemp(join(tmpdir(), "regtrust-outside-"));
    root = await makeRoot({
      "etc/ssl/certs/ca.pem": "x",
      "etc/docker/certs.d": { symlink: outside },
      "etc/escape": { symlink: "../../../../../../../../tmp" },
      "etc/link-to-shadow": { symlink: "/etc/shadow" },
      "srv/real/.keep": "",
      "etc/alt": { symlink: "/srv/real" },
      "etc/rel": { symlink: "../srv/real" },
      "etc/loop": { symlink: "/etc/loop" },
      "etc/file": "plain",
    });
  });
  after(async () => {
    await removeRoot(root);
    await rm(outside, { recursive: true, force: true });
  });

  it("resolves an existing file and reports no missing dirs", async () => {
    const r = await resolveUnderRoot(root, "/etc/ssl/certs/ca.pem");
    assert.equal(r.nodePath, "/etc/ssl/certs/ca.pem");
    assert.equal(r.hostPath, join(root, "etc/ssl/certs/ca.pem"));
    assert.ok(r.stat?.isFile());
  });

  it("lists the missing parent directories outermost first", async () => {
    const r = await resolveUnderRoot(root, "/etc/containerd/certs.d/repo:5000/hosts.toml");
    assert.equal(r.stat, null);
    assert.deepEqual(r.missingDirs, [
      "/etc/containerd",
      "/etc/containerd/certs.d",
      "/etc/containerd/certs.d/repo:5000",
    ]);
  });

  it("re-roots an absolute symlink of a parent directory, as chroot would", async () => {
    const r = await resolveUnderRoot(root, "/etc/alt/ca.crt");
    assert.equal(r.nodePath, "/srv/real/ca.crt");
    assert.equal(r.hostPath, join(root, "srv/real/ca.crt"));
  });

  it("follows a relative symlink that stays inside the root", async () => {
    const r = await resolveUnderRoot(root, "/etc/rel/ca.crt");
    assert.equal(r.nodePath, "/srv/real/ca.crt");
  });

  const refusals: [string, string, RegExp][] = [
    ["a symlink at the write location (pointing outside the root)", "/etc/link-to-shadow", /is a symlink/],
    [
      "a parent directory symlinked to a host directory outside the root",
      "/etc/docker/certs.d/repo:5000/ca.crt",
      /does not exist/,
    ],
    [
      "a parent symlink whose relative target climbs out of the root",
      "/etc/escape/x",
      /climbs above the root/,
    ],
    ["a symlink loop", "/etc/loop/x", /too many levels/],
    ["a file used as a directory", "/etc/file/x", /not a directory/],
  ];
  for (const [name, path, message] of refusals) {
    it(`refuses ${name}, naming the path`, async () => {
      await assert.rejects(
        resolveUnderRoot(root, path),
        (e: unknown) => e instanceof InputError && message.test(e.message) && e.message.includes(path),
      );
    });
  }

  it("follows a final symlink to a directory only when asked", async () => {
    const r = await resolveUnderRoot(root, "/etc/alt", "follow");
    assert.equal(r.nodePath, "/srv/real");
    assert.ok(r.stat?.isDirectory());
  });
});
