import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { applyPlan, recoverInterrupted } from "./apply.ts";
import { PlanApplyError } from "./errors.ts";
import { type FsOps, realFsOps } from "./fs-ops.ts";
import { DEFAULT_JOURNAL_DIR, locateJournal, readJournal } from "./journal-store.ts";
import { editFile, newPlan, type Plan, writeOwnedFile } from "./plan.ts";
import { nodeTree, trustPlan } from "./testing/fixture-plans.ts";
import { makeRoot, removeRoot, treeChecksum } from "./testing/support.ts";

const HOST = "repo.example.com:11000";
const roots: string[] = [];
after(async () => {
  for (const root of roots) await removeRoot(root);
});

async function freshRoot(): Promise<string> {
  const root = await makeRoot(nodeTree());
  roots.push(root);
  return root;
}

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: simulated, write`), { code });
}

/** Real primitives, except that the n-th call (1-based) of `op` whose path matches fails with `code`. */
function failingOps(op: keyof FsOps, n: number, code: string, pathPart = ""): FsOps {
  let calls = 0;
  const wrapped = { ...realFsOps } as Record<keyof FsOps, (...args: never[]) => Promise<void>>;
  const real = realFsOps[op] as (...args: unknown[]) => Promise<void>;
  wrapped[op] = async (...args: unknown[]) => {
    if (String(args[0]).includes(pathPart) && ++calls === n) throw errno(code);
    return real(...args);
  };
  return wrapped as unknown as FsOps;
}

async function journalOf(root: string) {
  return readJournal(await locateJournal(root, DEFAULT_JOURNAL_DIR, { create: false }));
}

describe("applyPlan failures (injected through the fs-ops seam)", () => {
  const cases: { name: string; ops: FsOps; failure: string }[] = [
    {
      name: "ENOSPC on the third file",
      ops: failingOps("writeNewFile", 3, "ENOSPC", "/etc/"),
      failure: "no-space",
    },
    { name: "EROFS at a rename", ops: failingOps("rename", 2, "EROFS", "/etc/"), failure: "read-only" },
    {
      name: "EACCES creating a directory",
      ops: failingOps("mkdir", 1, "EACCES", "/etc/"),
      failure: "permission",
    },
    {
      name: "ENOSPC committing the journal",
      ops: failingOps("writeNewFile", 2, "ENOSPC", "journal.json"),
      failure: "no-space",
    },
  ];
  for (const { name, ops, failure } of cases) {
    it(`${name}: clean typed error, originals intact, journal clean`, async () => {
      const root = await freshRoot();
      const tree = await treeChecksum(root);
      await assert.rejects(applyPlan(await trustPlan(root, HOST), { root, fsOps: ops }), (e: unknown) => {
        assert.ok(e instanceof PlanApplyError, String(e));
        assert.equal(e.failure, failure);
        assert.equal(e.rolledBack, true);
        assert.match(e.message, /nothing was changed, every file is as before/);
        return true;
      });
      assert.deepEqual(await treeChecksum(root), tree);
      const journal = await journalOf(root);
      assert.equal(journal.pending, null);
      assert.deepEqual(journal.records, []);
    });
  }

  it("a read-only root where regtrust cannot even create its directory", async () => {
    const root = await freshRoot();
    const tree = await treeChecksum(root, []);
    const ops = failingOps("mkdir", 1, "EROFS", "regtrust");
    await assert.rejects(
      applyPlan(await trustPlan(root, HOST), { root, fsOps: ops }),
      (e: unknown) =>
        e instanceof PlanApplyError && e.failure === "read-only" && /nothing was changed/.test(e.message),
    );
    assert.deepEqual(await treeChecksum(root, []), tree);
  });

  it("the write-ahead entry itself failing touches no file", async () => {
    const root = await freshRoot();
    const tree = await treeChecksum(root);
    const ops = failingOps("writeNewFile", 1, "ENOSPC", "journal.json");
    await assert.rejects(applyPlan(await trustPlan(root, HOST), { root, fsOps: ops }), /no space left/);
    assert.deepEqual(await treeChecksum(root), tree);
  });

  it("a failing rollback says so, and the next run finishes it", async () => {
    const root = await freshRoot();
    const tree = await treeChecksum(root);
    let broken = false;
    const ops: FsOps = {
      ...realFsOps,
      writeNewFile: async (path, data, mode, owner) => {
        if (path.includes("registries.yaml")) broken = true;
        if (broken) throw errno("EROFS");
        return realFsOps.writeNewFile(path, data, mode, owner);
      },
    };
    await assert.rejects(
      applyPlan(await trustPlan(root, HOST), { root, fsOps: ops }),
      (e: unknown) =>
        e instanceof PlanApplyError && !e.rolledBack && /next regtrust run will finish/.test(e.message),
    );
    assert.notEqual((await journalOf(root)).pending, null);
    const report = await recoverInterrupted({ root });
    assert.equal(report?.target, HOST);
    assert.deepEqual(await treeChecksum(root), tree);
    assert.equal((await journalOf(root)).pending, null);
  });
});

/**
 * A directory that really refuses writes. Root ignores permission bits, so as
 * root we use a read-only tmpfs mount (or, without mount rights, the immutable
 * attribute); as another user, chmod 0555 suffices.
 */
async function readOnlyDir(
  dir: string,
  file: string,
): Promise<{ mechanism: string; undo: () => void } | null> {
  await mkdir(dir, { recursive: true });
  if (process.getuid?.() !== 0) {
    await writeFile(join(dir, file), "original\n");
    await chmod(dir, 0o555);
    return { mechanism: "chmod 0555 (not root)", undo: () => execFileSync("chmod", ["0755", dir]) };
  }
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir], { stdio: "ignore" });
    await writeFile(join(dir, file), "original\n");
    execFileSync("mount", ["-o", "remount,ro", dir], { stdio: "ignore" });
    return { mechanism: "read-only tmpfs mount", undo: () => execFileSync("umount", [dir]) };
  } catch {
    // no mount rights (unprivileged container): try the immutable attribute
  }
  try {
    await writeFile(join(dir, file), "original\n");
    execFileSync("chattr", ["+i", dir], { stdio: "ignore" });
    return { mechanism: "chattr +i", undo: () => execFileSync("chattr", ["-i", dir]) };
  } catch {
    return null;
  }
}

describe("applyPlan on a directory that really refuses writes", () => {
  it("fails cleanly with the originals intact (mechanism chosen by privilege, seam as last resort)", async (t) => {
    const root = await freshRoot();
    const guard = await readOnlyDir(join(root, "etc/ro"), "config.toml");
    t.diagnostic(
      `read-only mechanism: ${guard?.mechanism ?? "none available; EROFS injected through fs-ops"}`,
    );
    const plan: Plan = newPlan(HOST, "trust", {
      changes: [
        writeOwnedFile("/etc/first.crt", "new\n", "written before the failure"),
        editFile("/etc/ro/config.toml", "original\n", "changed\n", "on the read-only filesystem"),
      ],
    });
    if (!guard) await writeFile(join(root, "etc/ro/config.toml"), "original\n");
    const tree = await treeChecksum(root);
    const fsOps = guard ? realFsOps : failingOps("writeNewFile", 1, "EROFS", "/etc/ro/");
    try {
      await assert.rejects(applyPlan(plan, { root, fsOps }), (e: unknown) => {
        assert.ok(e instanceof PlanApplyError, String(e));
        assert.ok(["read-only", "permission"].includes(e.failure), e.failure);
        assert.equal(e.path, "/etc/ro/config.toml");
        assert.equal(e.rolledBack, true);
        return true;
      });
      assert.deepEqual(await treeChecksum(root), tree);
    } finally {
      guard?.undo();
    }
  });
});
