import type { ListQuery, Page } from "./kube-api.ts";

/** kubectl's default `--chunk-size`: large lists come in pages of 500. */
export const DEFAULT_CHUNK_SIZE = 500;

/** Upper bound on pages, so a server that keeps answering `continue` cannot loop us forever. */
const MAX_PAGES = 100_000;

/**
 * Yields every page of a list call, following `continue` tokens
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#retrieving-large-results-sets-in-chunks).
 * Callers process a page and drop it, so memory stays bounded by the page size.
 */
export async function* pages<T>(
  list: (query: ListQuery) => Promise<Page<T>>,
  query: Omit<ListQuery, "continue" | "limit">,
  chunkSize: number = DEFAULT_CHUNK_SIZE,
): AsyncGenerator<T[]> {
  let token: string | null = null;
  for (let n = 0; n < MAX_PAGES; n++) {
    const page: Page<T> = await list({ ...query, limit: chunkSize, ...(token ? { continue: token } : {}) });
    yield page.items;
    token = page.continue;
    if (!token) return;
  }
  throw new Error(`the API server kept returning continue tokens after ${MAX_PAGES} pages`);
}

/** Every item of a paged list, for lists known to be small (nodes, one pod's events). */
export async function listAll<T>(
  list: (query: ListQuery) => Promise<Page<T>>,
  query: Omit<ListQuery, "continue" | "limit">,
  chunkSize: number = DEFAULT_CHUNK_SIZE,
): Promise<T[]> {
  const all: T[] = [];
  for await (const items of pages(list, query, chunkSize)) all.push(...items);
  return all;
}
