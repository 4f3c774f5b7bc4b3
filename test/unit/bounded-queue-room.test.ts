/**
 * BoundedQueue.roomForMore: when a producer may fetch more. Every wait is checked as a state after the
 * pending callbacks ran ('released' or 'waiting'), so a producer that is never let go fails an
 * assertion at once instead of hanging until the test times out.
 */
import { describe, expect, it } from 'vitest';
import { BoundedQueue } from '../../src/runtime/bounded-queue.js';

/** Lets pending promise callbacks run. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A promise's state, watched from now on: read `.state` after a tick. */
function watch(promise: Promise<unknown>): { readonly state: 'waiting' | 'released' } {
  const watched = { state: 'waiting' as 'waiting' | 'released' };
  void promise.then(() => {
    watched.state = 'released';
  });
  return watched;
}

/** Whether `promise` has resolved once the pending callbacks have run. */
async function stateAfterTick(promise: Promise<unknown>): Promise<'waiting' | 'released'> {
  const watched = watch(promise);
  await tick();
  return watched.state;
}

describe('BoundedQueue.roomForMore', () => {
  it('resolves at once while there is room and nobody waits to push', async () => {
    const queue = new BoundedQueue<number>(2);
    expect(await stateAfterTick(queue.roomForMore())).toBe('released');
    expect(await queue.push(1)).toBe(true);
    expect(await stateAfterTick(queue.roomForMore())).toBe('released');
    expect(await queue.push(2)).toBe(true);
    // Full now: the next producer waits.
    expect(await stateAfterTick(queue.roomForMore())).toBe('waiting');
  });

  it('waits while the queue is full, and lets one producer go per pop', async () => {
    const queue = new BoundedQueue<number>(2);
    await queue.push(1);
    await queue.push(2);
    const released: string[] = [];
    void queue.roomForMore().then(() => released.push('a'));
    void queue.roomForMore().then(() => released.push('b'));
    await tick();
    expect(released).toEqual([]);
    expect(await queue.pop()).toBe(1);
    await tick();
    expect(released).toEqual(['a']);
    expect(await queue.pop()).toBe(2);
    await tick();
    expect(released).toEqual(['a', 'b']);
  });

  it('lets a waiting push go before a producer that would fetch more', async () => {
    const queue = new BoundedQueue<number>(1);
    await queue.push(1);
    const order: string[] = [];
    void queue.push(2).then(() => order.push('push'));
    void queue.roomForMore().then(() => order.push('room'));
    await tick();
    expect(order).toEqual([]);
    expect(await queue.pop()).toBe(1);
    await tick();
    expect(order).toEqual(['push']);
    expect(queue.size).toBe(1);
    expect(await queue.pop()).toBe(2);
    await tick();
    expect(order).toEqual(['push', 'room']);
  });

  it('lets every producer go when a consumer finds the queue empty', async () => {
    const queue = new BoundedQueue<number>(1);
    await queue.push(1);
    const waiting = [watch(queue.roomForMore()), watch(queue.roomForMore())];
    await tick();
    expect(waiting.map((w) => w.state)).toEqual(['waiting', 'waiting']);
    expect(await queue.pop()).toBe(1); // frees one place: one producer goes
    await tick();
    expect(waiting.map((w) => w.state)).toEqual(['released', 'waiting']);
    const next = watch(queue.pop()); // finds it empty: everyone may fetch
    await tick();
    expect(waiting.map((w) => w.state)).toEqual(['released', 'released']);
    expect(next.state).toBe('waiting');
    queue.close();
    await tick();
    expect(next.state).toBe('released');
    expect(await queue.pop()).toBeUndefined();
  });

  it('lets a waiting producer go when the queue closes, and every later one at once', async () => {
    const full = new BoundedQueue<number>(1);
    await full.push(1);
    const late = watch(full.roomForMore());
    await tick();
    expect(late.state).toBe('waiting');
    full.close();
    await tick();
    expect(late.state).toBe('released');
    expect(await stateAfterTick(full.roomForMore())).toBe('released');
  });

  it('counts the weight bound as room too', async () => {
    const queue = new BoundedQueue<number>(10, 5, (n) => n);
    await queue.push(5);
    const room = watch(queue.roomForMore());
    await tick();
    expect(room.state).toBe('waiting');
    expect(await queue.pop()).toBe(5);
    await tick();
    expect(room.state).toBe('released');
  });

  it('lets a producer fetch while the queued weight is under the limit', async () => {
    const queue = new BoundedQueue<number>(10, 5, (n) => n);
    await queue.push(3);
    expect(await stateAfterTick(queue.roomForMore())).toBe('released');
  });

  it('holds a producer while a push waits, even with places free by count', async () => {
    // 4 queued, a push of 3 waits for weight: the places are free, but the room is the waiting push's.
    const queue = new BoundedQueue<number>(10, 5, (n) => n);
    await queue.push(4);
    const push = watch(queue.push(3));
    const room = watch(queue.roomForMore());
    await tick();
    expect(push.state).toBe('waiting');
    expect(room.state).toBe('waiting');
    expect(await queue.pop()).toBe(4);
    await tick();
    expect(push.state).toBe('released');
  });

  it('keeps its storage to what is queued: emptied when drained, compacted after many pops', async () => {
    const storage = (queue: BoundedQueue<number>) => (queue as unknown as { items: unknown[] }).items.length;
    const small = new BoundedQueue<number>(10);
    for (let i = 0; i < 3; i++) await small.push(i);
    for (let i = 0; i < 3; i++) await small.pop();
    expect(storage(small)).toBe(0);
    const large = new BoundedQueue<number>(5000);
    for (let i = 0; i < 3000; i++) await large.push(i);
    for (let i = 0; i < 2000; i++) expect(await large.pop()).toBe(i);
    expect(large.size).toBe(1000);
    expect(storage(large)).toBeLessThanOrEqual(2000);
    expect(await large.pop()).toBe(2000);
  });

  it('does not keep popped values reachable', async () => {
    const queue = new BoundedQueue<object>(4);
    await queue.push({});
    await queue.push({});
    await queue.pop();
    // The slot is cleared: the queue's storage holds only what is still queued.
    expect((queue as unknown as { items: unknown[] }).items.filter((v) => v !== undefined)).toHaveLength(1);
  });
});
