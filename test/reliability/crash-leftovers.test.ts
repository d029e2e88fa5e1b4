/**
 * Issue #10 (2): what the kill -9 loop (cli-crash-concurrency) found, made
 * deterministic. Each state is built from a completed run by editing the
 * journal as the kill leaves it; the next run must succeed and be exact.
 * - Killed while trust's commands ran (`unfinishedCommands` set), leaving
 *   the journal's `<run>-cmd` temp file: the next run writes the same temp
 *   name (fs-ops.ts tempPathFor) and failed with EEXIST.
 * - Killed during update-ca-certificates, leaving its half-built
 *   `ca-certificates.crt.new`: its next run appends to it, so the installed
 *   bundle held the half bundle on top of the whole one.
 * - Killed during update-ca-certificates after it linked the new CA but before
 *   `openssl rehash`: a plain re-run finds every link in place, skips the
 *   rehash, and the CA's hash link was never made (OpenSSL's CApath lookup
 *   missed the CA).
 * - Killed just before the commit (`pending` set, every file new): a re-run of
 *   trust planned against the half-applied node, applyPlan's recovery then
 *   rolled the files back under it, and the run failed with a "changed since
 *   the plan was made" conflict.
 */
import assert from "node:assert/strict";
import { readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { runCli } from "../integration/cli.ts";
import { TempDirs } from "../support/tmp.ts";
import { buildDebianNode } from "../trust/node.ts";
import { type Tree, treeState } from "./crash-support.ts";

const HOST = "repo.example.com:5000";
const JOURNAL = "var/lib/regtrust/journal.json";
const dirs = new TempDirs();
after(() => dirs.cleanup());
let caFile = "";

before(async () => {
  const pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
  caFile = join(await dirs.make("ca"), "root.pem");
  await writeFile(caFile, pki.root.certPem);
});

interface Killed {
  root: string;
  original: Tree;
  /** The tree once `op` ran to the end. */
  done: Tree;
  runId: string;
}

/**
 * A node after `op` ran to the end, its journal edited to what a kill during
 * the run's commands leaves: `unfinishedCommands` set, no command results.
 */
async function killedInCommands(op: "trust" | "untrust"): Promise<Killed> {
  const root = await buildDebianNode(dirs, {
    "/etc/containerd/config.toml":
      'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n',
  });
  const original = await treeState(root);
  await cliOk(["trust", HOST, "--ca", caFile, "--root", root, "--timeout", "1000"]);
  const trusted = JSON.parse(await readFile(join(root, JOURNAL), "utf8"));
  const record = trusted.records.at(-1);
  type Command = { argv: string[]; undoArgv?: string[] };
  const commands: Command[] = record.commands.filter((c: Command) =>
    c.argv[0]!.endsWith("update-ca-certificates"),
  );
  assert.equal(commands.length, 1, "trust refreshes the OS store");
  let runId = record.id;
  if (op === "untrust") {
    await cliOk(["untrust", HOST, "--root", root]);
    // Another well-formed run id (journal-check.ts RUN_ID_PATTERN): untrust's own run.
    runId = `${record.id.slice(0, -8)}${record.id.endsWith("00000000") ? "11111111" : "00000000"}`;
    for (const c of commands) c.argv = c.undoArgv ?? c.argv;
  } else record.commandResults = null;
  const journal = JSON.parse(await readFile(join(root, JOURNAL), "utf8"));
  journal.unfinishedCommands = { runId, commands };
  await writeFile(join(root, JOURNAL), `${JSON.stringify(journal, null, 1)}\n`, { mode: 0o600 });
  return { root, original, done: await treeState(root), runId };
}

async function cliOk(argv: string[]): Promise<string> {
  const run = await runCli(argv);
  assert.equal(run.code, 0, `${argv.join(" ")}:\n${run.stdout}${run.stderr}`);
  return run.stdout;
}

/** The next run: re-runs the interrupted refresh, then undoes (or finds nothing left to undo); exact. */
async function untrustExact({ root, original }: Killed, says = /re-ran 1 refresh command/): Promise<void> {
  assert.match(await cliOk(["untrust", HOST, "--root", root]), says);
  assert.deepEqual(await treeState(root), original);
}

describe("the run after a kill: leftovers and stale plans", () => {
  it("the journal's <run>-cmd temp file does not fail the next run", async () => {
    const killed = await killedInCommands("trust");
    const temp = join(killed.root, `var/lib/regtrust/.journal.json.regtrust-journal-${killed.runId}-cmd.tmp`);
    await writeFile(temp, '{"version":1,"half-writ', { mode: 0o600 });
    await untrustExact(killed);
    const left = (await readdir(join(killed.root, "var/lib/regtrust"))).filter((n) => n.endsWith(".tmp"));
    assert.deepEqual(left, []);
  });

  it("update-ca-certificates' half-built ca-certificates.crt.new does not end up in the bundle", async () => {
    const killed = await killedInCommands("untrust");
    const bundle = await readFile(join(killed.root, "etc/ssl/certs/ca-certificates.crt"), "utf8");
    const half = bundle.slice(0, bundle.indexOf("-----END CERTIFICATE-----") + 26);
    await writeFile(join(killed.root, "etc/ssl/certs/ca-certificates.crt.new"), half);
    await untrustExact(killed);
  });

  it("trust re-run after a kill just before the commit: rolled back first, then applied (not a stale plan)", async () => {
    const root = await buildDebianNode(dirs, {
      "/etc/containerd/config.toml":
        'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n',
    });
    const original = await treeState(root);
    const args = ["trust", HOST, "--ca", caFile, "--root", root, "--timeout", "1000"];
    await cliOk(args);
    const trusted = await treeState(root);
    const journal = JSON.parse(await readFile(join(root, JOURNAL), "utf8"));
    const record = journal.records.pop();
    const snapshots = record.changes.map((c: { path: string; before: unknown }) => ({
      path: c.path,
      state: c.before,
    }));
    const pending = {
      id: record.id,
      target: HOST,
      action: "trust",
      startedAt: record.appliedAt,
      pid: 1,
      snapshots,
    };
    const killed = { ...journal, createdDirs: [], unfinishedCommands: null, pending };
    await writeFile(join(root, JOURNAL), `${JSON.stringify(killed, null, 1)}\n`, { mode: 0o600 });
    assert.match(
      await cliOk(args),
      /an interrupted trust of repo\.example\.com:5000 \(.*\) was rolled back first/,
    );
    assert.deepEqual(await treeState(root), trusted);
    await untrustExact({ root, original, done: trusted, runId: "" }, /./);
  });

  it("killed before update-ca-certificates' rehash: the re-run makes the missing hash link", async () => {
    const killed = await killedInCommands("trust");
    const certs = join(killed.root, "etc/ssl/certs");
    const hashLinks = [];
    for (const name of await readdir(certs)) {
      if (/^[0-9a-f]{8}\.\d$/.test(name) && (await readlink(join(certs, name))).startsWith("regtrust-"))
        hashLinks.push(name);
    }
    assert.equal(hashLinks.length, 1, "trust's CA has its OpenSSL hash link");
    await rm(join(certs, hashLinks[0]!));
    const args = ["trust", HOST, "--ca", caFile, "--root", killed.root, "--timeout", "1000"];
    assert.match(await cliOk(args), /re-ran 1 refresh command/);
    assert.deepEqual(await treeState(killed.root), killed.done);
    await untrustExact(killed, /./);
  });
});
