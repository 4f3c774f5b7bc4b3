import { afterEach, describe, expect, it, vi } from 'vitest';
import { Pacer } from '../../src/runtime/pacer.js';

afterEach(() => {
  vi.useRealTimers();
});

/** Runs `workers` loops that each take `units` as fast as the pacer allows; returns a stop + count. */
function drive(pacer: Pacer, units: number, workers = 1) {
  let taken = 0;
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      await pacer.take(units);
      taken += 1;
    }
  });
  return {
    taken: () => taken,
    stop: async () => {
      running = false;
      await vi.advanceTimersByTimeAsync(10_000);
      await Promise.all(loops);
    },
  };
}

describe('Pacer', () => {
  it('lets the limit through per second (fake clock)', async () => {
    vi.useFakeTimers();
    const pacer = new Pacer(100, () => Date.now());
    const run = drive(pacer, 10);
    await vi.advanceTimersByTimeAsync(2_000);
    // 10 units each at 100 units/s: one take every 100 ms, plus the first one at once.
    expect(run.taken()).toBeGreaterThanOrEqual(20);
    expect(run.taken()).toBeLessThanOrEqual(21);
    await run.stop();
  });

  it('is shared: several workers together stay at the limit', async () => {
    vi.useFakeTimers();
    const pacer = new Pacer(100, () => Date.now());
    const run = drive(pacer, 10, 4);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(run.taken()).toBeGreaterThanOrEqual(19);
    expect(run.taken()).toBeLessThanOrEqual(24);
    await run.stop();
  });

  it('holds the rate over about one second of real time', async () => {
    const pacer = new Pacer(200);
    const started = performance.now();
    let taken = 0;
    while (performance.now() - started < 1_000) {
      await pacer.take(20);
      taken += 1;
    }
    // 200 units/s in takes of 20: about 10 per second (+1 for the first, which is free).
    expect(taken).toBeGreaterThanOrEqual(8);
    expect(taken).toBeLessThanOrEqual(13);
  });

  it('settle() charges what a request really cost', async () => {
    vi.useFakeTimers();
    const pacer = new Pacer(100, () => Date.now());
    await pacer.take(10);
    pacer.settle(40);
    let done = false;
    const next = pacer.take(1).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await next;
    expect(done).toBe(true);
  });

  it('saves up at most a tenth of a second of unused capacity', async () => {
    vi.useFakeTimers();
    const pacer = new Pacer(100, () => Date.now());
    await vi.advanceTimersByTimeAsync(10_000);
    let immediate = 0;
    for (;;) {
      let passed = false;
      const take = pacer.take(50).then(() => {
        passed = true;
      });
      await Promise.resolve();
      await Promise.resolve();
      if (!passed) {
        await vi.advanceTimersByTimeAsync(1_000);
        await take;
        break;
      }
      immediate += 1;
    }
    // 10 saved tokens (0.1 s at 100/s): the take at 10 passes, the next (at -40) waits.
    expect(immediate).toBe(1);
  });

  it('throttled() halves the rate, at most once per second', async () => {
    let t = 0;
    const pacer = new Pacer(100, () => t);
    expect(pacer.currentRate).toBe(100);
    pacer.throttled();
    expect(pacer.currentRate).toBe(50);
    t = 500;
    pacer.throttled();
    t = 999;
    pacer.throttled();
    expect(pacer.currentRate).toBe(50);
    t = 1_000;
    pacer.throttled();
    // It had climbed back by 100/30 units/s in that second before being halved again.
    expect(pacer.currentRate).toBeCloseTo((50 + 100 / 30) / 2, 6);
  });

  it('never cuts below 5% of the limit', () => {
    let t = 0;
    const pacer = new Pacer(100, () => t);
    for (let i = 0; i < 20; i++, t += 1_000) pacer.throttled();
    expect(pacer.currentRate).toBe(5);
  });

  it('recovers linearly to the limit in about 30 s', async () => {
    let t = 0;
    const pacer = new Pacer(100, () => t);
    for (; pacer.currentRate > 5; t += 1_000) pacer.throttled();
    const cutAt = t - 1_000;
    // take(0) refills (and never waits: the bucket is not in debt).
    const rateAt = async (ms: number): Promise<number> => {
      t = cutAt + ms;
      await pacer.take(0);
      return pacer.currentRate;
    };
    expect(await rateAt(0)).toBe(5);
    expect(await rateAt(3_000)).toBeCloseTo(15, 6);
    expect(await rateAt(15_000)).toBeCloseTo(55, 6);
    expect(await rateAt(27_000)).toBeCloseTo(95, 6);
    expect(await rateAt(30_000)).toBe(100);
    expect(await rateAt(60_000)).toBe(100);
  });

  it('slows the actual pace after throttling', async () => {
    vi.useFakeTimers();
    const pacer = new Pacer(100, () => Date.now());
    const run = drive(pacer, 10);
    await vi.advanceTimersByTimeAsync(1_000);
    const before = run.taken();
    pacer.throttled();
    await vi.advanceTimersByTimeAsync(2_000);
    const during = run.taken() - before;
    // About 50-57 units/s for two seconds: 10 to 12 takes of 10, not the unthrottled 20.
    expect(during).toBeGreaterThanOrEqual(9);
    expect(during).toBeLessThanOrEqual(13);
    await run.stop();
  });

  it('without a limit never waits and ignores throttling', async () => {
    vi.useFakeTimers();
    const pacer = new Pacer(undefined);
    for (let i = 0; i < 1_000; i++) await pacer.take(1e9);
    pacer.settle(1e12);
    pacer.throttled();
    await pacer.take(1e9);
    expect(vi.getTimerCount()).toBe(0);
    expect(pacer.currentRate).toBe(Number.POSITIVE_INFINITY);
    expect(pacer.limit).toBeUndefined();
  });

  it('take() rejects when its signal aborts while waiting', async () => {
    vi.useFakeTimers();
    const pacer = new Pacer(1, () => Date.now());
    await pacer.take(100);
    const controller = new AbortController();
    const waiting = pacer.take(1, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});
