import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  backoffDelay,
  CONTROL_RETRY_POLICY,
  DATA_RETRY_POLICY,
  RetryBudget,
  type RetryPolicy,
  sleep,
  TABLE_OPERATION_RETRY_POLICY,
} from '../../src/runtime/retry.js';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, budgetMs: 60_000 };

afterEach(() => {
  vi.useRealTimers();
});

describe('backoffDelay', () => {
  it('is 0 when the random draw is 0', () => {
    for (let attempt = 1; attempt <= 40; attempt++) expect(backoffDelay(policy, attempt, () => 0)).toBe(0);
  });

  it('stays below the exponential bound base * 2^(attempt-1)', () => {
    const almostOne = (): number => 0.999_999;
    expect(backoffDelay(policy, 1, almostOne)).toBe(99);
    expect(backoffDelay(policy, 2, almostOne)).toBe(199);
    expect(backoffDelay(policy, 3, almostOne)).toBe(399);
    expect(backoffDelay(policy, 4, almostOne)).toBe(799);
  });

  it('never exceeds maxDelayMs, even for huge attempt numbers', () => {
    const almostOne = (): number => 0.999_999;
    expect(backoffDelay(policy, 5, almostOne)).toBe(999);
    expect(backoffDelay(policy, 1_000, almostOne)).toBe(999);
    expect(backoffDelay(DATA_RETRY_POLICY, 10_000, almostOne)).toBeLessThan(DATA_RETRY_POLICY.maxDelayMs);
  });

  it('scales linearly with the draw (full jitter)', () => {
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(200);
    expect(backoffDelay(policy, 3, () => 0.25)).toBe(100);
  });

  it('uses Math.random by default, within bounds', () => {
    for (let i = 0; i < 200; i++) {
      const value = backoffDelay(CONTROL_RETRY_POLICY, 3);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(CONTROL_RETRY_POLICY.baseDelayMs * 4);
    }
  });
});

describe('RetryBudget', () => {
  it('gives delays until maxAttempts attempts without progress, then undefined', () => {
    const budget = new RetryBudget(policy);
    const delays = [budget.failed(), budget.failed(), budget.failed()];
    for (const [i, d] of delays.entries()) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(policy.baseDelayMs * 2 ** i);
    }
    expect(budget.attemptsWithoutProgress).toBe(3);
    expect(budget.failed()).toBeUndefined();
    expect(budget.attemptsWithoutProgress).toBe(4);
  });

  it('starts again after progressed()', () => {
    const budget = new RetryBudget(policy);
    budget.failed();
    budget.failed();
    budget.failed();
    budget.progressed();
    expect(budget.attemptsWithoutProgress).toBe(0);
    expect(budget.failed()).toBeTypeOf('number');
    expect(budget.failed()).toBeTypeOf('number');
    expect(budget.failed()).toBeTypeOf('number');
    expect(budget.failed()).toBeUndefined();
  });

  it('gives up once budgetMs passed without progress, whatever the attempt count', () => {
    vi.useFakeTimers();
    const budget = new RetryBudget({ ...policy, maxAttempts: 1_000, budgetMs: 5_000 });
    expect(budget.failed()).toBeTypeOf('number');
    vi.advanceTimersByTime(4_999);
    expect(budget.failed()).toBeTypeOf('number');
    vi.advanceTimersByTime(1);
    expect(budget.failed()).toBeUndefined();
    budget.progressed();
    expect(budget.failed()).toBeTypeOf('number');
  });
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    vi.useFakeTimers();
    let done = false;
    const slept = sleep(1_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await slept;
    expect(done).toBe(true);
  });

  it('resolves at once for 0 or less', async () => {
    await expect(sleep(0)).resolves.toBeUndefined();
    await expect(sleep(-5)).resolves.toBeUndefined();
  });

  it('rejects with the reason when the signal aborts, and clears its timer', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(slept).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const reason = new Error('already');
    await expect(sleep(10, AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});

describe('sleep and the table-operation policy (what mutation testing found untested)', () => {
  it('leaves no abort listener behind once it has slept: a long follow sleeps thousands of times on one signal', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 3; i++) await sleep(1, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('waits out the account limit on table operations for minutes, not seconds (a queue, not a failure)', () => {
    vi.useFakeTimers({ now: 0 });
    const budget = new RetryBudget(TABLE_OPERATION_RETRY_POLICY);
    let waited = 0;
    // Bounded: a policy without limits must fail the assertions below, not hang the test.
    for (let delay = budget.failed(); delay !== undefined && waited < 3_600_000; delay = budget.failed()) {
      // Each pause taken at its longest (30 s): the budget, not luck, decides when it stops.
      waited += TABLE_OPERATION_RETRY_POLICY.maxDelayMs;
      vi.setSystemTime(waited);
    }
    expect(budget.attemptsWithoutProgress).toBeGreaterThanOrEqual(20);
    expect(waited).toBeGreaterThanOrEqual(10 * 60_000);
    expect(waited).toBeLessThan(3_600_000);
  });
});
