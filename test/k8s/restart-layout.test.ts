import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { buildManifests } from "../../src/k8s/manifests/manifests.ts";

/**
 * The agent's restart path in the layout the generated DaemonSet gives it,
 * with real namespaces (util-linux unshare, setpriv, nsenter; root needed):
 * - the node: a new PID namespace whose PID 1 is a root shell with every
 *   capability, in its own mount namespace; its containerd config directory
 *   is NODE_DIR, its `systemctl` a stub in NODE_BIN that records the mount
 *   namespace it ran in;
 * - the pod: a child of that PID 1 (hostPID), in a mount namespace of its
 *   own where --root holds NODE_DIR as a bind mount (what a hostPath volume
 *   is) and NODE_BIN is hidden, running with exactly the capabilities the
 *   generated `--mode enforce --restart` DaemonSet adds (setpriv bounding set)
 *   and no_new_privs, as its allowPrivilegeEscalation: false sets.
 * plan/commands.ts must decide to restart, nsenter into PID 1, and the
 * node's systemctl must run in the node's mount namespace. Dropping any one
 * capability the manifests list makes it fail, so the list is exactly what
 * the code path needs (AppArmor and SELinux are not active on this machine:
 * the Unconfined AppArmor profile is argued in pod-privileges.ts, not here).
 */
const REPO = fileURLToPath(new URL("../..", import.meta.url));
const CHILD = fileURLToPath(new URL("./restart-child.ts", import.meta.url));

function generatedRestartSpec(): { caps: string[]; noNewPrivs: boolean } {
  const docs = buildManifests({
    registries: ["repo.example.com:5000"],
    caPem: "",
    mode: "enforce",
    image: "img",
    namespace: "regtrust",
    restart: true,
  });
  const ds = docs.find((d) => d.kind === "DaemonSet") as {
    spec: {
      template: {
        spec: {
          hostPID?: boolean;
          containers: {
            securityContext: { capabilities: { add: string[] }; allowPrivilegeEscalation?: boolean };
          }[];
        };
      };
    };
  };
  assert.equal(ds.spec.template.spec.hostPID, true);
  const sc = ds.spec.template.spec.containers[0]!.securityContext;
  return { caps: sc.capabilities.add, noNewPrivs: sc.allowPrivilegeEscalation === false };
}

let base = "";
before(async () => {
  base = await mkdtemp(join(tmpdir(), "regtrust-restart-"));
});
after(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

interface Run {
  outcome: { status: string; via: string | null; detail: string; ran: string[] | null };
  pid1Mnt: string;
  record: string | null;
}

let runs = 0;
async function runLayout(
  spec: { caps: string[]; noNewPrivs: boolean },
  layout: "hostpath" | "copy",
): Promise<Run> {
  const { caps, noNewPrivs } = spec;
  const t = join(base, String(runs++));
  const nodeDir = join(t, "node-etc-containerd");
  const nodeBin = join(t, "node-bin");
  await mkdir(nodeDir, { recursive: true });
  await mkdir(nodeBin, { recursive: true });
  await writeFile(
    join(nodeDir, "config.toml"),
    'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n',
  );
  const stub = join(nodeBin, "systemctl");
  await writeFile(
    stub,
    `#!/bin/sh\necho "$(readlink /proc/self/ns/mnt) $*" > ${join(nodeDir, "restarted")}\n`,
  );
  await chmod(stub, 0o755);
  const podRoot = join(t, "pod-root");
  const job = JSON.stringify({ root: podRoot, reads: join(nodeDir, "config.toml") });
  const bounding = ["-all", ...caps.map((c) => `+${c.toLowerCase()}`)].join(",");
  // PID 1 (the node) records its mount namespace, then starts the pod in a mount namespace of its own.
  const pod = [
    "set -e",
    `mkdir -p "$POD_ROOT$NODE_DIR"`,
    layout === "hostpath"
      ? `mount --bind "$NODE_DIR" "$POD_ROOT$NODE_DIR"`
      : `cp "$NODE_DIR/config.toml" "$POD_ROOT$NODE_DIR/"`,
    `mount -t tmpfs tmpfs "$NODE_BIN"`,
    `exec setpriv ${noNewPrivs ? "--no-new-privs " : ""}--bounding-set "$BOUNDING" --inh-caps -all -- "$NODE" --import tsx "$CHILD" "$JOB"`,
  ].join("\n");
  const node = `readlink /proc/1/ns/mnt > "$T/pid1-mnt"\nunshare --mount --propagation private sh -c '${pod}'`;
  const env = {
    ...process.env,
    PATH: `${nodeBin}:${process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin"}`,
    T: t,
    NODE_DIR: nodeDir,
    NODE_BIN: nodeBin,
    POD_ROOT: podRoot,
    BOUNDING: bounding,
    NODE: process.execPath,
    CHILD,
    JOB: job,
  };
  const { code, stdout, stderr } = await spawnBounded(
    ["unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "sh", "-c", node],
    env,
    60_000,
  );
  assert.equal(code, 0, stderr);
  const record = await readFile(join(nodeDir, "restarted"), "utf8").catch(() => null);
  return {
    outcome: JSON.parse(stdout.trim()),
    pid1Mnt: (await readFile(join(t, "pid1-mnt"), "utf8")).trim(),
    record,
  };
}

function spawnBounded(
  argv: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// Needs root for the namespaces, like the rest of the suite (npm test installs packages with apt): run as
// anything else, unshare fails and the test says so instead of passing unproven.
describe("restart from the DaemonSet's layout (namespaces)", () => {
  it("with the generated capabilities: nsenter into PID 1, the node's systemctl runs in the node's mount namespace", async () => {
    const spec = generatedRestartSpec();
    assert.equal(spec.noNewPrivs, true, "the manifests set allowPrivilegeEscalation: false");
    const run = await runLayout(spec, "hostpath");
    assert.equal(run.outcome.status, "ok", run.outcome.detail);
    assert.equal(run.outcome.via, "nsenter");
    assert.deepEqual(run.outcome.ran?.slice(1), [
      "-t",
      "1",
      "-m",
      "-u",
      "-i",
      "-n",
      "-p",
      "--",
      "systemctl",
      "restart",
      "containerd",
    ]);
    assert.equal(run.record, `${run.pid1Mnt} restart containerd\n`);
  });

  for (const missing of ["SYS_PTRACE", "SYS_ADMIN", "SYS_CHROOT"]) {
    it(`without ${missing} the restart does not happen, and the outcome says why`, async () => {
      const spec = generatedRestartSpec();
      assert.ok(spec.caps.includes(missing), `the manifests list ${missing}`);
      const run = await runLayout({ ...spec, caps: spec.caps.filter((c) => c !== missing) }, "hostpath");
      assert.equal(run.record, null);
      if (missing === "SYS_PTRACE") {
        assert.equal(run.outcome.status, "not-run");
        assert.match(run.outcome.detail, /cannot look into PID 1's root .*hostPID and CAP_SYS_PTRACE/);
      } else {
        assert.equal(run.outcome.status, "failed");
        assert.match(run.outcome.detail, /nsenter: .*Operation not permitted/);
      }
    });
  }

  it("a copy of the node's files (no hostPath) is not restarted for", async () => {
    const run = await runLayout(generatedRestartSpec(), "copy");
    assert.equal(run.outcome.status, "not-run");
    assert.match(run.outcome.detail, /is not .*node-etc-containerd of the system PID 1 runs/);
    assert.equal(run.record, null);
  });
});
