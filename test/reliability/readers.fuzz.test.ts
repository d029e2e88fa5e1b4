/**
 * Issue #10 (5): property fuzzing of every reader of untrusted input. Each
 * reader must return a value or throw one of the typed errors allowed for it
 * (never TypeError/RangeError/a hang). Allowed per reader:
 * - parseTarget: InputError (bad operator input, exit 2).
 * - classifyPullError: never throws (unknown text → a generic finding).
 * - readCertificates (PEM/DER/PKCS#7): InputError only when no certificate at all; bad blocks are data.
 * - hosts.toml, config.toml, registries.yaml (k3s), daemon.json, registries.conf:
 *   InputError (malformed file, names the file) or HostFsError (unsafe path).
 * - journal.json (issue #23): JournalRefusal naming the file, for any content and any
 *   file kind (FIFO, directory, symlink in or out of the root); a journal it accepts
 *   has only run ids that make a single temp-file name and clean node paths.
 * - lock: acquired, or LockRefusal / PlanApplyError "locked" within the timeout.
 * Seeded: the seed is printed so a failure can be replayed with FC_SEED.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { InputError } from "../../src/core/errors.ts";
import { classifyPullError } from "../../src/k8s/triage/classify-pull-error.ts";
import { readContainerdConfig } from "../../src/node/containerd/config.ts";
import { parseHostsToml } from "../../src/node/containerd/hosts-toml.ts";
import { readRegistriesConf } from "../../src/node/containers/registries-conf.ts";
import { dockerTrustFor } from "../../src/node/docker/docker.ts";
import { HostFs, HostFsError } from "../../src/node/host-fs.ts";
import { k3sTrustFor } from "../../src/node/k3s/k3s.ts";
import { loadYamlParser } from "../../src/node/yaml-parser.ts";
import { readCertificates } from "../../src/pki/read-bundle.ts";
import { PlanApplyError } from "../../src/plan/errors.ts";
import { tempPathFor } from "../../src/plan/fs-ops.ts";
import { isRunId, JournalRefusal } from "../../src/plan/journal-check.ts";
import { locateJournal, readJournal } from "../../src/plan/journal-store.ts";
import { acquireLock, LockRefusal } from "../../src/plan/lock.ts";
import { checkNodePath } from "../../src/plan/safe-path.ts";
import { parseManifests } from "../../src/scan/scan-input.ts";
import { parseTarget } from "../../src/target/parse-target.ts";
import { TempDirs } from "../support/tmp.ts";

// The k3s reader takes the parser that commands load on demand (src/node/yaml-parser.ts).
await loadYamlParser();

const dirs = new TempDirs();
after(() => dirs.cleanup());

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const runs = Number(process.env.REGTRUST_FUZZ_RUNS ?? 200);
console.log(`# fuzz seed ${seed} (replay: FC_SEED=${seed})`);

function typed(allowed: Array<new (...a: never[]) => Error>, fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!allowed.some((t) => e instanceof t)) throw e;
    assert.ok((e as Error).message.length > 0, "typed error without a message");
  }
}

// Text that looks like the formats, then mutated, hits deeper paths than noise.
const tomlish = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc
    .array(
      fc.constantFrom(
        'server = "https://x"\n',
        '[host."https://m:5000"]\n',
        "ca = [1, 2]\n",
        'ca = "../../etc/shadow"\n',
        "skip_verify = 1\n",
        "version = 2\n",
        '[plugins."io.containerd.grpc.v1.cri".registry]\n',
        'config_path = "/etc/x"\n',
        "[[",
        "= =\n",
        'capabilities = ["pull", 3]\n',
        "\u0000",
        'k = """\n',
      ),
      { maxLength: 12 },
    )
    .map((p) => p.join("")),
);
const yamlish = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc
    .array(
      fc.constantFrom(
        "configs:\n",
        "  repo.example.com:5000:\n",
        "    tls:\n",
        "      ca_file: /x\n",
        "      insecure_skip_verify: yes\n",
        "mirrors: [\n",
        "- &a [*a]\n",
        "auth: {password: 1}\n",
        "\t",
        "!!binary x\n",
        "? [a]\n: b\n",
      ),
      { maxLength: 12 },
    )
    .map((p) => p.join("")),
);
const jsonish = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.json(),
  fc
    .array(
      fc.constantFrom(
        '{"insecure-registries":',
        '["repo.example.com:5000"',
        ", 1",
        "null",
        "}",
        "]",
        '"registry-mirrors":{}',
      ),
      { maxLength: 8 },
    )
    .map((p) => p.join("")),
);

function nodeWith(files: Record<string, string | Uint8Array>): HostFs {
  return new HostFs(rootFor(files));
}
let base: string | undefined;
let n = 0;
function rootFor(files: Record<string, string | Uint8Array>): string {
  const root = join(base as string, String(n++));
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), c);
  }
  mkdirSync(root, { recursive: true });
  return root;
}

describe("fuzz: readers of untrusted input (no crash, no hang, typed errors only)", () => {
  it("setup", async () => {
    base = await dirs.make("fuzz");
  });
  it("target parser: InputError only", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ unit: "grapheme", maxLength: 80 }),
          fc.webUrl(),
          fc.domain(),
        ),
        (s) => typed([InputError], () => parseTarget(s)),
      ),
      { seed, numRuns: runs * 5 },
    );
  });
  it("pull-error classifier: never throws", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 2000 }),
          fc
            .constantFrom(
              "x509: certificate signed by unknown authority",
              "tls: failed to verify certificate: x509:",
              "dial tcp: lookup repo.example.com",
              "http: server gave HTTP response to HTTPS client",
            )
            .chain((p) => fc.string().map((s) => p + s + p)),
        ),
        (s) => {
          classifyPullError(s);
        },
      ),
      { seed, numRuns: runs * 5 },
    );
  });
  it("PEM/DER/PKCS#7 reader: InputError only", () => {
    const pemish = fc
      .array(
        fc.constantFrom(
          "-----BEGIN CERTIFICATE-----\n",
          "-----END CERTIFICATE-----\n",
          "MIIB",
          "AAAA\n",
          "-----BEGIN PKCS7-----\n",
          "-----END PKCS7-----\n",
          "====\n",
        ),
        { maxLength: 10 },
      )
      .map((p) => new TextEncoder().encode(p.join("")));
    const derish = fc
      .uint8Array({ maxLength: 600 })
      .map((b) => Uint8Array.from([0x30, 0x82, (b.length >> 8) & 0xff, b.length & 0xff, ...b]));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }), pemish, derish), (bytes) => {
        typed([InputError], () => readCertificates(bytes, "fuzz.crt"));
      }),
      { seed, numRuns: runs * 2 },
    );
  });
  it("hosts.toml reader: InputError only", () => {
    fc.assert(
      fc.property(tomlish, (t) =>
        typed([InputError], () => parseHostsToml(t, "/etc/containerd/certs.d/repo.example.com")),
      ),
      { seed, numRuns: runs * 2 },
    );
  });
  it("containerd config.toml reader: InputError/HostFsError only", () => {
    fc.assert(
      fc.property(tomlish, (t) =>
        typed([InputError, HostFsError], () =>
          readContainerdConfig(nodeWith({ "/etc/containerd/config.toml": t })),
        ),
      ),
      { seed, numRuns: runs },
    );
  });
  it("k3s registries.yaml reader: InputError/HostFsError only", () => {
    fc.assert(
      fc.property(yamlish, (t) =>
        typed([InputError, HostFsError], () =>
          k3sTrustFor(nodeWith({ "/etc/rancher/k3s/registries.yaml": t }), "repo.example.com:5000", "k3s"),
        ),
      ),
      { seed, numRuns: runs },
    );
  });
  it("k8s manifest reader (scan): InputError only", () => {
    fc.assert(
      fc.property(fc.oneof(yamlish, jsonish), (t) => typed([InputError], () => parseManifests(t, "m.yaml"))),
      { seed, numRuns: runs },
    );
  });
  it("docker daemon.json reader: InputError/HostFsError only", () => {
    fc.assert(
      fc.property(jsonish, (t) =>
        typed([InputError, HostFsError], () =>
          dockerTrustFor(nodeWith({ "/etc/docker/daemon.json": t }), "repo.example.com:5000"),
        ),
      ),
      { seed, numRuns: runs },
    );
  });
  it("containers registries.conf reader: InputError/HostFsError only", () => {
    fc.assert(
      fc.property(tomlish, (t) =>
        typed([InputError, HostFsError], () =>
          readRegistriesConf(nodeWith({ "/etc/containers/registries.conf": t })),
        ),
      ),
      { seed, numRuns: runs },
    );
  });
  it("journal reader: JournalRefusal only; what it accepts is safe to use", async () => {
    await fc.assert(
      fc.asyncProperty(stateKind, journalish, async (kind, text) => {
        const root = rootFor({});
        const dir = join(root, "var/lib/regtrust");
        placeStateFile(kind, join(dir, "journal.json"), text, root);
        const location = await locateJournal(root, "/var/lib/regtrust", { create: false });
        let journal: Awaited<ReturnType<typeof readJournal>>;
        try {
          journal = await readJournal(location);
        } catch (e) {
          if (!(e instanceof JournalRefusal)) throw e;
          assert.match(e.message, /journal\.json/, "the refusal names the file");
          return;
        }
        const ids = [
          ...journal.records.map((r) => r.id),
          ...(journal.pending ? [journal.pending.id] : []),
          ...(journal.unfinishedCommands ? [journal.unfinishedCommands.runId] : []),
        ];
        for (const id of ids) {
          assert.ok(isRunId(id), id);
          assert.equal(dirname(tempPathFor(join(dir, "x"), `recover-${id}`)), dir);
        }
        const paths = [
          ...journal.records.flatMap((r) => r.changes.map((c) => c.path)),
          ...(journal.pending?.snapshots.map((snap) => snap.path) ?? []),
          ...journal.createdDirs,
        ];
        for (const path of paths) checkNodePath(path);
      }),
      { seed, numRuns: runs },
    );
  });
  it("lock reader: acquired, or LockRefusal / locked within the timeout", async () => {
    await fc.assert(
      fc.asyncProperty(stateKind, lockish, async (kind, text) => {
        const root = rootFor({});
        const path = join(root, "var/lib/regtrust/lock");
        placeStateFile(kind, path, text, root);
        try {
          const held = await acquireLock(path, { timeoutMs: 100, pollMs: 10 });
          await held.release();
        } catch (e) {
          const locked = e instanceof PlanApplyError && e.failure === "locked";
          if (!(e instanceof LockRefusal) && !locked) throw e;
          assert.match((e as Error).message, /lock/);
        }
      }),
      { seed, numRuns: Math.ceil(runs / 4) },
    );
  });
});

/** How a state file is replaced (issue #23 found each one by hand). */
const stateKind = fc.constantFrom(
  "file",
  "file",
  "file",
  "missing",
  "fifo",
  "dir",
  "symlink-out",
  "symlink-dev",
  "symlink-in",
);

