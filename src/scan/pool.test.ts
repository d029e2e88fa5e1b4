import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { forEachPool } from "./pool.ts";

/** Results by index, as a caller that keeps them would. */
async function mapPool<R>(items: number[], limit: number, work: (item: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  await forEachPool(items, limit, async (item, index) => {
    results[index] = await work(item);
  });
  return results;
}

describe("forEachPool", () => {
  const cases: Array<[string, number, number]> = [
    ["limit below item count", 10, 3],
    ["limit above item count", 3, 8],
    ["limit of one runs serially", 5, 1],
    ["no items", 0, 4],
  ];
  for (const [name, count, limit] of cases) {
    test(name, async () => {
      let inFlight = 0;
      let peak = 0;
      const items = Array.from({ length: count }, (_, i) => i);
      const results = await mapPool(items, limit, async (item) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        // Later items finish first, so order must come from the index, not completion.
        await new Promise((resolve) => setTimeout(resolve, (count - item) * 2));
        inFlight--;
        return item * 10;
      });
      assert.deepEqual(
        results,
        items.map((i) => i * 10),
      );
      assert.ok(peak <= Math.max(1, limit), `peak ${peak} > limit ${limit}`);
      if (count >= limit) assert.equal(peak, count === 0 ? 0 : limit);
    });
  }

  test("a stuck item holds one slot; the rest still finish", async () => {
    let release: () => void = () => {};
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const finished: number[] = [];
    const all = mapPool([0, 1, 2, 3, 4], 2, async (item) => {
      if (item === 0) await stuck;
      finished.push(item);
      return item;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(finished, [1, 2, 3, 4]);
    release();
    assert.deepEqual(await all, [0, 1, 2, 3, 4]);
  });
});
