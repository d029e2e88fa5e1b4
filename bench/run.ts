/**
 * Benchmark (not a test): `regtrust diagnose` next to what operators run by
 * hand — `openssl s_client` + `openssl verify` + `curl`, `sslscan`,
 * `testssl.sh -S` — and bare `node -e 0`, against one loopback registry,
 * round robin in one run. Numbers are reported, never asserted.
 *   node --import tsx bench/run.ts [--json-out FILE]
 * BENCH_RUNS rounds (default 15); testssl.sh -S only BENCH_TESTSSL_RUNS of
 * them (default 3, spread over the rounds), each bounded by
 * BENCH_TESTSSL_TIMEOUT_S (default 120).
 * The regtrust rows run on this machine's Node and again on Node 24 LTS
 * (scripts/node24.sh, the binary from the npm registry), side by side in
 * the same rounds (issue #18).
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startDemoRegistry } from "../src/demo/demo-registry.ts";
import { createPrivatePki } from "../src/pki/generate.ts";
import { ensureTestHosts } from "../test/support/etc-hosts.ts";
import { type TimedCommand, timeCommands } from "./measure.ts";
import { emitResult, type StartupId, type StartupResult } from "./results.ts";

const ROUNDS = Number(process.env.BENCH_RUNS ?? 15);
const TESTSSL_RUNS = Number(process.env.BENCH_TESTSSL_RUNS ?? 3);
const TESTSSL_TIMEOUT_MS = Number(process.env.BENCH_TESTSSL_TIMEOUT_S ?? 120) * 1000;
const HOST = "repo.example.com";
const ENTRY = resolve(import.meta.dirname, "../dist/regtrust.mjs");

interface Fixture {
  work: string;
  node: string;
  rootPem: string;
  chainPem: string;
  leafPem: string;
}

/** This machine's Debian OS store, as update-ca-certificates leaves it. */
const OS_STORE_DIRS = ["/etc/ssl/certs", "/usr/share/ca-certificates"];

/**
 * A realistic node root: this machine's OS store copied whole (the full
 * Mozilla bundle, and /etc/ssl/certs with its ~150 .pem links into
 * /usr/share/ca-certificates and their OpenSSL hash links, all of which Go —
 * and so regtrust — reads), and a containerd that trusts the registry's
 * private root through certs.d.
 */
function writeFixture(
  work: string,
  pki: Awaited<ReturnType<typeof createPrivatePki>>,
  port: number,
): Fixture {
  const node = join(work, "node");
  const certsDir = join(node, `etc/containerd/certs.d/${HOST}:${port}`);
  for (const dir of OS_STORE_DIRS) {
    if (!existsSync(join(dir, dir === "/etc/ssl/certs" ? "ca-certificates.crt" : "mozilla")))
      throw new Error(`bench: ${dir} is not a Debian OS store (install ca-certificates)`);
    cpSync(dir, join(node, dir), { recursive: true, verbatimSymlinks: true });
  }
  mkdirSync(certsDir, { recursive: true });
  writeFileSync(join(node, "etc/os-release"), "ID=debian\n");
  writeFileSync(
    join(node, "etc/containerd/config.toml"),
    'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n',
  );
  writeFileSync(
    join(certsDir, "hosts.toml"),
    `server = "https://${HOST}:${port}"\n[host."https://${HOST}:${port}"]\n  ca = "root.crt"\n`,
  );
  writeFileSync(join(certsDir, "root.crt"), pki.root.certPem);
  const file = (name: string, pem: string) => {
    writeFileSync(join(work, name), pem);
    return join(work, name);
  };
  return {
    work,
    node,
    rootPem: file("root.pem", pki.root.certPem),
    chainPem: file("chain.pem", pki.intermediate.certPem),
    leafPem: file("leaf.pem", pki.leaf.certPem),
  };
}

type StartupCommand = TimedCommand & { id: StartupId; command: string; base?: StartupId };

/** Node 24 LTS from scripts/node24.sh, or why there is none (the rows are then left out). */
function node24(): { path: string; version: string } | { missing: string } {
  try {
    const path = execFileSync("sh", [resolve(import.meta.dirname, "../scripts/node24.sh")], {
      encoding: "utf8",
      timeout: 300_000,
    }).trim();
    return { path, version: execFileSync(path, ["--version"], { encoding: "utf8" }).trim() };
  } catch (error) {
    return { missing: (error as Error).message.split("\n")[0] ?? "scripts/node24.sh failed" };
  }
}

/** The regtrust rows again on Node 24, each next to its Node 20 row in every round. */
function node24Commands(f: Fixture, port: number, node: string, version: string): StartupCommand[] {
  const target = `${HOST}:${port}`;
  const on = `[Node ${version}]`;
  const diagnose = [node, ENTRY, "diagnose", target, "--root", f.node];
  return [
    {
      id: "node24",
      base: "node24",
      command: "node24 -e 0",
      name: `node -e 0 (bare start-up) ${on}`,
      argv: [node, "-e", "0"],
    },
    {
      id: "help24",
      base: "node24",
      command: "node24 dist/regtrust.mjs --help",
      name: `regtrust --help ${on}`,
      argv: [node, ENTRY, "--help"],
    },
    {
      id: "diagnose24",
      base: "node24",
      command: `node24 dist/regtrust.mjs diagnose ${HOST}:PORT --root NODE`,
      name: `regtrust diagnose ${on}`,
      argv: diagnose,
    },
    {
      id: "diagnose24-nocache",
      base: "node24",
      command: `NODE_DISABLE_COMPILE_CACHE=1 node24 dist/regtrust.mjs diagnose ${HOST}:PORT --root NODE`,
      name: `regtrust diagnose, compile cache off ${on}`,
      argv: diagnose,
      env: { NODE_DISABLE_COMPILE_CACHE: "1" },
    },
    {
      id: "floor24",
      base: "node24",
      command: `node24 bench/tls-floor.mjs ${HOST}:PORT`,
      name: `floor: bare Node TLS handshake + GET /v2/ (no regtrust code) ${on}`,
      argv: [node, join(import.meta.dirname, "tls-floor.mjs"), target],
    },
  ];
}

