/**
 * Benchmark (not a test): loading and indexing a 150-root system CA bundle,
 * as diagnose loads the OS store (goAppendCertsFromPEM with deferred parsing,
 * then CertPool.of). Each sample is a fresh process (bench/bundle-child.ts, bundled
 * with esbuild so no TypeScript loader runs in it): its first call is what one
 * CLI run pays. Target: ≤ 20 ms.
 *   node --import tsx bench/bundle.ts [--json-out FILE]
 * BENCH_BUNDLE_PROCESSES fresh processes (default 9).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { rootCertificates } from "node:tls";
import { build } from "esbuild";
import { issueCertificate } from "../src/pki/generate.ts";
import { median, summarise } from "./measure.ts";
import { type BundleResult, emitResult } from "./results.ts";

const ROOTS = 150;
const PROCESSES = Number(process.env.BENCH_BUNDLE_PROCESSES ?? 9);
const SYSTEM_BUNDLE = process.env.BENCH_SYSTEM_BUNDLE ?? "/etc/ssl/certs/ca-certificates.crt";
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g;

/** 150 roots: the system bundle's when it has that many, else Node's roots padded with generated CAs. */
async function bundleText(): Promise<{ pem: string; source: string }> {
  const system = existsSync(SYSTEM_BUNDLE)
    ? (readFileSync(SYSTEM_BUNDLE, "latin1").match(PEM_BLOCK) ?? [])
    : [];
  if (system.length >= ROOTS) {
    return {
      pem: system.slice(0, ROOTS).join(""),
      source: `the first ${ROOTS} of ${SYSTEM_BUNDLE} (${system.length} in the file)`,
    };
  }
  const blocks = rootCertificates.slice(0, ROOTS).map((pem) => `${pem.trim()}\n`);
  const padding = ROOTS - blocks.length;
  for (let i = 0; i < padding; i++) {
    const ca = await issueCertificate({
      commonName: `bench padding CA ${i}`,
      isCA: true,
      keyAlgorithm: "rsa",
    });
    blocks.push(ca.certPem);
  }
  return {
    pem: blocks.join(""),
    source: `Node's tls.rootCertificates (${blocks.length - padding}) and ${padding} generated RSA CA certificates (src/pki/generate.ts)`,
  };
}

/** The child as one ESM bundle (no tsx in the timed process), or tsx when bundling fails. */
async function childCommand(dir: string): Promise<{ argv: string[]; runner: string }> {
  const source = resolve(import.meta.dirname, "bundle-child.ts");
  try {
    await build({
      entryPoints: [source],
      outfile: join(dir, "bundle-child.mjs"),
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      banner: {
        js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);",
      },
      logLevel: "error",
    });
    return {
      argv: [process.execPath, join(dir, "bundle-child.mjs")],
      runner: "an esbuild ESM bundle of bench/bundle-child.ts under plain node (as dist/ is built)",
    };
  } catch (error) {
    return {
      argv: [process.execPath, "--import", "tsx", source],
      runner: `bench/bundle-child.ts under tsx (esbuild bundling failed: ${(error as Error).message}; tsx transforms at import, not inside the timed calls)`,
    };
  }
}

interface ChildReport {
  readMs: number;
  coldMs: number;
  warmMs: number[];
  parsed: number;
  pool: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "regtrust-bench-bundle-"));
  try {
    const { pem, source } = await bundleText();
    const file = join(dir, "ca-certificates.crt");
    writeFileSync(file, pem);
    const child = await childCommand(dir);
    const reports: ChildReport[] = [];
    for (let i = 0; i < PROCESSES; i++) {
      const r = spawnSync(child.argv[0] ?? "", [...child.argv.slice(1), file], {
        encoding: "utf8",
        timeout: 60_000,
      });
      if (r.status !== 0) throw new Error(`bundle child exited ${r.status ?? r.signal}: ${r.stderr}`);
      reports.push(JSON.parse(r.stdout) as ChildReport);
    }
    const last = reports[reports.length - 1];
    const result: BundleResult = {
      kind: "bundle",
      source,
      certsInPem: pem.match(PEM_BLOCK)?.length ?? 0,
      certsParsed: last?.parsed ?? 0,
      poolSize: last?.pool ?? 0,
      runner: child.runner,
      processes: PROCESSES,
      cold: summarise(
        "cold",
        reports.map((r) => r.coldMs),
      ),
      warm: summarise(
        "warm",
        reports.map((r) => median(r.warmMs)),
      ),
      readMs: summarise(
        "read",
        reports.map((r) => r.readMs),
      ),
    };
    await emitResult(result);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
