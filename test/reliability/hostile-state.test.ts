/**
 * Issue #23 (1–3): regtrust's own state (journal.json, lock) and the files it
 * manages, replaced or tampered with. The shipped dist/regtrust.mjs runs as a
 * child process, killed after 45 s (the lock timeout is 30 s), so a hang
 * fails the test instead of the run. Every case must end with exit 2, a
 * message naming the file, and nothing changed — in the root or outside it.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, stat, symlink, truncate, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { REPO_ROOT } from "../../src/plan/testing/support.ts";
import { runCommand } from "../support/processes.ts";
import { TempDirs } from "../support/tmp.ts";
import { buildDebianNode, treeChecksum } from "../trust/node.ts";

const HOST = "repo.example.com:5000";
const STATE = "var/lib/regtrust";
const CLI = join(REPO_ROOT, "dist/regtrust.mjs");
const CONFIG =
  'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n';
const dirs = new TempDirs();
after(() => dirs.cleanup());
let caFile = "";

before(async () => {
  assert.ok(existsSync(CLI), "dist/regtrust.mjs is missing: run `npm run build` first");
  const pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
  caFile = join(await dirs.make("ca"), "root.pem");
  await writeFile(caFile, pki.root.certPem);
});

async function cli(args: string[]) {
  const run = await runCommand([process.execPath, CLI, ...args], { timeoutMs: 45_000 });
  const shown = `${args.join(" ")}: exit ${run.code}${run.timedOut ? " (killed after 45 s)" : ""}\n${run.stdout}\n${run.stderr}`;
  return { ...run, shown };
}

const COMMANDS: Record<string, () => string[]> = {
  audit: () => ["audit"],
  trust: () => ["trust", HOST, "--ca", caFile, "--runtime", "containerd,system", "--timeout", "1000"],
  untrust: () => ["untrust", HOST],
};

async function expectRefusal(root: string, command: string, file: RegExp): Promise<void> {
  const before = await treeChecksum(root);
  const run = await cli([...COMMANDS[command]!(), "--root", root]);
  assert.equal(run.timedOut, false, run.shown);
  assert.equal(run.code, 2, run.shown);
  assert.match(run.stderr, file, run.shown);
  assert.doesNotMatch(run.stderr, /internal error/, run.shown);
  assert.deepEqual(await treeChecksum(root), before, "the node changed");
}

async function node(): Promise<string> {
  const root = await buildDebianNode(dirs, { "/etc/containerd/config.toml": CONFIG });
  await mkdir(join(root, STATE), { recursive: true, mode: 0o700 });
  return root;
}

/** What replaces a state file: each was reproduced by hand in issue #23. */
const REPLACEMENTS: Record<string, (path: string, outside: string) => Promise<void>> = {
  FIFO: async (path) => {
    execFileSync("mkfifo", [path]);
  },
  directory: (path) => mkdir(path).then(() => undefined),
  "symlink to /dev/zero": (path) => symlink("/dev/zero", path),
  "symlink out of the root": async (path, outside) => {
    await writeFile(join(outside, "shadow"), '{"version":1}');
    await symlink(join(outside, "shadow"), path);
  },
  "65 MiB sparse file": async (path) => {
    await writeFile(path, "");
    await truncate(path, 65 * 1024 * 1024);
  },
};

describe("journal.json replaced: refused naming it, exit 2, no hang", () => {
  for (const [label, replace] of Object.entries(REPLACEMENTS)) {
    for (const command of Object.keys(COMMANDS)) {
      it(`journal ${label}: ${command} refuses`, async () => {
        const root = await node();
        await replace(join(root, STATE, "journal.json"), await dirs.make("outside"));
        await expectRefusal(root, command, /journal\.json/);
      });
    }
  }
});

describe("lock replaced: refused naming it within the lock timeout, exit 2", () => {
  for (const [label, replace] of Object.entries(REPLACEMENTS)) {
    if (label.includes("sparse")) continue;
    for (const command of ["trust", "untrust"]) {
      it(`lock ${label}: ${command} refuses`, async () => {
        const root = await node();
        // untrust of a registry regtrust never touched ends before it needs the lock (nothing to remove):
        // trust it first so untrust has a record to undo and must take the lock.
        if (command === "untrust") await cli([...COMMANDS.trust!(), "--root", root]);
        await replace(join(root, STATE, "lock"), await dirs.make("outside"));
        await expectRefusal(root, command, /regtrust\/lock/);
      });
    }
  }
});

