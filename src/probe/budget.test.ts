import assert from "node:assert/strict";
import { test } from "node:test";
import { Budget, BudgetExpired, withinBudget } from "./budget.ts";

test("withinBudget returns the work's value when it settles in time", async () => {
  assert.equal(await withinBudget(new Budget(1000), "x", Promise.resolve(42)), 42);
});

test("withinBudget rejects with BudgetExpired (ETIMEDOUT) at the deadline and releases the work", async () => {
  let released = false;
  const started = performance.now();
  const never = new Promise<never>(() => {});
  await assert.rejects(
    withinBudget(new Budget(50), "waiting", never, () => {
      released = true;
    }),
    (e: unknown) => e instanceof BudgetExpired && e.code === "ETIMEDOUT",
  );
  assert.ok(released);
  assert.ok(performance.now() - started < 1000);
});

test("one deadline across stages: a later stage only gets what is left", async () => {
  const budget = new Budget(80);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(budget.remainingMs(), 0);
  await assert.rejects(withinBudget(budget, "late", Promise.resolve(1)), BudgetExpired);
});

test("cancellation rejects with the signal's reason", async () => {
  const controller = new AbortController();
  const pending = withinBudget(new Budget(5000, controller.signal), "x", new Promise<never>(() => {}));
  controller.abort(new Error("stop"));
  await assert.rejects(pending, /stop/);
});
