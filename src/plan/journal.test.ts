import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type AppliedRecord,
  claimsOutside,
  commitRun,
  emptyJournal,
  expiredInsecureTargets,
  type Journal,
  type PathChangeRecord,
} from "./journal.ts";

const dirCreated = (path: string): PathChangeRecord => ({
  path,
  owner: "dir",
  before: { type: "absent" },
  after: { type: "dir", mode: 0o755 },
});

function record(id: string, target: string, extra: Partial<AppliedRecord> = {}): AppliedRecord {
  return {
    id,
    target,
    action: "trust",
    appliedAt: "2026-03-01T10:00:00Z",
    meta: {},
    changes: [],
    claims: [],
    commands: [],
    commandResults: null,
    ...extra,
  };
}

describe("journal transitions", () => {
  it("a commit appends the record, clears pending, remembers created dirs and shared edits", () => {
    const start: Journal = {
      ...emptyJournal(),
      pending: { id: "r1", target: "a", action: "trust", startedAt: "", pid: 1, snapshots: [] },
    };
    const shared: PathChangeRecord = {
      path: "/etc/containerd/config.toml",
      owner: "edit",
      before: { type: "absent" },
      after: { type: "absent" },
    };
    const next = commitRun(start, {
      runId: "r1",
      target: "a",
      action: "trust",
      appliedAt: "t",
      meta: {},
      changes: [dirCreated("/etc/x")],
      shared: [{ key: "k", change: shared }],
      commands: [{ kind: "refresh", argv: ["true"], reason: "r" }],
    });
    assert.equal(next.pending, null);
    assert.equal(next.revision, start.revision + 1);
    assert.deepEqual(next.records[0]?.claims, ["k"]);
    assert.deepEqual(next.createdDirs, ["/etc/x"]);
    assert.ok(next.shared.k);
    assert.equal(next.unfinishedCommands?.runId, "r1");
  });

  it("an undo commit drops its records, released shared edits and removed dirs", () => {
    const start: Journal = {
      ...emptyJournal(),
      records: [record("r1", "a", { claims: ["k"] }), record("r2", "b", { claims: ["k"] })],
      shared: { k: { key: "k", change: dirCreated("/x") }, j: { key: "j", change: dirCreated("/y") } },
      createdDirs: ["/etc/x", "/etc/y"],
    };
    const next = commitRun(start, {
      runId: "u1",
      target: "a",
      action: "untrust",
      appliedAt: "t",
      meta: {},
      changes: [
        { path: "/etc/x", owner: "dir", before: { type: "dir", mode: 0o755 }, after: { type: "absent" } },
      ],
      shared: [],
      commands: [],
      undo: { recordIds: ["r1"], releasedShared: ["j"] },
    });
    assert.deepEqual(
      next.records.map((r) => r.id),
      ["r2"],
    );
    assert.deepEqual(Object.keys(next.shared), ["k"]);
    assert.deepEqual(next.createdDirs, ["/etc/y"]);
  });

  it("counts a shared edit as needed while any record outside the undo claims it", () => {
    const journal: Journal = {
      ...emptyJournal(),
      records: [record("r1", "a", { claims: ["k"] }), record("r2", "b", { claims: ["k", "j"] })],
    };
    assert.deepEqual([...claimsOutside(journal, new Set(["r1"]))].sort(), ["j", "k"]);
    assert.deepEqual([...claimsOutside(journal, new Set(["r1", "r2"]))], []);
  });

  const expiry: [string, string | undefined, string[]][] = [
    ["before expiry", "2026-03-01T12:00:00Z", []],
    ["at expiry", "2026-03-01T11:00:00Z", ["a"]],
    ["no expiry recorded", undefined, []],
  ];
  for (const [name, expiresAt, expected] of expiry) {
    it(`expiredInsecureTargets: ${name}`, () => {
      const meta: Record<string, string> = expiresAt ? { expiresAt } : {};
      const journal: Journal = {
        ...emptyJournal(),
        records: [record("r1", "a", { action: "insecure", meta })],
      };
      assert.deepEqual(expiredInsecureTargets(journal, new Date("2026-03-01T11:00:00Z")), expected);
    });
  }
});
