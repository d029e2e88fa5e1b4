/**
 * Runs `work` over `items` with at most `limit` in flight, in item order of
 * start. A slow item holds one slot only, so the others keep flowing. Keeps
 * nothing: work consumes its own result as it completes (scan streams each
 * one), so memory does not grow with the number of items.
 */
export async function forEachPool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
