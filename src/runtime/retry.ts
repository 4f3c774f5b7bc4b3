/**
 * Retry policy as a value. Delays use "full jitter" (a random delay between 0 and the capped
 * exponential bound), which spreads retries of many writers so they don't return as one herd.
 */
export interface RetryPolicy {
  /** Consecutive attempts without progress before giving up. */
  maxAttempts: number;
  /** Delay bound of the first retry. */
  baseDelayMs: number;
  /** The exponential bound never exceeds this. */
  maxDelayMs: number;
  /** Time without progress before giving up, whatever the attempt count. */
  budgetMs: number;
}

/** For data-plane requests (Scan, BatchWriteItem): patient, because giving up fails the copy. */
export const DATA_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 30,
  baseDelayMs: 50,
  maxDelayMs: 20_000,
  budgetMs: 10 * 60_000,
});

/** For control-plane requests (Describe*, Create/Delete/UpdateTable): fail fast on a dead endpoint. */
export const CONTROL_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 6,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  budgetMs: 60_000,
});

/**
 * For operations that change a table (Create/Delete/UpdateTable, UpdateTimeToLive): AWS caps how many
 * run at once per account and region (500, and 250 creations with indexes) and answers the excess with
 * LimitExceededException. Copying many tables meets that cap as a queue, not as a failure, so these
 * wait for minutes rather than seconds.
 */
export const TABLE_OPERATION_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 40,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  budgetMs: 15 * 60_000,
});

/** The delay before retry number `attempt` (1-based). */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.floor(random() * bound);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Counts attempts without progress and tells when the policy's budget is spent. */
export class RetryBudget {
  private attempts = 0;
  private since = Date.now();

  constructor(private readonly policy: RetryPolicy) {}

  /** Work moved forward: the budget starts again. */
  progressed(): void {
    this.attempts = 0;
    this.since = Date.now();
  }

  /** Records a failed attempt; returns the delay to wait, or undefined when the budget is spent. */
  failed(): number | undefined {
    this.attempts += 1;
    if (this.attempts >= this.policy.maxAttempts) return undefined;
    if (Date.now() - this.since >= this.policy.budgetMs) return undefined;
    return backoffDelay(this.policy, this.attempts);
  }

  get attemptsWithoutProgress(): number {
    return this.attempts;
  }
}
