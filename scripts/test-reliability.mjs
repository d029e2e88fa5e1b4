// Issue #10: runs the reliability evidence (test/reliability/** plus the
// existing tests that already prove a case) with node:test's TAP reporter and
// prints a table: category | case | held/failed/NOT COVERED | evidence.
// REGTRUST_CRASH_ITERATIONS (default 12 here and in CI) sets the kill -9 loop;
// `REGTRUST_CRASH_ITERATIONS=100 npm run test:reliability` runs it fully.
// Exit status: 0 only when every covered case held.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** [category, case, file, test-name pattern]. A case is held when its tests ran and all passed. */
const CASES = [
  [
    "network",
    "connection refused / DNS failure",
    "test/integration/diagnose-network.test.ts",
    /connection-refused|dns-failure/,
  ],
  [
    "network",
    "tarpit mid-handshake (accepts, never answers)",
    "test/integration/diagnose-network.test.ts",
    /^timeout:/,
  ],
  ["network", "plain HTTP instead of TLS", "test/integration/diagnose-network.test.ts", /plain-http/],
  [
    "network",
    "handshake refused (client cert demanded)",
    "test/integration/diagnose-network.test.ts",
    /tls-handshake-failed/,
  ],
  ["network", "/v2/ not a registry", "test/integration/diagnose-network.test.ts", /not-a-registry/],
  [
    "network",
    "token realm unreachable / untrusted",
    "test/integration/diagnose-network.test.ts",
    /auth-realm/,
  ],
  [
    "network",
    "AIA: oversized body, garbage, wrong cert, redirect loop",
    "test/chain/aia-faults.test.ts",
    /oversized|garbage|wrong|redirect/,
  ],
  ["network", "AIA: loop A → B → A", "test/chain/aia-faults.test.ts", /AIA loop/],
  [
    "network",
    "raw faults: reset, close after ClientHello, garbage, tarpits, TLS 1.0, SNI, /v2/ redirect loop, hanging realm, 50-cert chain",
    "test/reliability/network-faults.test.ts",
    /./,
  ],
  [
    "network",
    "chain with an issuer loop (CA A issued by B, B by A): diagnose and chain name the loop",
    "test/reliability/network-faults-chain.test.ts",
    /chain with a loop/,
  ],
  [
    "network",
    "1 MiB certificate (TLS 1.3 and 1.2; and 150 KiB, refused by OpenSSL only)",
    "test/reliability/network-faults-chain.test.ts",
    /MiB certificate|KiB certificate/,
  ],
  [
    "network",
    "undecodable DER in the presented chain (hand-built TLS 1.2 server)",
    "test/reliability/network-faults-chain.test.ts",
    /undecodable DER/,
  ],
  [
    "crash",
    "kill -9 between every fs op of apply (child process)",
    "src/plan/apply-crash.test.ts",
    /killed at step|after a crash/,
  ],
  [
    "crash",
    "kill -9 of whole CLI trust/insecure/untrust, timed on the journal: old-or-new, next run recovers, untrust exact",
    "test/reliability/cli-crash-concurrency.test.ts",
    /seeded kills/,
  ],
  [
    "crash",
    "run after a kill: journal temp, half-built OS bundle, missed hash link, stale trust plan",
    "test/reliability/crash-leftovers.test.ts",
    /./,
  ],
  ["concurrency", "lock: parallel applies, conflicts, stale locks", "src/plan/lock.test.ts", /./],
  [
    "concurrency",
    "10 parallel CLI runs on one root, audit clean",
    "test/reliability/cli-crash-concurrency.test.ts",
    /ends consistent/,
  ],
  ["hostile", "node paths: traversal, symlinks escaping the root", "src/plan/safe-path.test.ts", /refuses/],
  [
    "hostile",
    "registry names: .., /, NUL, >63 label, >253, look-alikes (trust/untrust/insecure)",
    "test/reliability/hostile-names.test.ts",
    /refuses/,
  ],
  [
    "hostile",
    "symlinked write locations pointing outside the root",
    "test/reliability/hostile-names.test.ts",
    /links to a shadow/,
  ],
  [
    "hostile",
    "tampered journal: run id or path climbing out of the root (pending.id x/../../victim deleted a file outside --root)",
    "test/reliability/hostile-state.test.ts",
    /^pending\.id|untrust refuses naming the field/,
  ],
  [
    "hostile",
    "journal.json as FIFO, directory, symlink to /dev/zero or out of the root, 65 MiB: exit 2 naming it, no hang",
    "test/reliability/hostile-state.test.ts",
    /^journal /,
  ],
  [
    "hostile",
    "lock as FIFO, directory, symlink: exit 2 naming it within the lock timeout",
    "test/reliability/hostile-state.test.ts",
    /^lock /,
  ],
  [
    "hostile",
    "unbounded read: a 700 MB sparse file in place of the CA copy regtrust wrote",
    "test/reliability/hostile-state.test.ts",
    /700 MB sparse/,
  ],
  [
    "hostile",
    "terminal controls (ESC/CSI, OSC 52/8, C1, CR, bidi, LF) in a certificate: diagnose, chain, inspect, audit text/SARIF",
    "test/reliability/hostile-text.test.ts",
    /^(diagnose|chain|inspect|audit|--json|the shipped)/,
  ],
  [
    "hostile",
    "terminal controls in Kubernetes event and pull messages: k8s why, k8s pulls",
    "test/reliability/hostile-text.test.ts",
    /^k8s /,
  ],
  ["hostile", "the output boundary, character by character", "src/core/terminal-text.test.ts", /./],
  [
    "memory",
    "scan streams: no DiagnoseResult retained after it is written (40 and 400 targets, --json)",
    "src/scan/scan-memory.test.ts",
    /./,
  ],
  ["fuzz", "target parser", "test/reliability/readers.fuzz.test.ts", /target parser/],
  ["fuzz", "PEM/DER/PKCS#7 reader", "test/reliability/readers.fuzz.test.ts", /PEM/],
  ["fuzz", "hosts.toml", "test/reliability/readers.fuzz.test.ts", /hosts\.toml/],
  ["fuzz", "containerd config.toml", "test/reliability/readers.fuzz.test.ts", /config\.toml/],
  ["fuzz", "k3s registries.yaml", "test/reliability/readers.fuzz.test.ts", /registries\.yaml/],
  ["fuzz", "docker daemon.json", "test/reliability/readers.fuzz.test.ts", /daemon\.json/],
  ["fuzz", "containers registries.conf", "test/reliability/readers.fuzz.test.ts", /registries\.conf/],
  ["fuzz", "k8s manifest reader (scan)", "test/reliability/readers.fuzz.test.ts", /manifest/],
  ["fuzz", "pull-error classifier", "test/reliability/readers.fuzz.test.ts", /classifier/],
  [
    "fuzz",
    "journal reader (content and file kind)",
    "test/reliability/readers.fuzz.test.ts",
    /journal reader/,
  ],
  ["fuzz", "lock reader (content and file kind)", "test/reliability/readers.fuzz.test.ts", /lock reader/],
  [
    "secrets",
    "redaction of credentials (usernames too) in diffs and repeated runtime texts",
    "src/core/redact.test.ts",
    /./,
  ],
  [
    "secrets",
    "node commands, text and --json, scanned for planted secrets",
    "test/reliability/secrets.test.ts",
    /./,
  ],
  [
    "secrets",
    "k8s why/pulls/status and export cloud-init/ansible scanned (kubeconfig, pull secret, pod env, events, env)",
    "test/reliability/secrets-k8s-export.test.ts",
    /./,
  ],
  [
    "disk",
    "injected ENOSPC/EROFS/EACCES during apply: typed error, originals intact",
    "src/plan/apply-failure.test.ts",
    /./,
  ],
  [
    "disk",
    "real full disk (filled tmpfs) and read-only bind mount during `insecure`: clean error, originals intact",
    "test/reliability/disk-full-readonly.test.ts",
    /./,
  ],
];

