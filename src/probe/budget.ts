/**
 * One overall deadline for a probe. Every network stage waits through
 * `withinBudget`, so a peer that stops answering at any stage (a tarpit)
 * costs at most the time left, and the stage reports ETIMEDOUT instead of
 * hanging.
 */
export class Budget {
  readonly #deadline: number;
  /** The caller's cancellation, if any; aborting it rejects with its reason. */
  readonly signal: AbortSignal | undefined;

  constructor(timeoutMs: number, signal?: AbortSignal) {
    this.#deadline = performance.now() + Math.max(0, timeoutMs);
    this.signal = signal;
  }

  remainingMs(): number {
    return Math.max(0, this.#deadline - performance.now());
  }
}

/** The error a stage gets when the budget ran out; classified as a `timeout` NetError. */
export class BudgetExpired extends Error {
  override name = "BudgetExpired";
  readonly code = "ETIMEDOUT";

  constructor(what: string) {
    super(`no answer in time while ${what}`);
  }
}

/**
 * Waits for `work` until the budget runs out. On expiry or cancellation
 * `release` runs first (destroy the socket the stage was using), then the
 * promise rejects with BudgetExpired or the abort reason. The timer is
 * referenced on purpose: a fake resolver that never settles must still end.
 */
export async function withinBudget<T>(
  budget: Budget,
  what: string,
  work: Promise<T>,
  release: () => void = () => {},
): Promise<T> {
  // A late rejection from abandoned work must not become an unhandled rejection.
  work.catch(() => {});
  budget.signal?.throwIfAborted();
  const remaining = budget.remainingMs();
  if (remaining <= 0) {
    release();
    throw new BudgetExpired(what);
  }
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      release();
      reject(new BudgetExpired(what));
    }, remaining);
    onAbort = () => {
      release();
      reject(budget.signal?.reason);
    };
    budget.signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([work, stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort) budget.signal?.removeEventListener("abort", onAbort);
  }
}
