/**
 * Issue #10 (7): a full disk (64 KiB tmpfs, filled) and a read-only bind
 * mount under /etc/containerd while `insecure` applies: a clean error (exit
 * code not 0/3, message naming a path under the root's /etc/containerd) and
 * the original files byte-identical. Needs root for mount(8); the test fails
 * loudly (not skips) when it cannot mount, so the gap is visible.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { promisify } from "node:util";
import { runCli } from "../integration/cli.ts";
import { TempDirs } from "../support/tmp.ts";
import { buildDebianNode, treeChecksum } from "../trust/node.ts";

const sh = promisify(execFile);
const CONFIG =
  'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n';
const dirs = new TempDirs();
const mounts: string[] = [];
after(async () => {
  for (const m of mounts.reverse()) await sh("umount", ["-l", m]).catch(() => {});
  await dirs.cleanup();
});

async function withMount(kind: "full" | "readonly") {
  const node = await buildDebianNode(dirs, {});
  const dir = join(node, "etc/containerd");
  await sh("mkdir", ["-p", dir]);
  if (kind === "full") {
    await sh("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]);
    mounts.push(dir);
    await writeFile(join(dir, "config.toml"), CONFIG);
    // Fill the rest: dd stops with ENOSPC, which is the point.
    await sh("dd", ["if=/dev/zero", `of=${join(dir, "filler")}`, "bs=4k"]).catch(() => {});
  } else {
    await writeFile(join(dir, "config.toml"), CONFIG);
    await sh("mount", ["--bind", dir, dir]);
    mounts.push(dir);
    await sh("mount", ["-o", "remount,ro,bind", dir]);
  }
  return node;
}

describe("apply on a full or read-only filesystem", () => {
  for (const kind of ["full", "readonly"] as const) {
    it(`${kind}: clean error naming the path, originals intact`, async () => {
      const node = await withMount(kind);
      const before = await treeChecksum(node);
      const run = await runCli(["insecure", "repo.example.com:5000", "--ttl", "1h", "--root", node]);
      assert.ok(run.code !== 0 && run.code !== 3, `exit ${run.code}\n${run.stdout}\n${run.stderr}`);
      assert.match(run.stderr + run.stdout, /etc\/containerd/, "the message names the path");
      assert.doesNotMatch(run.stderr, /internal error|\n\s+at /);
      assert.deepEqual(await treeChecksum(node), before, "originals changed");
      const why =
        (run.stdout + run.stderr).split("\n").find((l) => /space|read-only|ENOSPC|EROFS|failed/i.test(l)) ??
        "";
      assert.ok(why, `no line says why:\n${run.stdout}\n${run.stderr}`);
      console.log(`# ${kind}: exit ${run.code}: ${why.trim()}`);
    });
  }
});
