/**
 * A FIFO with a fixed capacity between producers (scanners) and consumers (writers): `push` waits while
 * the queue is full, which is what keeps memory flat whatever the table size. Full means `capacity`
 * values, or (with `weigh`) `maxWeight` in total: batches of 400 KB items weigh 400 times more than
 * batches of 1 KB items, and memory is bounded in bytes, not in batches. One value is always let in,
 * whatever its weight, so a huge value cannot block the queue forever.
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private head = 0;
  private readonly waitingPushers: Array<() => void> = [];
  private readonly waitingPoppers: Array<(value: T | undefined) => void> = [];
  private closed = false;
  private weight = 0;

  constructor(
    readonly capacity: number,
    readonly maxWeight = Number.POSITIVE_INFINITY,
    private readonly weigh: (value: T) => number = () => 0,
  ) {
    if (capacity < 1) throw new RangeError('capacity must be at least 1');
  }

  /** The summed weight of the values queued now. */
  get totalWeight(): number {
    return this.weight;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Waits for room, then enqueues. Returns false (and drops the value) once the queue is closed. */
  async push(value: T): Promise<boolean> {
    const weight = this.weigh(value);
    while (
      !this.closed &&
      (this.size >= this.capacity || (this.size > 0 && this.weight + weight > this.maxWeight))
    ) {
      await new Promise<void>((resolve) => this.waitingPushers.push(resolve));
    }
    if (this.closed) return false;
    const popper = this.waitingPoppers.shift();
    if (popper) popper(value);
    else {
      this.items.push(value);
      this.weight += weight;
    }
    return true;
  }

  /** The next value, or undefined once the queue is closed and empty. */
  async pop(): Promise<T | undefined> {
    if (this.size > 0) {
      const value = this.items[this.head] as T;
      this.head += 1;
      this.weight -= this.weigh(value);
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items.splice(0, this.head);
        this.head = 0;
      }
      this.waitingPushers.shift()?.();
      return value;
    }
    if (this.closed) return undefined;
    return new Promise((resolve) => this.waitingPoppers.push(resolve));
  }

  /** No more pushes: consumers drain what is queued, then get undefined. */
  close(): void {
    this.closed = true;
    for (const pusher of this.waitingPushers.splice(0)) pusher();
    for (const popper of this.waitingPoppers.splice(0)) popper(undefined);
  }

  /** Closes and forgets what is queued (after a failure or an interrupt: it will be rescanned). */
  discard(): void {
    this.items.length = 0;
    this.head = 0;
    this.weight = 0;
    this.close();
  }
}
