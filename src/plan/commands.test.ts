import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Exec } from "../core/deps.ts";
import { blockingRefusals, resolveCommand, runPlanCommands, shellLine } from "./commands.ts";
import { refreshCommand, restartCommand } from "./plan.ts";
import { makeRoot, removeRoot, testExec, writeTree } from "./testing/support.ts";

const refresh = refreshCommand(["update-ca-certificates"], "rebuild the OS bundle");
const restart = restartCommand("containerd", "reload roots");
const DEBIAN_LIKE = "#!/bin/sh\n# --certsconf --localcertsdir --etccertsdir --hooksdir\nexit 0\n";
const OTHER_FLAVOUR = "#!/bin/sh\n# a tool of the same name without directory options\nexit 0\n";

const cleanups: string[] = [];
after(async () => {
  for (const dir of cleanups) await rm(dir, { recursive: true, force: true });
});

async function tempDir(spec: Parameters<typeof writeTree>[1]): Promise<string> {
  const dir = await makeRoot(spec);
  cleanups.push(dir);
  return dir;
}

const executable = (content: string) => ({ content, mode: 0o755 });

describe("resolveCommand", () => {
  it("runs as planned for --root /", async () => {
    assert.deepEqual(await resolveCommand(refresh, { root: "/" }), {
      via: "direct",
      argv: ["update-ca-certificates"],
    });
    assert.deepEqual(await resolveCommand(restart, { root: "/", restart: true }), {
      via: "direct",
      argv: ["systemctl", "restart", "containerd"],
    });
  });

  it("uses chroot for a mounted root that has the binary", async () => {
    const root = await tempDir({
      "usr/sbin/update-ca-certificates": executable(DEBIAN_LIKE),
      sbin: { symlink: "usr/sbin" },
    });
    const resolved = await resolveCommand(refresh, { root });
    assert.deepEqual(resolved, { via: "chroot", argv: ["chroot", root, "update-ca-certificates"] });
  });

  it("falls back to the host's Debian tool with directory options inside the tree", async () => {
    const root = await tempDir({ "etc/ssl/certs/.keep": "" });
    const bin = await tempDir({ "update-ca-certificates": executable(DEBIAN_LIKE) });
    const resolved = await resolveCommand(refresh, { root, hostBinDirs: [bin] });
    assert.deepEqual(resolved, {
      via: "host-tool",
      argv: [
        join(bin, "update-ca-certificates"),
        ...["--certsconf", join(root, "etc/ca-certificates.conf")],
        ...["--certsdir", join(root, "usr/share/ca-certificates")],
        ...["--localcertsdir", join(root, "usr/local/share/ca-certificates")],
        ...["--etccertsdir", join(root, "etc/ssl/certs")],
        ...["--hooksdir", join(root, "etc/ca-certificates/update.d")],
      ],
    });
  });

  it("refuses a refresh whose inputs are missing under the root, before choosing how to run it", async () => {
    const inputs = ["/etc/ca-certificates.conf", "/usr/share/ca-certificates", "/etc/ssl/certs"];
    const command = refreshCommand(["update-ca-certificates"], "rebuild", undefined, inputs);
    const root = await tempDir({
      "usr/sbin/update-ca-certificates": executable(DEBIAN_LIKE),
      "etc/ssl/certs/.keep": "",
    });
    const resolved = await resolveCommand(command, { root });
    assert.equal(resolved.via, null);
    assert.ok(resolved.via === null && resolved.blocking);
    assert.match(
      resolved.via === null ? resolved.why : "",
      /needs \/etc\/ca-certificates\.conf, \/usr\/share\/ca-certificates under .* \(not mounted\?\); without them it would rebuild the OS bundle without the public roots/,
    );
    assert.equal((await blockingRefusals([command], { root })).length, 1);
    await writeTree(root, { "etc/ca-certificates.conf": "", "usr/share/ca-certificates/.keep": "" });
    assert.deepEqual(await resolveCommand(command, { root }), {
      via: "chroot",
      argv: ["chroot", root, "update-ca-certificates"],
    });
    assert.deepEqual(await blockingRefusals([command], { root }), []);
  });

  it("never runs this machine's tool on a root with mount points (a pod's view of a node)", async () => {
    const root = await tempDir({ "etc/ssl/certs/.keep": "" });
    const bin = await tempDir({ "update-ca-certificates": executable(DEBIAN_LIKE) });
    const mountinfo = join(bin, "mountinfo");
    const escaped = `${root}/etc/ssl/my\\040certs`;
    await writeFile(
      mountinfo,
      `22 1 0:21 / / rw - ext4 /dev/root rw\n90 22 0:44 /etc/ssl/certs ${escaped} ro - ext4 /dev/sda1 rw\n`,
    );
    const resolved = await resolveCommand(refresh, { root, hostBinDirs: [bin], mountinfo });
    assert.ok(resolved.via === null && resolved.blocking, JSON.stringify(resolved));
    assert.match(resolved.why, new RegExp(`mounted from another system \\(${root}/etc/ssl/my certs\\)`));
    assert.match(resolved.why, /links to paths that exist only here/);
  });

  it("does not use a host tool of the same name that lacks the options", async () => {
    const root = await tempDir({});
    const bin = await tempDir({ "update-ca-certificates": executable(OTHER_FLAVOUR) });
    const resolved = await resolveCommand(refresh, { root, hostBinDirs: [bin] });
    assert.equal(resolved.via, null);
  });

  it("refuses to point the host tool through a symlink out of the tree", async () => {
    const outside = await mkdtemp(join(tmpdir(), "regtrust-outside-"));
    cleanups.push(outside);
    const root = await tempDir({ "etc/ssl/certs": { symlink: outside } });
    const bin = await tempDir({ "update-ca-certificates": executable(DEBIAN_LIKE) });
    await assert.rejects(resolveCommand(refresh, { root, hostBinDirs: [bin] }), /does not exist/);
  });

  /**
   * The restart decision (resolveRestart): nsenter into PID 1 only when PID 1
   * sees the directory of the file the restart loads as the one under --root.
   * A symlink stands in for a hostPath mount here (same inode either way); the
   * real mounts and namespaces are in test/k8s/restart-layout.test.ts.
   */
  describe("restart: runs only where PID 1 would load the change", () => {
    const nsenterArgv = (bin: string) => [
      join(bin, "nsenter"),
      ...["-t", "1", "-m", "-u", "-i", "-n", "-p", "--", "systemctl", "restart", "containerd"],
    ];
    const reads = restartCommand("containerd", "reload roots", "/etc/containerd/config.toml");
    const cases: {
      name: string;
      command?: typeof reads;
      restart?: boolean;
      /** How PID 1's root relates to --root. */
      pid1: "same-root" | "mounts-config-dir" | "copy" | "missing-dir" | "none";
      root?: "/";
      want: RegExp | "nsenter" | "direct";
    }[] = [
      { name: "not asked", restart: false, pid1: "same-root", want: /restart not requested \(--restart\)/ },
      { name: "--root / runs systemctl itself", pid1: "none", root: "/", want: "direct" },
      { name: "a pod that mounts the node's / (k8s node)", pid1: "same-root", want: "nsenter" },
      {
        name: "the DaemonSet's hostPath mount of the config dir",
        pid1: "mounts-config-dir",
        want: "nsenter",
      },
      {
        name: "a copy of the node's files",
        pid1: "copy",
        want: /etc\/containerd is not \/etc\/containerd of the system PID 1 runs .*would not load this change/,
      },
      {
        name: "PID 1 has no such directory",
        pid1: "missing-dir",
        want: /does not exist, so PID 1 does not run from/,
      },
      {
        name: "a command recorded without `reads` compares the roots (old journals)",
        command: restart,
        pid1: "mounts-config-dir",
        want: /is not \/ of the system PID 1 runs/,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const root = await tempDir({ "etc/containerd/config.toml": "version = 2\n" });
        const bin = await tempDir({ nsenter: executable("#!/bin/sh\n") });
        const pid1Root = await pid1RootFor(c.pid1, root);
        const resolved = await resolveCommand(c.command ?? reads, {
          root: c.root ?? root,
          restart: c.restart ?? true,
          hostBinDirs: [bin],
          pid1Root,
        });
        if (c.want === "nsenter") assert.deepEqual(resolved, { via: "nsenter", argv: nsenterArgv(bin) });
        else if (c.want === "direct")
          assert.deepEqual(resolved, { via: "direct", argv: ["systemctl", "restart", "containerd"] });
        else assert.ok(resolved.via === null && c.want.test(resolved.why), JSON.stringify(resolved));
      });
    }

    it("a directory the plan creates is judged by its nearest existing parent", async () => {
      const root = await tempDir({ "etc/containers/policy.json": "{}" });
      const bin = await tempDir({ nsenter: executable("#!/bin/sh\n") });
      const pid1Root = await tempDir({ etc: { dir: 0o755 } });
      execFileSync("ln", ["-s", join(root, "etc/containers"), join(pid1Root, "etc/containers")]);
      const reload = {
        ...reads,
        argv: ["systemctl", "reload", "crio"],
        reads: "/etc/containers/registries.conf.d/x.conf",
      };
      const resolved = await resolveCommand(reload, { root, restart: true, hostBinDirs: [bin], pid1Root });
      assert.equal(resolved.via, "nsenter");
    });

    async function pid1RootFor(kind: (typeof cases)[number]["pid1"], root: string): Promise<string> {
      if (kind === "same-root" || kind === "none") return root;
      const pid1Root = await tempDir({ etc: { dir: 0o755 } });
      if (kind === "mounts-config-dir")
        execFileSync("ln", ["-s", join(root, "etc/containerd"), join(pid1Root, "etc/containerd")]);
      if (kind === "copy") await mkdir(join(pid1Root, "etc/containerd"));
      return pid1Root;
    }
  });
});

