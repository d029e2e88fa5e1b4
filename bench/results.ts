/**
 * What each bench script measures, as data. A script run with
 * `--json-out FILE` writes its result there (bench/all.ts collects them into
 * one report); run alone it prints its own section of the report.
 */
import { writeFileSync } from "node:fs";
import type { Timing } from "./measure.ts";

export type StartupId =
  | "node"
  | "help"
  | "diagnose"
  | "floor"
  | "manual"
  | "sslscan"
  | "testssl"
  | "node24"
  | "help24"
  | "diagnose24"
  | "diagnose24-nocache"
  | "floor24";

export interface StartupResult {
  kind: "startup";
  rounds: number;
  registry: string;
  /** The node root diagnose reads. */
  nodeRoot: string;
  /** `node --version` of each Node line run (the machine's, and Node 24 when scripts/node24.sh gave one). */
  nodeLines: { machine: string; node24: string | null; node24Missing?: string };
  rows: Array<
    Timing & {
      id: StartupId;
      command: string /** the bare start-up row of the same Node */;
      base?: StartupId;
    }
  >;
}

export interface BundleResult {
  kind: "bundle";
  /** Where the 150 certificates came from. */
  source: string;
  certsInPem: number;
  certsParsed: number;
  poolSize: number;
  /** How the timed code ran (built bundle or tsx). */
  runner: string;
  processes: number;
  /** First call in each fresh process: what one CLI run pays. */
  cold: Timing;
  /** Median of the later calls in each process. */
  warm: Timing;
  /** Reading the file (not in the figures above). */
  readMs: Timing;
}

export interface ScanRow extends Timing {
  endpoints: number;
  peakRssMiB: number;
  /** JSON lines written by the last run (one per endpoint when complete). */
  results: number;
}

export interface ScanResult {
  kind: "scan";
  concurrency: number;
  rows: ScanRow[];
}

export interface TriageRow extends Timing {
  peakRssMiB: number;
  apiRequests: number;
}

export interface TriageResult {
  kind: "triage";
  pods: number;
  events: number;
  nodes: number;
  failingContainers: number;
  groups: number;
  rows: TriageRow[];
}

export interface AgentResult {
  kind: "agent";
  idleSeconds: number;
  rssMiB: number;
  firstCheckCpuMs: number;
  firstCheckWallMs: number;
  idleCpuMsPerSecond: number;
  /** (one check's CPU + 60 s of idle wake-ups) / 60 s, in % of one core. */
  sharePercent: number;
}

export interface SeaRow {
  name: string;
  built: boolean;
  /** The file run (NaN when not built). */
  sizeBytes: number;
  /** For the ESM bundle: every .mjs under dist/ (the chunks it may import); null for the SEA. */
  moduleBytes: number | null;
  version: Timing | null;
  help: Timing | null;
}

export interface SeaResult {
  kind: "sea";
  rows: SeaRow[];
}

export interface ReleaseSizeRow {
  arch: string;
  nodeSpec: string;
  /** Node's binary as the npm registry ships it, and after `strip --strip-all`. */
  nodeBytes: number;
  strippedNodeBytes: number;
  /** The minified CommonJS bundle, and the SEA blob made of it (plus V8's code cache on this machine's arch). */
  bundleBytes: number;
  blobBytes: number;
  codeCache: boolean;
  executableBytes: number;
  archiveBytes: number;
  imageBytes: number;
}

export interface ReleaseSizeResult {
  kind: "release-size";
  rows: ReleaseSizeRow[];
}

export interface FleetResult {
  kind: "fleet";
  nodes: number;
  intervalSeconds: number;
  windowSeconds: number;
  /** A DaemonSet rollout: every agent reads its Node and publishes an unchanged verdict. */
  rollout: { concurrency: number; wallMs: number; requestsPerAgent: number; writesPerAgent: number };
  /** Unchanged verdicts on a virtual clock, per heartbeat interval. */
  steady: Array<{
    heartbeatSeconds: number;
    writesPerNodePer5Min: number;
    writesPerSecondFleet: number;
    simulatedWallMs: number;
  }>;
  status: Timing;
}

export type BenchResult =
  | StartupResult
  | BundleResult
  | ScanResult
  | TriageResult
  | AgentResult
  | SeaResult
  | ReleaseSizeResult
  | FleetResult;

/** The `--json-out FILE` argument, if given. */
export function jsonOutPath(argv: readonly string[] = process.argv): string | undefined {
  const at = argv.indexOf("--json-out");
  return at >= 0 ? argv[at + 1] : undefined;
}

/** Hands the result to the driver (`--json-out`) or prints this script's section. */
export async function emitResult(result: BenchResult): Promise<void> {
  const out = jsonOutPath();
  if (out) {
    writeFileSync(out, JSON.stringify(result, null, 2));
    return;
  }
  const { renderSection } = await import("./report.ts");
  console.log(renderSection(result));
}
