/**
 * Child of bench/bundle.ts, one fresh process per sample: times loading and
 * indexing the bundle file given as argv[2] the way diagnose loads the OS
 * store (evaluate/trust-pool.ts): goAppendCertsFromPEM with deferred parsing
 * (names and fingerprint now, the rest when a chain reaches the root), then
 * CertPool.of — once cold (what one CLI run pays) and WARM_CALLS times after.
 * Prints one JSON line.
 */
import { readFileSync } from "node:fs";
import { CertPool } from "../src/pki/cert-pool.ts";
import { goAppendCertsFromPEM } from "../src/pki/read-bundle.ts";

const WARM_CALLS = 20;
const DEFERRED = { deferred: true };

const file = process.argv[2] ?? "";
const readStart = performance.now();
const bytes = new Uint8Array(readFileSync(file));
const readMs = performance.now() - readStart;

const coldStart = performance.now();
const certs = goAppendCertsFromPEM(bytes, new Map(), DEFERRED);
const pool = CertPool.of(certs);
const coldMs = performance.now() - coldStart;

const warmMs: number[] = [];
for (let i = 0; i < WARM_CALLS; i++) {
  const start = performance.now();
  CertPool.of(goAppendCertsFromPEM(bytes, new Map(), DEFERRED));
  warmMs.push(performance.now() - start);
}
process.stdout.write(
  `${JSON.stringify({ readMs, coldMs, warmMs, parsed: certs.length, pool: pool.size })}\n`,
);
