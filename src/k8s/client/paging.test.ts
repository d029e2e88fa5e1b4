import assert from "node:assert/strict";
import { test } from "node:test";
import type { ListQuery, Page } from "./kube-api.ts";
import { listAll, pages } from "./paging.ts";

function fakeList(items: number[]) {
  const calls: ListQuery[] = [];
  const list = async (q: ListQuery): Promise<Page<number>> => {
    calls.push(q);
    const start = q.continue ? Number(q.continue) : 0;
    const end = Math.min(items.length, start + (q.limit ?? items.length));
    return { items: items.slice(start, end), continue: end < items.length ? String(end) : null };
  };
  return { list, calls };
}

test("pages follows continue tokens with the same query and limit", async () => {
  const { list, calls } = fakeList([1, 2, 3, 4, 5]);
  const seen: number[][] = [];
  for await (const page of pages(list, { fieldSelector: "a=b" }, 2)) seen.push(page);
  assert.deepEqual(seen, [[1, 2], [3, 4], [5]]);
  assert.deepEqual(calls, [
    { fieldSelector: "a=b", limit: 2 },
    { fieldSelector: "a=b", limit: 2, continue: "2" },
    { fieldSelector: "a=b", limit: 2, continue: "4" },
  ]);
});

test("listAll gathers every page; an empty list is one call", async () => {
  assert.deepEqual(await listAll(fakeList([1, 2, 3]).list, {}, 2), [1, 2, 3]);
  const empty = fakeList([]);
  assert.deepEqual(await listAll(empty.list, {}, 2), []);
  assert.equal(empty.calls.length, 1);
});
