import { describe, expect, it } from 'vitest';
import { BoundedQueue } from '../../src/runtime/bounded-queue.js';

/** Lets pending promise callbacks run. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('BoundedQueue', () => {
  it('rejects a capacity below 1', () => {
    expect(() => new BoundedQueue(0)).toThrow(new RangeError('capacity must be at least 1'));
  });

  it('is first in, first out', async () => {
    const queue = new BoundedQueue<number>(5);
    for (const n of [1, 2, 3]) await queue.push(n);
    expect(queue.size).toBe(3);
    expect([await queue.pop(), await queue.pop(), await queue.pop()]).toEqual([1, 2, 3]);
    expect(queue.size).toBe(0);
  });

  it('makes push wait while the queue is full, until a pop makes room', async () => {
    const queue = new BoundedQueue<string>(2);
    await queue.push('a');
    await queue.push('b');
    let pushed = false;
    const third = queue.push('c').then((accepted) => {
      pushed = accepted;
    });
    await tick();
    expect(pushed).toBe(false);
    expect(queue.size).toBe(2);
    expect(await queue.pop()).toBe('a');
    await third;
    expect(pushed).toBe(true);
    expect(queue.size).toBe(2);
    expect([await queue.pop(), await queue.pop()]).toEqual(['b', 'c']);
  });

  it('never holds more than its capacity with many producers', async () => {
    const queue = new BoundedQueue<number>(3);
    let maxSize = 0;
    const producers = Array.from({ length: 5 }, async (_, p) => {
      for (let i = 0; i < 20; i++) {
        await queue.push(p * 100 + i);
        maxSize = Math.max(maxSize, queue.size);
      }
    });
    const received: number[] = [];
    const consumer = (async () => {
      for (let value = await queue.pop(); value !== undefined; value = await queue.pop()) {
        received.push(value);
        await tick();
      }
    })();
    await Promise.all(producers);
    queue.close();
    await consumer;
    expect(maxSize).toBeLessThanOrEqual(3);
    expect(received.sort((a, b) => a - b)).toEqual(
      Array.from({ length: 5 }, (_, p) => Array.from({ length: 20 }, (_, i) => p * 100 + i)).flat(),
    );
  });

  it('hands a value straight to a waiting pop', async () => {
    const queue = new BoundedQueue<number>(1);
    const popped = queue.pop();
    await queue.push(42);
    expect(await popped).toBe(42);
    expect(queue.size).toBe(0);
  });

  it('close lets consumers drain what is queued, then gives undefined', async () => {
    const queue = new BoundedQueue<number>(4);
    await queue.push(1);
    await queue.push(2);
    queue.close();
    expect(await queue.push(3)).toBe(false);
    expect(await queue.pop()).toBe(1);
    expect(await queue.pop()).toBe(2);
    expect(await queue.pop()).toBeUndefined();
    expect(await queue.pop()).toBeUndefined();
  });

  it('close wakes waiting pops with undefined and waiting pushes with false', async () => {
    const queue = new BoundedQueue<number>(1);
    const popper = new BoundedQueue<number>(1);
    const waitingPop = popper.pop();
    popper.close();
    expect(await waitingPop).toBeUndefined();

    await queue.push(1);
    const waitingPush = queue.push(2);
    queue.close();
    expect(await waitingPush).toBe(false);
    expect(await queue.pop()).toBe(1);
    expect(await queue.pop()).toBeUndefined();
  });

  it('discard drops what is queued and closes', async () => {
    const queue = new BoundedQueue<number>(2);
    await queue.push(1);
    await queue.push(2);
    const blocked = queue.push(3);
    queue.discard();
    expect(await blocked).toBe(false);
    expect(queue.size).toBe(0);
    expect(await queue.pop()).toBeUndefined();
    expect(await queue.push(4)).toBe(false);
  });

  it('keeps order across its internal compaction', async () => {
    const queue = new BoundedQueue<number>(5000);
    for (let i = 0; i < 3000; i++) await queue.push(i);
    const out: number[] = [];
    for (let i = 0; i < 2000; i++) out.push((await queue.pop())!);
    for (let i = 3000; i < 3500; i++) await queue.push(i);
    queue.close();
    for (let value = await queue.pop(); value !== undefined; value = await queue.pop()) out.push(value);
    expect(out).toEqual(Array.from({ length: 3500 }, (_, i) => i));
  });
});

describe('BoundedQueue by weight', () => {
  it('lets a value in that brings the queued weight exactly to the limit', async () => {
    const queue = new BoundedQueue<number>(100, 10, (n) => n);
    await queue.push(5);
    let second = false;
    void queue.push(5).then(() => {
      second = true;
    });
    await tick();
    expect(second).toBe(true);
    expect(queue.totalWeight).toBe(10);
  });

  it('holds pushers while the queued weight would pass the limit, but always lets one value in', async () => {
    const queue = new BoundedQueue<number>(100, 10, (n) => n);
    await queue.push(6);
    let second = false;
    const pending = queue.push(6).then(() => {
      second = true;
    });
    await Promise.resolve();
    expect(second).toBe(false);
    expect(queue.totalWeight).toBe(6);
    expect(await queue.pop()).toBe(6);
    await pending;
    expect(second).toBe(true);
    expect(queue.totalWeight).toBe(6);
    expect(await queue.pop()).toBe(6);
    // Heavier than the limit on its own: let in when the queue is empty.
    await queue.push(50);
    expect(queue.totalWeight).toBe(50);
    queue.discard();
    expect(queue.totalWeight).toBe(0);
  });
});