describe("runPlanCommands", () => {
  it("reports a failing command with its error output and still runs the next", async () => {
    const calls: string[][] = [];
    const exec: Exec = async (argv) => {
      calls.push([...argv]);
      return { code: calls.length === 1 ? 1 : 0, stdout: "", stderr: "E: something broke\n" };
    };
    const outcomes = await runPlanCommands([refresh, refresh], { root: "/", exec });
    assert.deepEqual(
      outcomes.map((o) => [o.status, o.exitCode, o.detail]),
      [
        ["failed", 1, "E: something broke"],
        ["ok", 0, "E: something broke"],
      ],
    );
  });

  it("returns the line to run by hand when there is no runner or the restart was not requested", async () => {
    const outcomes = await runPlanCommands([refresh, restart], { root: "/" });
    assert.deepEqual(
      outcomes.map((o) => [o.status, o.manual]),
      [
        ["not-run", "update-ca-certificates"],
        ["not-run", "systemctl restart containerd"],
      ],
    );
  });

  it("quotes arguments for the printed line", () => {
    assert.equal(shellLine(["echo", "a b", "it's"]), "echo 'a b' 'it'\\''s'");
  });
});

describe("the real update-ca-certificates on a plain directory tree", () => {
  let root: string;
  let pem: string;
  const hostBundle = "/etc/ssl/certs/ca-certificates.crt";
  const hostHash = async () =>
    createHash("sha256")
      .update(await readFile(hostBundle).catch(() => Buffer.alloc(0)))
      .digest("hex");
  before(async () => {
    root = await makeRoot({
      "etc/ssl/certs/.keep": "",
      "usr/share/ca-certificates/.keep": "",
      "etc/ca-certificates.conf": "",
    });
    const certPath = join(root, "usr/local/share/ca-certificates/regtrust-test.crt");
    await mkdir(join(root, "usr/local/share/ca-certificates"), { recursive: true });
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
        ...["-subj", "/CN=regtrust plan test", "-days", "2", "-keyout", "/dev/null", "-out", certPath],
      ],
      { stdio: "ignore" },
    );
    pem = await readFile(certPath, "utf8");
  });
  after(() => removeRoot(root));

  it("builds the tree's bundle with our anchor and leaves the host's store alone", async () => {
    const hostBefore = await hostHash();
    const [outcome] = await runPlanCommands([refresh], { root, exec: testExec });
    assert.equal(outcome?.status, "ok", outcome?.detail);
    assert.equal(outcome?.via, "host-tool");
    const bundle = await readFile(join(root, "etc/ssl/certs/ca-certificates.crt"), "utf8");
    assert.ok(bundle.includes(pem.trim()), "the anchor is in the tree's bundle");
    assert.equal(await hostHash(), hostBefore);
  });
});
