/**
 * Benchmark (not a test): `regtrust diagnose` next to what operators run by
 * hand — `openssl s_client` + `openssl verify` + `curl`, `sslscan`,
 * `testssl.sh -S` — and bare `node -e 0`, against one loopback registry,
 * round robin in one run. Numbers are reported, never asserted.
 *   node --import tsx bench/run.ts [--json-out FILE]
 * BENCH_RUNS rounds (default 15); testssl.sh -S only BENCH_TESTSSL_RUNS of
 * them (default 3, spread over the rounds), each bounded by
 * BENCH_TESTSSL_TIMEOUT_S (default 120).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { rootCertificates } from "node:tls";
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

/** A node whose containerd trusts the registry's private root through certs.d. */
function writeFixture(
  work: string,
  pki: Awaited<ReturnType<typeof createPrivatePki>>,
  port: number,
): Fixture {
  const node = join(work, "node");
  const certsDir = join(node, `etc/containerd/certs.d/${HOST}:${port}`);
  mkdirSync(join(node, "etc/ssl/certs"), { recursive: true });
  mkdirSync(certsDir, { recursive: true });
  writeFileSync(join(node, "etc/os-release"), "ID=debian\n");
  writeFileSync(join(node, "etc/ssl/certs/ca-certificates.crt"), rootCertificates.join("\n"));
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

function commands(f: Fixture, port: number): Array<TimedCommand & { id: StartupId; command: string }> {
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
      command: "node -e 0",
      name: "node -e 0 (bare start-up)",
      argv: [process.execPath, "-e", "0"],
    },
    {
      id: "help",
      command: "node dist/regtrust.mjs --help",
      name: "regtrust --help",
      argv: [process.execPath, ENTRY, "--help"],
    },
    {
      id: "diagnose",
      command: `node dist/regtrust.mjs diagnose ${HOST}:PORT --root NODE`,
      name: "regtrust diagnose",
      argv: [process.execPath, ENTRY, "diagnose", target, "--root", f.node],
    },
    {
      id: "floor",
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
    const list = commands(writeFixture(work, pki, registry.port), registry.port);
    const timings = await timeCommands(list, ROUNDS);
    const result: StartupResult = {
      kind: "startup",
      rounds: ROUNDS,
      registry: `the in-process demo registry (src/demo/demo-registry.ts: Node HTTPS on 127.0.0.1, /v2/ answers 401) as ${HOST} via /etc/hosts, private root → intermediate → leaf`,
      rows: timings.map((t, i) => ({ ...t, id: list[i]?.id ?? "node", command: list[i]?.command ?? "" })),
    };
    await emitResult(result);
  } finally {
    await registry.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
