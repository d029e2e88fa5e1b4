/**
 * Real-daemon oracle: Debian's dockerd 20.10 pulls from private-CA registries
 * through /etc/docker/certs.d, and regtrust's Docker view must say the same.
 * dockerd runs with its state in a temp dir (--data-root, --exec-root, its own
 * socket and pidfile, vfs, no iptables, no bridge) inside a private mount
 * namespace where a temp tree is bind-mounted on /etc/docker and a temp hosts
 * file on /etc/hosts: the machine's files and any system daemon are untouched.
 */
import assert from "node:assert/strict";
import { cp, mkdir, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { absentDaemonJson } from "../../src/node/docker/daemon-json.ts";
import { dockerTrustFor } from "../../src/node/docker/docker.ts";
import { HostFs } from "../../src/node/host-fs.ts";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { context, diagnoseJson } from "../integration/cli.ts";
import { buildNodeRoot, debianBase } from "../integration/node-root.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { pushTestImage } from "../support/oci-image.ts";
import { type Service, startService } from "../support/processes.ts";
import { type RunningRegistry, startRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/tmp.ts";
import { waitFor } from "../support/wait.ts";

const LOOP_HOST = "repo.example.com"; // 127.0.0.1 in /etc/hosts (etc-hosts.ts) and in dockerd's namespace
const V6_HOST = "v6.regtrust-test.example"; // ::1, only inside dockerd's namespace
const DPKG_DOCKER_20_10 =
  "Package: docker.io\nStatus: install ok installed\nVersion: 20.10.24+dfsg1-1+deb12u1+b6\n\n";
const dirs = new TempDirs();
let pki: Awaited<ReturnType<typeof createPrivatePki>>;
let loopReg: RunningRegistry;
let v6Reg: RunningRegistry;
let dockerd: Service;
let state: string;
let etcDocker: string;

/** The registry's filesystem storage root (registry-config.ts). */
function storageOf(reg: RunningRegistry): string {
  return join(reg.dataDir, "storage");
}

async function api(method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: join(state, "docker.sock"), method, path, timeout: 60_000 }, (res) => {
      let body = "";
      res.on("data", (b: Buffer) => {
        body += b.toString("utf8");
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/** POST /images/create: the pull's result, "ok" or dockerd's error text. */
async function pull(image: string, tag: string): Promise<string> {
  const { status, body } = await api(
    "POST",
    `/v1.41/images/create?fromImage=${encodeURIComponent(image)}&tag=${tag}`,
  );
  if (status !== 200) return JSON.parse(body).message as string;
  const error = body
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as { error?: string })
    .find((m) => m.error);
  return error?.error ?? "ok";
}

before(async () => {
  await ensureTestHosts();
  pki = await createPrivatePki({ hostnames: [LOOP_HOST, V6_HOST] });
  const tls = { certPem: `${pki.leaf.certPem}\n${pki.intermediate.certPem}\n`, keyPem: pki.leaf.keyPem };
  loopReg = await startRegistry({ tls });
  await pushTestImage({
    registry: `127.0.0.1:${loopReg.port}`,
    repository: "test/app",
    tag: "1",
    tlsVerify: false,
  });
  // skopeo takes no "[::1]:port" reference: the ::1 registry serves a copy of the first one's storage.
  v6Reg = await startRegistry({ tls, host: "::1" });
  await cp(storageOf(loopReg), storageOf(v6Reg), { recursive: true });
  state = await dirs.make("dockerd");
  etcDocker = join(state, "etc-docker");
  await mkdir(join(etcDocker, "certs.d"), { recursive: true });
  await writeFile(join(state, "daemon.json"), "{}\n");
  await writeFile(join(state, "hosts"), `127.0.0.1 localhost\n127.0.0.1 ${LOOP_HOST}\n::1 ${V6_HOST}\n`);
  const script =
    'mount --bind "$1/etc-docker" /etc/docker && mount --bind "$1/hosts" /etc/hosts && exec dockerd --config-file "$1/daemon.json" --storage-driver vfs --iptables=false --ip6tables=false --bridge=none --data-root "$1/data" --exec-root "$1/exec" -H "unix://$1/docker.sock" --pidfile "$1/docker.pid"';
  await mkdir("/etc/docker", { recursive: true });
  dockerd = startService(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", state], {});
  await waitFor(
    async () => ((await api("GET", "/_ping").catch(() => null))?.status === 200 ? true : undefined),
    {
      timeoutMs: 60_000,
      what: `dockerd to answer (log:\n${dockerd.logs()})`,
    } as never,
  );
});

after(async () => {
  await dockerd?.stop(20_000);
  await loopReg?.stop();
  await v6Reg?.stop();
  await rm(join(state ?? "/nonexistent", "data"), { recursive: true, force: true }).catch(() => {});
  await dirs.cleanup();
});

describe("dockerd 20.10 as an oracle for regtrust's Docker view", () => {
  test("a registry name in 127.0.0.0/8 with no CA installed: dockerd pulls, and regtrust's docker context agrees", async () => {
    const target = `${LOOP_HOST}:${loopReg.port}`;
    assert.equal(await pull(`${target}/test/app`, "1"), "ok", dockerd.logs().slice(-2000));
    const root = await buildNodeRoot(dirs, { ...debianBase(), "/var/lib/dpkg/status": DPKG_DOCKER_20_10 });
    const { result } = await diagnoseJson(target, root, ["--runtime", "docker"]);
    const docker = context(result, "docker") as ReturnType<typeof context> & {
      resolved?: { endpoints: { scheme: string; skipVerify: boolean }[] };
    };
    assert.equal(docker.ok, true, JSON.stringify(result));
    assert.equal(docker.insecure, true);
    assert.deepEqual(
      docker.resolved?.endpoints.map((e) => [e.scheme, e.skipVerify]),
      [
        ["https", true],
        ["http", true],
      ],
    );
  });

  test("::1 is not insecure in 20.10: no CA fails, certs.d/*.crt fixes it, a .cert without .key breaks it", async () => {
    const target = `${V6_HOST}:${v6Reg.port}`;
    const view = () =>
      dockerTrustFor(new HostFs(state), target, {
        addresses: ["::1"],
        dockerVersion: { version: "20.10.24", source: "option" },
        daemonJson: absentDaemonJson(),
      });
    // The view reads <state>/etc/docker: link it to the tree dockerd sees as /etc/docker.
    await rm(join(state, "etc"), { recursive: true, force: true });
    await mkdir(join(state, "etc"), { recursive: true });
    await (await import("node:fs/promises")).symlink("../etc-docker", join(state, "etc", "docker"));

    const noCa = await pull(`${target}/test/app`, "1");
    assert.match(noCa, /x509: certificate signed by unknown authority/);
    assert.equal(view().insecure, null, "regtrust must not call it insecure");
    assert.deepEqual(view().caFiles, []);

    const dir = join(etcDocker, "certs.d", target);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "ca.crt"), pki.root.certPem);
    assert.equal(await pull(`${target}/test/app`, "1"), "ok");
    assert.deepEqual(
      view().caFiles.map((s) => s.path),
      [`/etc/docker/certs.d/${target}/ca.crt`],
    );
    assert.deepEqual(view().findings, []);

    await writeFile(join(dir, "client.cert"), pki.leaf.certPem);
    const broken = await pull(`${target}/test/app`, "2");
    assert.match(broken, /missing key client\.key for client certificate client\.cert/);
    const findings = view().findings.map((f) => `${f.code}:${f.severity}`);
    assert.deepEqual(findings, ["config-invalid:error"]);
    assert.match(view().resolved?.error ?? "", /missing key client\.key for client certificate client\.cert/);
  });
});
