/**
 * A FIFO with a fixed capacity between producers (scanners) and consumers (writers): `push` waits while
 * the queue is full, which is what keeps memory flat whatever the table size. Full means `capacity`
 * values, or (with `weigh`) `maxWeight` in total: batches of 400 KB items weigh 400 times more than
 * batches of 1 KB items, and memory is bounded in bytes, not in batches. One value is always let in,
 * whatever its weight, so a huge value cannot block the queue forever.
 */
export class BoundedQueue<T> {
  /** Values from `head` on are queued; the slots before it are cleared, so popped values can be freed. */
  private readonly items: (T | undefined)[] = [];
  private head = 0;
  private readonly waitingPushers: Array<() => void> = [];
  private readonly waitingPoppers: Array<(value: T | undefined) => void> = [];
  private readonly waitingForRoom: Array<() => void> = [];
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

  /**
   * Resolves when the queue has room and no producer is waiting to push: a producer calls it before
   * it fetches more values (a scan page), so that while the queue is full, producers wait here
   * holding nothing instead of each holding a fetched page. Each pop that frees a place lets one
   * such producer go, and only when no push is waiting; when consumers outpace producers, none of
   * them waits. Resolves at once once the queue is closed.
   */
  async roomForMore(): Promise<void> {
    while (!this.closed && !this.hasRoomForMore()) {
      await new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
    }
  }

  private hasRoomForMore(): boolean {
    return (
      this.waitingPushers.length === 0 &&
      this.size < this.capacity &&
      (this.size === 0 || this.weight < this.maxWeight)
    );
  }

  /** The next value, or undefined once the queue is closed and empty. */
  async pop(): Promise<T | undefined> {
    if (this.size > 0) {
      const value = this.items[this.head] as T;
      // Drop the reference now: a popped batch must not stay reachable from here until compaction.
      this.items[this.head] = undefined;
      this.head += 1;
      this.weight -= this.weigh(value);
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.head = 0;
      } else if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items.splice(0, this.head);
        this.head = 0;
      }
      const pusher = this.waitingPushers.shift();
      if (pusher) pusher();
      else this.waitingForRoom.shift()?.();
      return value;
    }
    if (this.closed) return undefined;
    // A consumer waits on an empty queue: every producer may go and fetch.
    for (const producer of this.waitingForRoom.splice(0)) producer();
    return new Promise((resolve) => this.waitingPoppers.push(resolve));
  }

  /** No more pushes: consumers drain what is queued, then get undefined. */
  close(): void {
    this.closed = true;
    for (const pusher of this.waitingPushers.splice(0)) pusher();
    for (const popper of this.waitingPoppers.splice(0)) popper(undefined);
    for (const producer of this.waitingForRoom.splice(0)) producer();
  }

  /** Closes and forgets what is queued (after a failure or an interrupt: it will be rescanned). */
  discard(): void {
    this.items.length = 0;
    this.head = 0;
    this.weight = 0;
    this.close();
  }
}
