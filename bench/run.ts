/**
 * `npm run bench`: regtrust diagnose against what operators run by hand, on
 * loopback, measured side by side in one run. Prints a Markdown table.
 * Not a test: numbers are reported, never asserted.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { startDemoRegistry } from "../src/demo/demo-registry.ts";
import { createTestPki } from "../src/pki/generate.ts";
import { ensureTestHosts } from "../test/support/etc-hosts.ts";
import { formatTable, timeCommands } from "./measure.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const HOST = "repo.example.com";

async function main(): Promise<void> {
  await ensureTestHosts();
  const pki = await createTestPki({ hostnames: [HOST] });
  const registry = await startDemoRegistry({
    certChainPem: `${pki.leaf.certPem}${pki.intermediate.certPem}`,
    keyPem: pki.leaf.keyPem,
    host: HOST,
  });
  const work = mkdtempSync(join(tmpdir(), "regtrust-bench-"));
  try {
    const node = join(work, "node");
    const certsDir = join(node, `etc/containerd/certs.d/${HOST}:${registry.port}`);
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
      `server = "https://${HOST}:${registry.port}"\n[host."https://${HOST}:${registry.port}"]\n  ca = "root.crt"\n`,
    );
    writeFileSync(join(certsDir, "root.crt"), pki.root.certPem);
    const rootPem = join(work, "root.pem");
    writeFileSync(rootPem, pki.root.certPem);
    const chainPem = join(work, "chain.pem");
    writeFileSync(chainPem, pki.intermediate.certPem);
    const leafPem = join(work, "leaf.pem");
    writeFileSync(leafPem, pki.leaf.certPem);
    const target = `${HOST}:${registry.port}`;
    const manual = [
      `openssl s_client -connect 127.0.0.1:${registry.port} -servername ${HOST} -showcerts </dev/null >/dev/null 2>&1`,
      `openssl verify -CAfile ${rootPem} -untrusted ${chainPem} ${leafPem} >/dev/null`,
      `curl -s -o /dev/null --cacert ${rootPem} https://${target}/v2/`,
    ].join("; ");
    const rows = await timeCommands(
      [
        { name: "node -e 0 (bare start-up)", argv: [process.execPath, "-e", "0"] },
        { name: "regtrust --help", argv: [process.execPath, "dist/regtrust.mjs", "--help"] },
        {
          name: "regtrust diagnose",
          argv: [process.execPath, "dist/regtrust.mjs", "diagnose", target, "--root", node],
        },
        { name: "manual: openssl s_client + openssl verify + curl", argv: ["sh", "-c", manual] },
      ],
      RUNS,
    );
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}`;
    console.log(`## diagnose start-up and wall time (${RUNS} runs each, interleaved; ${machine})\n`);
    console.log(formatTable(rows, "node -e 0 (bare start-up)"));
  } finally {
    await registry.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
