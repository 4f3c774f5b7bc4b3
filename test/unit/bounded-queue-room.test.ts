import { describe, expect, it } from 'vitest';
import { BoundedQueue } from '../../src/runtime/bounded-queue.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('BoundedQueue.roomForMore', () => {
  it('resolves at once while there is room and nobody waits to push', async () => {
    const queue = new BoundedQueue<number>(2);
    await queue.roomForMore();
    await queue.push(1);
    await queue.roomForMore();
  });

  it('waits while the queue is full, and lets one producer go per pop', async () => {
    const queue = new BoundedQueue<number>(2);
    await queue.push(1);
    await queue.push(2);
    const released: string[] = [];
    const a = queue.roomForMore().then(() => released.push('a'));
    const b = queue.roomForMore().then(() => released.push('b'));
    await tick();
    expect(released).toEqual([]);
    await queue.pop();
    await tick();
    expect(released).toEqual(['a']);
    await queue.pop();
    await a;
    await b;
    expect(released).toEqual(['a', 'b']);
  });

  it('lets a waiting push go before a producer that would fetch more', async () => {
    const queue = new BoundedQueue<number>(1);
    await queue.push(1);
    const order: string[] = [];
    const pushed = queue.push(2).then(() => order.push('push'));
    const room = queue.roomForMore().then(() => order.push('room'));
    await tick();
    expect(await queue.pop()).toBe(1);
    await pushed;
    await tick();
    expect(order).toEqual(['push']);
    expect(await queue.pop()).toBe(2);
    await room;
    expect(order).toEqual(['push', 'room']);
  });

  it('lets every producer go when a consumer finds the queue empty, and when it closes', async () => {
    const queue = new BoundedQueue<number>(1);
    await queue.push(1);
    const waiting = [queue.roomForMore(), queue.roomForMore()];
    expect(await queue.pop()).toBe(1); // frees one
    const next = queue.pop(); // finds it empty: everyone may fetch
    await Promise.all(waiting);
    queue.close();
    expect(await next).toBeUndefined();
    const full = new BoundedQueue<number>(1);
    await full.push(1);
    const late = full.roomForMore();
    full.close();
    await late;
  });

  it('counts the weight bound as room too', async () => {
    const queue = new BoundedQueue<number>(10, 5, (n) => n);
    await queue.push(5);
    let released = false;
    const room = queue.roomForMore().then(() => {
      released = true;
    });
    await tick();
    expect(released).toBe(false);
    await queue.pop();
    await room;
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
