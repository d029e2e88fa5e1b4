/** Markdown for bench results: one section per bench script, and the whole BENCHMARKS.md. */
import { fleetChecks, fleetSection } from "./fleet-report.ts";
import type { Machine } from "./machine.ts";
import type { Timing } from "./measure.ts";
import type {
  AgentResult,
  BenchResult,
  BundleResult,
  ReleaseSizeResult,
  ScanResult,
  SeaResult,
  StartupResult,
  TriageResult,
} from "./results.ts";
import {
  agentChecks,
  bundleChecks,
  mib,
  ms,
  runStatus,
  scanChecks,
  startupChecks,
  type TargetCheck,
  times,
  triageChecks,
} from "./targets.ts";

const PREFACE = `Written by \`npm run bench\` (bench/all.ts) from one run; do not edit by hand, the next run overwrites it.
Reproduce with \`npm run bench\` as root on a Debian machine: it installs openssl, curl, sslscan and testssl.sh from
Debian's packages (\`scripts/bootstrap.sh --bench\`), builds \`dist/\`, runs every bench script below in its own child
process, and writes this file. Everything runs on loopback. Medians are quoted with min–max over the runs; the
ranges show the noise of this machine, and differences smaller than that noise mean nothing. "met" is computed from
the numbers in this run, never written by hand. Knobs (defaults): BENCH_RUNS (15 start-up rounds),
BENCH_TESTSSL_RUNS (3), BENCH_TESTSSL_TIMEOUT_S (120), BENCH_BUNDLE_PROCESSES (9), BENCH_SCAN_RUNS (3),
BENCH_SCAN_CONCURRENCY (64), BENCH_TRIAGE_RUNS (5), BENCH_AGENT_IDLE (20 s), BENCH_SEA_RUNS (15),
BENCH_SCRIPT_TIMEOUT_S (900 per script).`;