const files = [...new Set(CASES.map((c) => c[2]))];

const present = files.filter((f) => existsSync(f));
const env = { ...process.env, REGTRUST_CRASH_ITERATIONS: process.env.REGTRUST_CRASH_ITERATIONS ?? "12" };
// One process per file: Node 20's TAP output names the file only for failures.
const results = [];
const seedLines = [];
let status = 0;
for (const file of present) {
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", "--test", "--test-reporter=tap", "--test-timeout=600000", file],
    { env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
  );
  process.stderr.write(run.stderr);
  if (run.status !== 0) status = 1;
  /** Leaf tests: `ok N - name` whose YAML block does not say type: 'suite'. */
  const lines = run.stdout.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace("# \\# ", "# ");
    if (/^# (crash seed|fuzz seed|kill points)/.test(line)) seedLines.push(line);
    const m = /^\s*(not )?ok \d+ - (.*?)(\s+# (SKIP|TODO).*)?$/.exec(lines[i]);
    if (!m) continue;
    let suite = false;
    for (let j = i + 1; j < Math.min(i + 40, lines.length) && !/^\s*\.\.\.$/.test(lines[j]); j++) {
      if (/type: 'suite'/.test(lines[j])) suite = true;
    }
    if (!suite) results.push({ file, name: m[2].replace(/\\#/g, "#"), ok: !m[1], skipped: Boolean(m[3]) });
  }
}
for (const line of seedLines) console.log(line);

const rows = CASES.map(([category, name, file, pattern]) => {
  const hits = results.filter((r) => r.file === file && pattern.test(r.name) && !r.skipped);
  const status = hits.length === 0 ? "NOT COVERED" : hits.every((r) => r.ok) ? "held" : "FAILED";
  return [
    category,
    name,
    `${status}${hits.length ? ` (${hits.filter((r) => r.ok).length}/${hits.length})` : ""}`,
    file,
  ];
});
const head = ["category", "case", "result", "evidence"];
const width = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
const fmt = (r) => r.map((v, c) => v.padEnd(width[c])).join(" | ");
console.log(`\n${fmt(head)}\n${width.map((w) => "-".repeat(w)).join("-|-")}`);
for (const r of rows) console.log(fmt(r));
const failed = rows.filter((r) => r[2].startsWith("FAILED")).length;
const missing = rows.filter((r) => r[2].startsWith("NOT COVERED")).length;
console.log(
  `\n${rows.length} cases: ${rows.length - failed - missing} held, ${failed} failed, ${missing} not covered (crash iterations ${env.REGTRUST_CRASH_ITERATIONS})`,
);
process.exit(failed > 0 || status !== 0 ? 1 : 0);