function placeStateFile(kind: string, path: string, text: string, root: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const outside = join(dirname(root), `outside-${n}`);
  switch (kind) {
    case "missing":
      return;
    case "fifo":
      execFileSync("mkfifo", [path]);
      return;
    case "dir":
      mkdirSync(path);
      return;
    case "symlink-out":
      writeFileSync(outside, text);
      symlinkSync(outside, path);
      return;
    case "symlink-dev":
      symlinkSync("/dev/zero", path);
      return;
    case "symlink-in":
      writeFileSync(`${path}.real`, text);
      symlinkSync(`${path}.real`.slice(root.length), path);
      return;
    default:
      writeFileSync(path, text);
  }
}

const RUN_ID = "20261206T123608123Z-0a1b2c3d";
const hostileString = fc.oneof(
  fc.constantFrom(
    RUN_ID,
    `${RUN_ID}/../../victim`,
    "x/../../../../tmp/victim",
    "../journal",
    "/etc/../../etc/shadow",
    "/etc/containerd/certs.d/repo.example.com:5000/ca.crt",
    "etc/relative",
    "",
    "\u0000",
    "a".repeat(300),
  ),
  fc.string({ maxLength: 40 }),
);
const anyValue = fc.oneof(
  hostileString,
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
);
const state = fc.oneof(
  fc.constant({ type: "absent" }),
  fc.record({
    type: fc.constantFrom("dir", "file", "symlink"),
    mode: fc.oneof(fc.constant(0o644), anyValue),
  }),
  fc.record({
    type: fc.constant("file"),
    mode: fc.constant(0o644),
    uid: fc.constant(0),
    gid: fc.constant(0),
    sha256: fc.oneof(fc.constant("a".repeat(64)), anyValue),
    content: fc.oneof(fc.constant(""), anyValue),
  }),
);
const change = fc.record({
  path: fc.oneof(hostileString, anyValue),
  owner: fc.constant("regtrust"),
  before: state,
  after: state,
});
const command = fc.record({
  kind: fc.constant("refresh"),
  reason: fc.constant("r"),
  argv: fc.oneof(fc.constant(["update-ca-certificates"]), anyValue),
});
const journalObject = fc.record({
  version: fc.oneof(fc.constant(1), anyValue),
  revision: fc.oneof(fc.nat(), anyValue),
  records: fc.oneof(
    fc.array(
      fc.record({
        id: fc.oneof(hostileString, anyValue),
        target: fc.oneof(fc.constant("repo.example.com:5000"), anyValue),
        action: fc.constant("trust"),
        appliedAt: fc.constant(""),
        meta: fc.constant({}),
        changes: fc.oneof(fc.array(change, { maxLength: 3 }), anyValue),
        claims: fc.oneof(fc.constant([]), anyValue),
        commands: fc.oneof(fc.array(command, { maxLength: 2 }), anyValue),
        commandResults: fc.constant(null),
      }),
      { maxLength: 3 },
    ),
    anyValue,
  ),
  shared: fc.oneof(
    fc.constant({}),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.record({ change })),
    anyValue,
  ),
  createdDirs: fc.oneof(fc.array(hostileString, { maxLength: 3 }), anyValue),
  pending: fc.oneof(
    fc.constant(null),
    fc.record({
      id: fc.oneof(hostileString, anyValue),
      target: fc.constant("t"),
      action: fc.constant("trust"),
      startedAt: fc.constant(""),
      pid: fc.nat(),
      snapshots: fc.oneof(
        fc.array(fc.record({ path: fc.oneof(hostileString, anyValue), state }), { maxLength: 3 }),
        anyValue,
      ),
    }),
    anyValue,
  ),
  unfinishedCommands: fc.oneof(
    fc.constant(null),
    fc.record({ runId: fc.oneof(hostileString, anyValue), commands: fc.oneof(fc.array(command), anyValue) }),
  ),
});
const journalish = fc.oneof(
  journalObject.map((j) => JSON.stringify(j)),
  fc.string({ maxLength: 300 }),
  journalObject.map((j) => JSON.stringify(j).slice(0, 50)),
);
const lockish = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constant(""),
  fc
    .record({
      pid: fc.oneof(fc.constant(process.pid), fc.constant(1), fc.integer({ min: 2, max: 2 ** 22 }), anyValue),
      pidNamespace: fc.oneof(fc.constant(null), hostileString),
      startTime: fc.oneof(fc.constant(null), hostileString),
      host: fc.oneof(fc.constant("elsewhere"), hostileString),
      acquiredAt: hostileString,
    })
    .map((o) => JSON.stringify(o)),
);