const table = (head: string[], align: string[], rows: string[][]): string =>
  [`| ${head.join(" | ")} |`, `|${align.join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

const load = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : "—");

const range = (t: { minMs: number; maxMs: number }) => `${ms(t.minMs)}–${ms(t.maxMs)}`;

/** What issue #18's start-up work tried, measured on the realistic node root (CPU medians, round robin). */
const STARTUP_TRIED = [
  "`node:http`/`node:https` reach the bundle through `require` (scripts/lazy-builtins.mjs): on Node 24 their ESM facade read the lazy WebSocket getters and loaded all of undici (diagnose CPU 178.6 → 161.4 ms on Node 24; Node 20 unchanged)",
  "the OS store read takes entry types from readdir, lstats each directory component once per pass (HostFs.withDirectoryMemo) and sizes each read by st_size instead of a 64 KiB buffer per file (CPU 158.6 → 141.0 ms on Node 24, 183.4 → 170.6 ms on Node 20)",
  "not skipping /etc/ssl/certs: Go reads every certificate directory after the bundle (crypto/x509/root_unix.go `loadSystemRoots`, go1.19 and go1.24 alike), so regtrust must too",
  "the compile cache (module.enableCompileCache, Node ≥ 22.1) now covers the CLI itself: the entry (src/cli/entry.ts) turns it on and only then imports main.ts and commander, which before were compiled ahead of the banner (--help CPU min 46.3 → 43.3 ms, diagnose 136.6 → 128.3 ms on Node 24; Node 20 has no compile cache); the row with NODE_DISABLE_COMPILE_CACHE=1 shows the cache's effect when warm",
  "the output boundary (src/core/terminal-text.ts) makes its marker secret on the first own colour sequence, so `--help` and `--json` never load node:crypto (--help CPU median 50.2 → 43.6 ms on Node 24, 83.6 → 80.4 ms on Node 20)",
  "tried and not kept: starting the handshake before reading the node (overlap) and remembering symlink targets during the OS store pass: neither moved the figures beyond this machine's noise (symlink memo: 0.3 ms of a 6 ms warm store read)",
  "not tried in this round: caching the parsed OS store on disk keyed by file identity, a SEA start-up snapshot; what remains beyond the floor on Node 24 is mostly module loading and evaluation, parsing ~290 certificates (the bundle and the /etc/ssl/certs copies Go also reads) and GC",
];

function startupSection(r: StartupResult): string {
  const median = (id: string | undefined) => r.rows.find((x) => x.id === id)?.medianMs ?? Number.NaN;
  const diag = median("diagnose");
  const rows = r.rows.map((x) => [
    x.name,
    String(x.runs),
    ms(x.medianMs),
    range(x),
    times(x.medianMs / median(x.base ?? "node")),
    times(x.medianMs / diag),
    runStatus(x),
  ]);
  const lines = r.nodeLines
    ? `Node lines: the machine's ${r.nodeLines.machine} and ${r.nodeLines.node24 ? `Node ${r.nodeLines.node24} (scripts/node24.sh)` : `no Node 24 (${r.nodeLines.node24Missing ?? "not run"})`}, in the same rounds; "× bare node" compares each row with \`node -e 0\` on its own Node line (rows without a Node line: the machine's).`
    : "";
  return [
    `## Start-up and diagnose (bench/run.ts; ${r.rounds} rounds, round robin)\n`,
    `Against ${r.registry}. Node root: ${r.nodeRoot ?? "a bundle only"}. ${lines}\n`,
    `Every command runs once per round (testssl.sh -S only in ${r.rows.find((x) => x.id === "testssl")?.runs ?? 0} of them, spread out), so load hits all alike; one unmeasured warm-up run each first (not testssl.sh). Failed runs are left out of the figures and counted in "status".\n`,
    table(
      ["command", "runs", "median ms", "min–max ms", "× bare node", "× diagnose", "status"],
      ["---", "---:", "---:", "---:", "---:", "---:", "---"],
      rows,
    ),
    `\nCommands: ${r.rows.map((x) => `\`${x.command}\``).join("; ")}.`,
    "\nOnly `regtrust diagnose` reads the node's runtime configuration (here containerd's certs.d) and gives a verdict per runtime context; the others check the server, openssl and curl against a CA file named by hand.",
    "\nTried for the start-up targets (issue #18):\n",
    ...STARTUP_TRIED.map((t) => `* ${t}.`),
  ].join("\n");
}

function bundleSection(r: BundleResult): string {
  return [
    "## System bundle (bench/bundle.ts)\n",
    `${r.certsInPem} certificates: ${r.source}. Timed with performance.now() around \`goAppendCertsFromPEM(bytes, parsed, { deferred: true })\` then \`CertPool.of(certs)\` (src/pki/read-bundle.ts, src/pki/cert-pool.ts): the path diagnose takes for the OS store, where a root is indexed by name and fingerprint and decoded in full only when a chain reaches it, in ${r.processes} fresh processes running ${r.runner}. Parsed ${r.certsParsed}, pool of ${r.poolSize}.\n`,
    table(
      ["measure", "median ms", "min–max ms", "samples"],
      ["---", "---:", "---:", "---:"],
      [
        [
          "first call in a fresh process (what one CLI run pays)",
          ms(r.cold.medianMs),
          range(r.cold),
          String(r.cold.runs),
        ],
        ["later calls (median per process)", ms(r.warm.medianMs), range(r.warm), String(r.warm.runs)],
        [
          "reading the file (not included above)",
          ms(r.readMs.medianMs),
          range(r.readMs),
          String(r.readMs.runs),
        ],
      ],
    ),
  ].join("\n");
}

function scanSection(r: ScanResult): string {
  const rows = r.rows.map((x) => [
    x.endpoints.toLocaleString("en-US"),
    String(x.runs),
    ms(x.medianMs),
    range(x),
    (x.endpoints / (x.medianMs / 1000)).toFixed(0),
    (x.medianMs / x.endpoints).toFixed(2),
    mib(x.peakRssMiB),
    x.results.toLocaleString("en-US"),
    runStatus(x),
  ]);
  return [
    `## scan (bench/scan.ts; \`regtrust scan --json --concurrency ${r.concurrency}\`)\n`,
    "Node HTTPS servers on 127.0.0.1 answering `/v2/` like a registry (one private-CA chain with an IP SAN), in the bench process on the same cores, so round trips are shorter than to real registries. The scanned node trusts none of them: every result is an `unknown-authority` finding after a full TLS handshake and `/v2/` request. Sizes alternate run by run; peak RSS is the largest of the runs (the child's own maxRSS at exit).\n",
    table(
      [
        "endpoints",
        "runs",
        "median ms",
        "min–max ms",
        "per second",
        "ms per endpoint",
        "peak RSS MiB",
        "results",
        "status",
      ],
      ["---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---"],
      rows,
    ),
  ].join("\n");
}

