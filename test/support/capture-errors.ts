/**
 * Observes the real error text of containerd's CRI PullImage and of
 * `skopeo inspect` for every failure scenario. `captured-errors.json` holds
 * what this printed; captured-errors.test.ts re-observes and compares, and
 * running this file directly rewrites the JSON:
 *   node --import tsx test/support/capture-errors.ts
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeCertDir, writeContainerdHostCa } from "./certs-d.ts";
import { type RunningContainerd, startContainerd } from "./containerd.ts";
import { pullImage } from "./cri-client.ts";
import {
  SCENARIOS,
  type ScenarioEndpoint,
  type ScenarioName,
  type ScenarioPki,
  setupScenario,
} from "./error-scenarios.ts";
import { ensureTestHosts } from "./etc-hosts.ts";
import { makeScenarioPki } from "./scenario-pki.ts";
import { skopeoInspect } from "./skopeo.ts";
import { TempDirs } from "./tmp.ts";

export const CONTAINERD_SOURCE = "containerd 1.6.20 CRI PullImage";
export const SKOPEO_SOURCE = "skopeo 1.9.3 inspect";

export interface CapturedError {
  source: typeof CONTAINERD_SOURCE | typeof SKOPEO_SOURCE;
  scenario: ScenarioName;
  message: string;
}

export const CAPTURED_ERRORS_FILE = fileURLToPath(new URL("./captured-errors.json", import.meta.url));

/** Masks what differs between runs: ports, timestamps, the resolver address and its verdict. */
export function normaliseMessage(message: string): string {
  return message
    .replace(/time="[^"]*"/g, 'time="<ts>"')
    .replace(/current time \S+ is/g, "current time <now> is")
    .replace(/(repo\.example\.com|127\.0\.0\.1):\d+/g, "$1:<port>")
    .replace(/ on [^ ]+:53: [^"\\]*/g, " on <resolver>: <dns verdict>");
}

async function containerdMessage(
  ctd: RunningContainerd,
  certsD: string,
  ep: ScenarioEndpoint,
): Promise<string> {
  if (ep.trustPem) await writeContainerdHostCa(certsD, ep.registryHost, ep.trustPem);
  const result = await pullImage(ctd.address, ep.image, { timeoutMs: 60_000 });
  if (result.ok) throw new Error(`containerd pulled ${ep.image} although the scenario should fail`);
  return result.message;
}

async function skopeoMessage(temps: TempDirs, ep: ScenarioEndpoint): Promise<string> {
  const certDir = ep.trustPem ? await writeCertDir(await temps.make("certdir"), ep.trustPem) : undefined;
  const result = await skopeoInspect(
    ep.image,
    certDir ? { certDir, timeoutMs: 60_000 } : { timeoutMs: 60_000 },
  );
  if (result.code === 0) throw new Error(`skopeo inspected ${ep.image} although the scenario should fail`);
  return result.stderr.trim();
}

async function captureScenario(
  name: ScenarioName,
  pki: ScenarioPki,
  ctd: RunningContainerd,
  certsD: string,
  temps: TempDirs,
): Promise<CapturedError[]> {
  const ep = await setupScenario(name, pki);
  try {
    return [
      { source: CONTAINERD_SOURCE, scenario: name, message: await containerdMessage(ctd, certsD, ep) },
      { source: SKOPEO_SOURCE, scenario: name, message: await skopeoMessage(temps, ep) },
    ];
  } finally {
    await ep.stop();
  }
}

/** Runs every scenario against one containerd and skopeo; all processes are stopped before it returns. */
/**
 * `scenarios` defaults to all. The test suite leaves out "dns-failure": the Go
 * resolvers of containerd and skopeo would send a real query to the system's
 * (non-loopback) name server, and tests only ever talk to loopback. Its
 * recorded entry was captured once, by hand, with this script.
 */
export async function captureErrors(
  scenarios: readonly (typeof SCENARIOS)[number][] = SCENARIOS,
): Promise<CapturedError[]> {
  await ensureTestHosts();
  const temps = new TempDirs();
  let ctd: RunningContainerd | undefined;
  try {
    const pki = await makeScenarioPki();
    const certsD = join(await temps.make("certs.d"), "certs.d");
    ctd = await startContainerd({ configPath: certsD });
    const captured: CapturedError[] = [];
    for (const name of scenarios) captured.push(...(await captureScenario(name, pki, ctd, certsD, temps)));
    return captured;
  } finally {
    await ctd?.stop();
    await temps.cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const captured = await captureErrors();
  await writeFile(CAPTURED_ERRORS_FILE, `${JSON.stringify(captured, null, 2)}\n`);
  process.stderr.write(`wrote ${captured.length} entries to ${CAPTURED_ERRORS_FILE}\n`);
}