function commands(f: Fixture, port: number): StartupCommand[] {
  const target = `${HOST}:${port}`;
  const manual = [
    "set -e",
    `openssl s_client -connect 127.0.0.1:${port} -servername ${HOST} -showcerts </dev/null >/dev/null 2>&1`,
    `openssl verify -CAfile ${f.rootPem} -untrusted ${f.chainPem} ${f.leafPem} >/dev/null`,
    `curl -s -o /dev/null --cacert ${f.rootPem} https://${target}/v2/`,
  ].join("; ");
  // Loopback only: the address is given (no DNS), no CRL/OCSP fetches (no --phone-out), no colours.
  const testssl = ["testssl", "-S", "--quiet", "--color", "0", "--warnings", "batch", "--nodns", "none"];
  return [
    {
      id: "node",
      base: "node",
      command: "node -e 0",
      name: "node -e 0 (bare start-up)",
      argv: [process.execPath, "-e", "0"],
    },
    {
      id: "help",
      base: "node",
      command: "node dist/regtrust.mjs --help",
      name: "regtrust --help",
      argv: [process.execPath, ENTRY, "--help"],
    },
    {
      id: "diagnose",
      base: "node",
      command: `node dist/regtrust.mjs diagnose ${HOST}:PORT --root NODE`,
      name: "regtrust diagnose",
      argv: [process.execPath, ENTRY, "diagnose", target, "--root", f.node],
    },
    {
      id: "floor",
      base: "node",
      command: `node bench/tls-floor.mjs ${HOST}:PORT`,
      name: "floor: bare Node TLS handshake + GET /v2/ (no regtrust code)",
      argv: [process.execPath, join(import.meta.dirname, "tls-floor.mjs"), target],
    },
    {
      id: "manual",
      command: `openssl s_client -connect 127.0.0.1:PORT -servername ${HOST} -showcerts && openssl verify -CAfile root.pem -untrusted chain.pem leaf.pem && curl -s --cacert root.pem https://${HOST}:PORT/v2/`,
      name: "manual: openssl s_client + openssl verify + curl",
      argv: ["sh", "-c", manual],
      cwd: f.work,
    },
    {
      id: "sslscan",
      command: `sslscan --no-colour ${HOST}:PORT`,
      name: "sslscan",
      argv: ["sslscan", "--no-colour", target],
      cwd: f.work,
      // sslscan exits 0 even when it cannot connect; its report starts with the protocol table.
      succeeded: (code, out) => code === 0 && out.includes("SSL/TLS Protocols:") && !out.includes("ERROR"),
    },
    {
      id: "testssl",
      command: `testssl -S --ip 127.0.0.1 --nodns none --add-ca ROOT ${HOST}:PORT`,
      name: "testssl.sh -S",
      argv: [...testssl, "--ip", "127.0.0.1", "--add-ca", f.rootPem, target],
      cwd: f.work,
      runs: TESTSSL_RUNS,
      warmUp: false,
      timeoutMs: TESTSSL_TIMEOUT_MS,
      succeeded: (code, out) => code === 0 && /Chain of trust\s+Ok/.test(out),
    },
  ];
}

async function main(): Promise<void> {
  await ensureTestHosts();
  const pki = await createPrivatePki({ hostnames: [HOST] });
  const registry = await startDemoRegistry({
    certChainPem: `${pki.leaf.certPem}${pki.intermediate.certPem}`,
    keyPem: pki.leaf.keyPem,
    host: HOST,
  });
  const work = mkdtempSync(join(tmpdir(), "regtrust-bench-"));
  try {
    const fixture = writeFixture(work, pki, registry.port);
    const n24 = node24();
    const list = commands(fixture, registry.port);
    if ("path" in n24) list.splice(4, 0, ...node24Commands(fixture, registry.port, n24.path, n24.version));
    const timings = await timeCommands(list, ROUNDS);
    const storeFiles = readdirSync(join(fixture.node, "etc/ssl/certs")).length;
    const result: StartupResult = {
      kind: "startup",
      rounds: ROUNDS,
      registry: `the in-process demo registry (src/demo/demo-registry.ts: Node HTTPS on 127.0.0.1, /v2/ answers 401) as ${HOST} via /etc/hosts, private root → intermediate → leaf`,
      nodeRoot: `this machine's Debian OS store copied whole (${OS_STORE_DIRS.join(" and ")}: the Mozilla bundle ca-certificates.crt and ${storeFiles} entries in /etc/ssl/certs, .pem links into /usr/share/ca-certificates and OpenSSL hash links), containerd trusting the private root through certs.d`,
      nodeLines: {
        machine: process.version,
        node24: "version" in n24 ? n24.version : null,
        ...("missing" in n24 ? { node24Missing: n24.missing } : {}),
      },
      rows: timings.map((t, i) => ({
        ...t,
        id: list[i]?.id ?? "node",
        command: list[i]?.command ?? "",
        ...(list[i]?.base ? { base: list[i]?.base } : {}),
      })),
    };
    await emitResult(result);
  } finally {
    await registry.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