function triageSection(r: TriageResult): string {
  const rows = r.rows.map((x) => [
    x.name,
    String(x.runs),
    ms(x.medianMs),
    range(x),
    mib(x.peakRssMiB),
    String(x.apiRequests),
    runStatus(x),
  ]);
  return [
    `## k8s triage (bench/k8s-triage.ts; ${r.pods.toLocaleString("en-US")} pods / ${r.events.toLocaleString("en-US")} events / ${r.nodes} nodes)\n`,
    `The fake API server (test/k8s/fake-apiserver.ts) on loopback serves a synthetic cluster; \`pulls -A\` found ${r.failingContainers} failing containers in ${r.groups} groups.\n`,
    table(
      ["command", "runs", "median ms", "min–max ms", "peak RSS MiB", "API requests", "status"],
      ["---", "---:", "---:", "---:", "---:", "---:", "---"],
      rows,
    ),
  ].join("\n");
}

function agentSection(r: AgentResult): string {
  return [
    "## Idle agent (bench/agent.ts; report mode, one registry)\n",
    table(
      ["measure", "value"],
      ["---", "---:"],
      [
        [`RSS after the first check, idle ${r.idleSeconds} s`, `${mib(r.rssMiB)} MiB`],
        [
          "CPU: start-up + first check",
          `${r.firstCheckCpuMs.toFixed(0)} ms (wall ${r.firstCheckWallMs.toFixed(0)} ms)`,
        ],
        ["CPU while idle (10 ms clock ticks, coarse)", `${r.idleCpuMsPerSecond.toFixed(2)} ms/s`],
        ["CPU share at a 60 s interval (upper bound)", `${r.sharePercent.toFixed(2)} % of a core`],
      ],
    ),
  ].join("\n");
}

/** Median, or how the runs failed. */
const timedCell = (t: Timing | null): string =>
  t === null ? "—" : t.failures > 0 ? runStatus(t) : `${ms(t.medianMs)} (${range(t)})`;

