import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InputError } from "../core/errors.ts";
import {
  combinePlans,
  editFile,
  newPlan,
  type Plan,
  parsePlan,
  refreshCommand,
  restartCommand,
  serialisePlan,
  sha256Hex,
  validatePlan,
  writeOwnedFile,
} from "./plan.ts";

describe("plan model", () => {
  it("editFile records the hash of the content it was computed from", () => {
    const change = editFile("/etc/a", "old", "new", "why", { shared: "k" });
    assert.equal(change.expectSha256, sha256Hex("old"));
    assert.equal(change.shared, "k");
    assert.equal(editFile("/etc/b", null, "new", "why").expectSha256, null);
  });

  it("round-trips through JSON, bytes included", () => {
    const plan = newPlan("r:1", "trust", {
      changes: [
        writeOwnedFile("/etc/ca.der", Uint8Array.of(0x30, 0x82, 0, 1), "DER"),
        writeOwnedFile("/etc/t", "text", "t"),
      ],
      commands: [restartCommand("containerd", "r")],
      meta: { expiresAt: "2026-01-01T00:00:00Z" },
    });
    const back = parsePlan(serialisePlan(plan));
    assert.deepEqual(back.changes[0], plan.changes[0]);
    assert.ok((back.changes[0] as { content: unknown }).content instanceof Uint8Array);
    assert.deepEqual(back, plan);
  });

  it("combines planners' plans, running a shared refresh command once", () => {
    const refresh = refreshCommand(["update-ca-certificates"], "bundle");
    const a = newPlan("r", "trust", {
      changes: [writeOwnedFile("/a", "a", "a")],
      commands: [refresh],
      notes: ["n"],
    });
    const b = newPlan("r", "trust", {
      changes: [writeOwnedFile("/b", "b", "b")],
      commands: [refresh],
      notes: ["n"],
    });
    const combined = combinePlans("r", "trust", [a, b]);
    assert.deepEqual(
      combined.changes.map((c) => c.path),
      ["/a", "/b"],
    );
    assert.equal(combined.commands.length, 1);
    assert.deepEqual(combined.notes, ["n"]);
  });

  const invalid: [string, Plan, RegExp][] = [
    ["no target", newPlan(" ", "trust"), /no target/],
    [
      "a relative path",
      newPlan("r", "trust", { changes: [writeOwnedFile("etc/x", "", "")] }),
      /not an absolute/,
    ],
    [
      "the same path twice",
      newPlan("r", "trust", {
        changes: [writeOwnedFile("/etc/x", "", ""), writeOwnedFile("/etc//x", "", "")],
      }),
      /twice/,
    ],
    [
      "a bad mode",
      newPlan("r", "trust", { changes: [writeOwnedFile("/etc/x", "", "", 0o70000)] }),
      /invalid mode/,
    ],
    [
      "an empty command",
      newPlan("r", "trust", { commands: [{ kind: "refresh", argv: [], reason: "" }] }),
      /invalid command/,
    ],
  ];
  for (const [name, plan, message] of invalid) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => validatePlan(plan),
        (e: unknown) => e instanceof InputError && message.test(e.message),
      );
    });
  }
});