/** The parts of a journal the tampering cases edit (src/plan/journal.ts has the full type). */
interface JournalJson {
  records: { id: string; changes: { path: string; before: unknown; after: { type: string } }[] }[];
  createdDirs: string[];
  pending?: unknown;
  unfinishedCommands?: unknown;
}

/** A node trusted once, so the journal has a record and trust wrote a CA copy. */
async function trustedNode(): Promise<{ root: string; journal: JournalJson }> {
  const root = await node();
  const run = await cli([...COMMANDS.trust!(), "--root", root]);
  assert.ok(run.code === 0 || run.code === 1, run.shown);
  const journal = JSON.parse(await readFile(join(root, STATE, "journal.json"), "utf8"));
  assert.ok(journal.records.length > 0, "trust recorded its run");
  return { root, journal };
}

async function tamper(root: string, journal: unknown): Promise<void> {
  await writeFile(join(root, STATE, "journal.json"), JSON.stringify(journal), { mode: 0o600 });
}

describe("tampered journal: nothing outside the root is touched", () => {
  it("pending.id climbing out of the directory: untrust and trust refuse, the outside file stays", async () => {
    const { root, journal } = await trustedNode();
    const outside = await dirs.make("victim");
    const victim = join(outside, "victim.tmp");
    await writeFile(victim, "precious");
    const change = journal.records[0]!.changes.find(
      (c: { after: { type: string } }) => c.after.type === "file",
    );
    assert.ok(change, "trust wrote a file");
    // tempPathFor: join(dir, `.${name}.regtrust-${runId}.tmp`); the id's ../ climbs from dir to `outside`.
    const climb = "../".repeat(change.path.split("/").length + root.split("/").length);
    journal.pending = {
      id: `x/${climb}${outside.slice(1)}/victim`,
      target: HOST,
      action: "trust",
      startedAt: new Date().toISOString(),
      pid: 1,
      snapshots: [{ path: change.path, state: change.before }],
    };
    await tamper(root, journal);
    for (const command of ["untrust", "trust"]) {
      await expectRefusal(root, command, /journal\.json.*pending\.id/s);
      assert.equal(await readFile(victim, "utf8"), "precious", `${command} touched ${victim}`);
    }
  });

  const TAMPERED: Record<string, (j: JournalJson) => void> = {
    "record id with a slash": (j) => {
      j.records[0]!.id = "../../../../tmp/x";
    },
    "record path with ..": (j) => {
      j.records[0]!.changes[0]!.path = "/etc/../../../etc/shadow";
    },
    "relative created directory": (j) => {
      j.createdDirs.push("etc/containerd");
    },
    "unfinished command that regtrust never plans": (j) => {
      j.unfinishedCommands = {
        runId: j.records[0]!.id,
        commands: [{ kind: "refresh", reason: "x", argv: ["sh", "-c", "touch /tmp/regtrust-pwned"] }],
      };
    },
    "unknown state type": (j) => {
      j.records[0]!.changes[0]!.before = { type: "symlink", target: "/etc/shadow" };
    },
  };
  for (const [label, edit] of Object.entries(TAMPERED)) {
    it(`${label}: untrust refuses naming the field`, async () => {
      const { root, journal } = await trustedNode();
      edit(journal as never);
      await tamper(root, journal);
      await expectRefusal(root, "untrust", /journal\.json: (records|createdDirs|unfinishedCommands)/);
    });
  }
});

describe("unbounded reads of node files", () => {
  it("the CA copy regtrust wrote replaced by a 700 MB sparse file: untrust refuses it, exit 2", async () => {
    const { root, journal } = await trustedNode();
    const copy = journal.records[0]!.changes.find(
      (c: { path: string; after: { type: string } }) => c.after.type === "file" && c.path.endsWith(".crt"),
    );
    assert.ok(copy, "trust wrote a CA copy");
    const host = join(root, copy.path);
    await unlink(host);
    await writeFile(host, "");
    await truncate(host, 700 * 1024 * 1024);
    const run = await cli(["untrust", HOST, "--root", root]);
    assert.equal(run.timedOut, false, run.shown);
    assert.equal(run.code, 2, run.shown);
    assert.match(run.stderr, new RegExp(`${copy.path.replace(/\./g, "\\.")}.*larger than`), run.shown);
    assert.equal((await stat(host)).size, 700 * 1024 * 1024, "the file was left alone");
  });
});