const bytes = (n: number): string =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} KiB`;

const sizeText = (x: SeaResult["rows"][number]): string =>
  x.moduleBytes === null
    ? bytes(x.sizeBytes)
    : `${bytes(x.sizeBytes)} entry, ${bytes(x.moduleBytes)} of .mjs in dist/`;

function seaSection(r: SeaResult): string {
  const rows = r.rows.map((x) =>
    x.built
      ? [x.name, sizeText(x), timedCell(x.version), timedCell(x.help)]
      : [x.name, "not built", "—", "—"],
  );
  return [
    "## Single executable (bench/sea.ts; `node scripts/build-sea.mjs` first)\n",
    table(
      ["build", "size", "--version median ms (min–max)", "--help median ms (min–max)"],
      ["---", "---:", "---:", "---:"],
      rows,
    ),
  ].join("\n");
}

function releaseSizeSection(r: ReleaseSizeResult): string {
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  const rows = r.rows.map((x) => [
    `linux/${x.arch} (${x.nodeSpec})`,
    mib(x.nodeBytes),
    mib(x.strippedNodeBytes),
    mib(x.bundleBytes),
    `${mib(x.blobBytes)}${x.codeCache ? " (with code cache)" : ""}`,
    mib(x.executableBytes),
    mib(x.archiveBytes),
    mib(x.imageBytes),
  ]);
  return [
    "## Release sizes (bench/release-size.ts; what `npm run release` ships per architecture)\n",
    table(
      [
        "architecture",
        "Node as shipped",
        "Node stripped",
        "bundle (minified)",
        "SEA blob",
        "executable",
        ".tar.gz",
        "image archive",
      ],
      ["---", "---:", "---:", "---:", "---:", "---:", "---:", "---:"],
      rows,
    ),
    "\nThe executable is Node's own binary with its symbol table stripped (nothing at run time reads it; `.dynsym`, which",
    "native addons link against, stays) plus the blob: Node is about 95 % of it. The rest of Node (V8, ICU data,",
    "OpenSSL) is compiled in and cannot be left out without building Node from source.",
  ].join("\n");
}

export function renderSection(r: BenchResult): string {
  switch (r.kind) {
    case "startup":
      return startupSection(r);
    case "bundle":
      return bundleSection(r);
    case "scan":
      return scanSection(r);
    case "triage":
      return triageSection(r);
    case "agent":
      return agentSection(r);
    case "sea":
      return seaSection(r);
    case "release-size":
      return releaseSizeSection(r);
    case "fleet":
      return fleetSection(r);
  }
}

export function checksOf(r: BenchResult): TargetCheck[] {
  switch (r.kind) {
    case "startup":
      return startupChecks(r);
    case "bundle":
      return bundleChecks(r);
    case "scan":
      return scanChecks(r);
    case "triage":
      return triageChecks(r);
    case "agent":
      return agentChecks(r);
    case "sea":
    case "release-size":
      return [];
    case "fleet":
      return fleetChecks(r);
  }
}

/** One bench script's outcome in the driver: its result, or why there is none. */
export type Outcome = { script: string; result: BenchResult } | { script: string; error: string };

function targetsSection(outcomes: Outcome[]): string {
  const checks: TargetCheck[] = [];
  for (const o of outcomes) {
    if ("result" in o) checks.push(...checksOf(o.result));
    else
      checks.push({
        figure: `figures of ${o.script}`,
        target: "its targets",
        measured: `not measured (${o.script} ${o.error})`,
        met: null,
      });
  }
  const met = (c: TargetCheck) => (c.met === null ? "**not measured**" : c.met ? "met" : "**not met**");
  const misses = checks.filter((c) => c.met !== true);
  return [
    "## Targets\n",
    table(
      ["figure", "target", "measured", "met"],
      ["---", "---", "---", "---"],
      checks.map((c) => [c.figure, c.target, c.measured, met(c)]),
    ),
    misses.length === 0
      ? "\nEvery target is met in this run."
      : "\nWhat limits the targets not met (measured in this run):\n",
    ...misses.map((c) => `* ${c.figure} (${c.target}): ${c.limit ?? c.measured}.`),
  ].join("\n");
}

/** The spread of bare start-up in this run: the noise floor of every start-up figure. */
function noiseLine(outcomes: Outcome[]): string[] {
  const startup = outcomes.find((o) => "result" in o && o.result.kind === "startup");
  if (!startup || !("result" in startup) || startup.result.kind !== "startup") return [];
  const node = startup.result.rows.find((x) => x.id === "node");
  if (!node || !Number.isFinite(node.medianMs)) return [];
  const spread = ((node.maxMs - node.minMs) / node.medianMs) * 100;
  return [
    `* Noise: bare \`node -e 0\` took ${range(node)} ms around its median of ${ms(node.medianMs)} ms (a spread of ${spread.toFixed(0)} % of the median).`,
  ];
}

export function renderReport(machine: Machine, outcomes: Outcome[], totalSeconds: number): string {
  const failed = outcomes.filter((o) => "error" in o);
  return [
    "# Benchmarks\n",
    PREFACE,
    "\n## Run\n",
    `* Date: ${machine.date}; bench/all.ts took ${totalSeconds.toFixed(0)} s (after \`scripts/bootstrap.sh --bench\`).`,
    `* Machine: ${machine.nproc} CPUs (nproc), ${machine.cpuModel}, ${machine.ramGiB.toFixed(1)} GiB RAM, ${machine.os}, kernel ${machine.kernel}, Node ${machine.node}.`,
    `* Tools: ${machine.tools.join("; ")}.`,
    `* Load average (1 min) before / after: ${load(machine.loadBefore)} / ${load(machine.loadAfter)}.`,
    ...noiseLine(outcomes),
    ...failed.map((o) => `* **${o.script} failed**: ${"error" in o ? o.error : ""}`),
    "",
    targetsSection(outcomes),
    ...outcomes.flatMap((o) => ("result" in o ? ["", renderSection(o.result)] : [])),
    "",
  ].join("\n");
}
