/**
 * The counters of a follow: records read and applied, the writes they came to, and how far behind the
 * source the target is. The follow engine adds to them; renderers and the summary read them.
 */
import { performance } from 'node:perf_hooks';

/** Records per second over the last few seconds: a follow's rate changes with the source's writes. */
const RATE_WINDOW_MS = 5_000;

/** A follow's counters, updated as records are applied and read by a renderer on its own schedule. */
export class FollowStats {
  /** Stream records read (those older than the follow's start included). */
  records = 0;
  /** Records older than the follow's start: the copy already holds their effect. */
  skipped = 0;
  /** Items put and keys deleted on the target (a key changed twice in one page is written once). */
  puts = 0;
  deletes = 0;
  consumedWrite = 0;
  /** Shards being read now, and read to their end. */
  shardsReading = 0;
  shardsDone = 0;
  /** Per shard being read: the creation time (ms) of its last applied record, or 0 when it is at its tip. */
  private readonly behind = new Map<string, number>();
  private readonly recent: { at: number; records: number }[] = [];
  private readonly startedAt = performance.now();

  get elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /** A page of `count` records applied on `shard`; `lastCreatedAt` is its last record's creation time. */
  applied(shard: string, count: number, lastCreatedAt: number | undefined): void {
    this.records += count;
    if (lastCreatedAt !== undefined) this.behind.set(shard, lastCreatedAt);
    this.recent.push({ at: performance.now(), records: count });
  }

  /** The shard's last read found nothing new: it is at its tip, no lag. */
  atTip(shard: string): void {
    this.behind.set(shard, 0);
  }

  /** The shard is no longer read (ended, or the follow stopped). */
  forget(shard: string): void {
    this.behind.delete(shard);
  }

  /**
   * Seconds the target is behind the source: now minus the creation time of the last applied record,
   * on the shard furthest behind; 0 when every shard is at its tip. DynamoDB rounds creation times
   * down (to the second; DynamoDB Local to the minute), so this over-states the lag by up to that.
   */
  lagSeconds(now = Date.now()): number {
    let lag = 0;
    for (const createdAt of this.behind.values()) {
      if (createdAt > 0) lag = Math.max(lag, (now - createdAt) / 1000);
    }
    return Math.round(lag * 10) / 10;
  }

  /** Records per second over the last five seconds. */
  recordsPerSecond(): number {
    const now = performance.now();
    while (this.recent.length > 0 && now - this.recent[0]!.at > RATE_WINDOW_MS) this.recent.shift();
    const total = this.recent.reduce((sum, entry) => sum + entry.records, 0);
    return Math.round(total / Math.min(RATE_WINDOW_MS / 1000, Math.max(1, this.elapsedMs / 1000)));
  }
}
