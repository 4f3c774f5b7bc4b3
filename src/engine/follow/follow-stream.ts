/**
 * Follows a table's stream: every shard read in lineage order (parents to their end before their
 * children), each page's changes applied to the target before the shard's position moves past it.
 *
 * Order per key holds by construction: a key lives in one shard at a time and moves to a child only
 * when its shard closes; within a shard, pages are applied one after the other, and a page comes to
 * one write per key. Shards of one generation hold other keys, so they are written in parallel.
 */
import { setMaxListeners } from 'node:events';
import { StreamGapError, StreamIteratorExpiredError } from '../../errors.js';
import type { FollowStats } from '../../runtime/follow-stats.js';
import type { Pacer } from '../../runtime/pacer.js';
import { sleep } from '../../runtime/retry.js';
import { Slots } from '../../runtime/slots.js';
import type {
  ChangePage,
  ChangeRecord,
  ChangeSource,
  ChangeWrite,
  ShardPosition,
  Sink,
  StreamViewType,
} from '../../stores/types.js';
import type { ItemStage } from '../copy/item-stage.js';
import { changeBatches, changeWrites } from './change-writes.js';
import { type LineagePlan, planShards, type ShardProgress } from './shard-lineage.js';

export type { ShardProgress } from './shard-lineage.js';

/** How often the stream is described for new shards while nothing ends (a shard ending triggers one). */
const DESCRIBE_EVERY_MS = 10_000;
/** Pause after an empty page before polling the shard again (Lambda polls four times a second). */
const IDLE_POLL_MS = 250;
/** An open shard is at its tip after this many empty pages in a row ("an empty page is not the end"). */
const EMPTY_PAGES_AT_TIP = 2;
/** Descriptions after a shard ended in which its children may still appear (DescribeStream lags). */
const DESCRIBES_FOR_LATE_CHILDREN = 3;
/** Fresh iterators in a row that may expire before the reader gives up (each is good for 15 minutes). */
const MAX_REOPENS = 5;
/** Warn when the follow is this far behind: the stream keeps records for 24 hours. */
const RETENTION_WARNING_MS = 12 * 3_600_000;

export interface FollowInput {
  changes: ChangeSource;
  sink: Pick<Sink, 'writeChanges'>;
  keyAttributes: readonly string[];
  viewType: StreamViewType;
  stage?: ItemStage | undefined;
  /** The stage may change key attributes (a transform). */
  keysChange?: boolean;
  /** What the run knows of each shard (its record); the engine adds and updates shards. */
  shards: readonly ShardProgress[];
  /** Records created before this time (ms) are skipped: the copy's scan already saw their effect. */
  skipBefore?: number | undefined;
  writeConcurrency: number;
  writePacer: Pacer;
  /** Write requests in flight, shared with other tables of a set. */
  writeSlots?: Slots | undefined;
  /** Return once every shard is at its tip and no shard is left to start (the cut-over moment). */
  untilCaughtUp: boolean;
  stats: FollowStats;
  signal?: AbortSignal | undefined;
  /** Every shard's progress, after each applied page: the run saves it. */
  onProgress?: (shards: ShardProgress[]) => void;
  onWarning?: (message: string) => void;
  /** Overrides for tests: describe interval and idle poll pause, in ms. */
  timing?: { describeEveryMs?: number; idlePollMs?: number };
}

export interface FollowResult {
  status: 'caught-up' | 'interrupted';
  shards: ShardProgress[];
}

/** Follows until caught up (with `untilCaughtUp`) or until the signal aborts; throws on a failure. */
export async function followStream(input: FollowInput): Promise<FollowResult> {
  return new StreamFollower(input).run();
}

class StreamFollower {
  private readonly progress = new Map<string, ShardProgress>();
  /** Shards being read, with their reader. */
  private readonly readers = new Map<string, Promise<void>>();
  /** Empty pages in a row, per shard being read. */
  private readonly emptyPages = new Map<string, number>();
  /** Shards the last description listed as closed: an empty page from one is not its tip. */
  private closed: ReadonlySet<string> = new Set();
  /**
   * Shards read to their end by this run, with the descriptions made since: a shard closes when its
   * children open, but DescribeStream may list them a little later.
   */
  private readonly ended = new Map<string, number>();
  /** The stream is being disabled: closed shards get no children. */
  private disabled = false;
  /** Stops the readers: a failure, the caught-up moment, or the caller's signal. */
  private readonly stop = new AbortController();
  private readonly slots: Slots;
  private failure: unknown;
  private wake: (() => void) | undefined;
  private warnedBehind = false;
  private readonly describeEveryMs: number;
  private readonly idlePollMs: number;

  constructor(private readonly input: FollowInput) {
    for (const shard of input.shards) this.progress.set(shard.shardId, { ...shard });
    this.slots = input.writeSlots ?? new Slots(Math.max(1, input.writeConcurrency));
    // Every reader, write and GetItem waits on this one signal.
    setMaxListeners(0, this.stop.signal);
    this.describeEveryMs = input.timing?.describeEveryMs ?? DESCRIBE_EVERY_MS;
    this.idlePollMs = input.timing?.idlePollMs ?? IDLE_POLL_MS;
  }

  async run(): Promise<FollowResult> {
    const { signal } = this.input;
    const onAbort = (): void => this.stop.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let status: FollowResult['status'];
    try {
      status = await this.loop();
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.stop.abort();
      await Promise.allSettled(this.readers.values());
    }
    // Taken once the readers have stopped: a page written meanwhile has moved its shard's position,
    // and the result must not name an older one than the last onProgress did.
    return { status, shards: this.snapshot() };
  }

  private async loop(): Promise<FollowResult['status']> {
    const stop = this.stop.signal;
    for (;;) {
      if (this.failure) throw this.failure;
      if (stop.aborted) return 'interrupted';
      const described = await this.input.changes.describeStream(stop).catch((error: unknown) => {
        // Stopped meanwhile: the top of the loop says why (a reader's failure, or the caller).
        if (stop.aborted) return undefined;
        throw error;
      });
      if (!described) continue;
      if (this.failure) throw this.failure;
      this.disabled = described.status === 'DISABLED' || described.status === 'DISABLING';
      for (const [shardId, describes] of this.ended) this.ended.set(shardId, describes + 1);
      this.closed = new Set(
        described.shards.filter((shard) => shard.endingSequenceNumber !== undefined).map((s) => s.shardId),
      );
      const plan = planShards(described, this.progress, new Set(this.readers.keys()));
      this.apply(plan);
      // Checked first: a disabled stream records nothing more, so its end is no cut-over moment.
      if (this.disabled) {
        if (this.readers.size === 0 && [...this.progress.values()].every((shard) => shard.done)) {
          throw new StreamGapError(
            `The source's stream ${described.streamArn} was disabled while it was followed: changes made since are not recorded anywhere.`,
            {
              side: 'source',
              hint: 'Enable the stream again (aws dynamodb update-table --stream-specification ...) and copy the table again; a new stream cannot continue the old one.',
            },
          );
        }
      }
      if (this.input.untilCaughtUp && plan.start.length === 0 && plan.added.length === 0 && this.caughtUp()) {
        return 'caught-up';
      }
      await this.pause(this.describeEveryMs);
    }
  }

  /** Adds new shards, forgets aged-out finished ones, starts the shards whose parents are done. */
  private apply(plan: LineagePlan): void {
    if (plan.gone.length > 0) {
      throw new StreamGapError(
        `Shard(s) ${plan.gone.join(', ')} of the source's stream aged out before the follow read them: the changes in them are lost to this copy.`,
        {
          side: 'source',
          hint: 'The stream keeps changes for 24 hours. Run the copy again from the start (--restart); if it takes that long, copy in less time (more --segments, a higher --read-rate) or with --via-export.',
        },
      );
    }
    for (const shard of plan.added) this.progress.set(shard.shardId, shard);
    for (const shardId of plan.forget) this.progress.delete(shardId);
    for (const { shardId, position } of plan.start) {
      this.emptyPages.set(shardId, 0);
      this.input.stats.shardsReading += 1;
      const reader = this.read(shardId, position)
        .catch((error) => {
          if (!this.stop.signal.aborted || !isAbort(error, this.stop.signal)) this.fail(error);
        })
        .finally(() => {
          this.readers.delete(shardId);
          this.emptyPages.delete(shardId);
          this.input.stats.shardsReading -= 1;
          // A shard stopped before its end keeps its lag: the summary says how far behind it was.
          if (this.progress.get(shardId)?.done) this.input.stats.forget(shardId);
          this.wakeUp();
        });
      this.readers.set(shardId, reader);
    }
    if (plan.added.length > 0 || plan.forget.length > 0) this.input.onProgress?.(this.snapshot());
  }

  /**
   * Every shard is done or being read at its tip, with nothing applied since. A closed shard has no
   * tip: it is caught up only once read to its end (empty pages can come before its records).
   */
  private caughtUp(): boolean {
    // A shard that ended here has children, perhaps not listed yet: not at the tip until they are,
    // or until descriptions made since it ended still list none.
    if (!this.disabled) {
      const parents = new Set([...this.progress.values()].map((shard) => shard.parentShardId));
      for (const [shardId, describes] of this.ended) {
        if (!parents.has(shardId) && describes < DESCRIBES_FOR_LATE_CHILDREN) return false;
      }
    }
    for (const shard of this.progress.values()) {
      if (shard.done) continue;
      if (!this.readers.has(shard.shardId) || this.closed.has(shard.shardId)) return false;
      if ((this.emptyPages.get(shard.shardId) ?? 0) < EMPTY_PAGES_AT_TIP) return false;
    }
    return true;
  }

  /** Reads one shard from `position` to its end (or until stopped), applying page after page. */
  private async read(shardId: string, position: ShardPosition): Promise<void> {
    const { changes, stats } = this.input;
    const stop = this.stop.signal;
    const entry = this.progress.get(shardId)!;
    // Where to open the shard again when an iterator expires: after the last record applied.
    const reopen = (): Promise<string> =>
      changes.shardIterator(
        shardId,
        entry.after ? { at: 'after', sequenceNumber: entry.after } : position,
        stop,
      );
    let iterator: string | undefined = await reopen();
    let prefetched: Promise<ChangePage> | undefined;
    const fetch = async (from: string): Promise<ChangePage> => {
      let current = from;
      for (let reopened = 0; ; reopened++) {
        try {
          return await changes.readChanges(current, stop);
        } catch (error) {
          if (!(error instanceof StreamIteratorExpiredError) || reopened === MAX_REOPENS) throw error;
          current = await reopen();
        }
      }
    };
    while (iterator !== undefined) {
      const page: ChangePage = await (prefetched ?? fetch(iterator));
      prefetched = undefined;
      iterator = page.next;
      if (page.records.length === 0) {
        const empty = (this.emptyPages.get(shardId) ?? 0) + 1;
        this.emptyPages.set(shardId, empty);
        stats.atTip(shardId);
        if (empty === EMPTY_PAGES_AT_TIP) this.wakeUp();
        if (iterator !== undefined) await sleep(this.idlePollMs, stop);
        continue;
      }
      this.emptyPages.set(shardId, 0);
      // Read the next page while this one is written: a shard's pages come one request at a time.
      if (iterator !== undefined) {
        prefetched = fetch(iterator);
        prefetched.catch(() => {});
      }
      await this.applyPage(shardId, entry, page.records);
    }
    entry.done = true;
    this.ended.set(shardId, 0);
    stats.shardsDone += 1;
    this.input.onProgress?.(this.snapshot());
  }

  /** Applies one page's records, then records the shard's position after its last record. */
  private async applyPage(shardId: string, entry: ShardProgress, records: ChangeRecord[]): Promise<void> {
    const { stats, skipBefore } = this.input;
    const kept = skipBefore === undefined ? records : records.filter((r) => r.createdAt >= skipBefore);
    stats.skipped += records.length - kept.length;
    if (kept.length > 0) {
      const writes = await changeWrites(kept, {
        keyAttributes: this.input.keyAttributes,
        viewType: this.input.viewType,
        stage: this.input.stage,
        keysChange: this.input.keysChange ?? false,
        getItem: (key) => this.input.changes.getItem(key, this.stop.signal),
      });
      // Every batch settles before a failure is thrown: no write may still be in flight when the
      // follow has stopped (its caller saves the record and may close the target's client).
      const written = await Promise.allSettled(changeBatches(writes).map((batch) => this.write(batch)));
      const failed = written.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
    }
    const last = records[records.length - 1]!;
    entry.after = last.sequenceNumber;
    stats.applied(shardId, records.length, (kept[kept.length - 1] ?? last).createdAt);
    this.warnIfFarBehind(last.createdAt);
    this.input.onProgress?.(this.snapshot());
  }

  private async write(batch: ChangeWrite[]): Promise<void> {
    const { sink, writePacer, stats } = this.input;
    const stop = this.stop.signal;
    if (!sink.writeChanges) throw new TypeError('the target store cannot apply changes (no writeChanges)');
    // One unit per write is the least each costs; the pacer settles with what the target reports.
    await writePacer.take(batch.length, stop);
    const result = await this.slots.with(() => sink.writeChanges!(batch, stop), stop);
    if (result.consumedWrite > 0) writePacer.settle(result.consumedWrite - batch.length);
    if (result.throttled) writePacer.throttled();
    stats.consumedWrite += result.consumedWrite;
    for (const write of batch) {
      if (write.put) stats.puts += 1;
      else stats.deletes += 1;
    }
  }

  private warnIfFarBehind(createdAt: number): void {
    if (this.warnedBehind || Date.now() - createdAt < RETENTION_WARNING_MS) return;
    this.warnedBehind = true;
    this.input.onWarning?.(
      `The follow is ${Math.floor((Date.now() - createdAt) / 3_600_000)} hours behind the source. The stream keeps changes for 24 hours: if it falls that far behind, the copy must be done again. Raise --concurrency or --write-rate, or the target's write capacity.`,
    );
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.stop.abort(error);
    this.wakeUp();
  }

  /** Waits `ms`, or less when a shard ends or reaches its tip (the lineage may have moved). */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.stop.signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stop.signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  private wakeUp(): void {
    this.wake?.();
  }

  private snapshot(): ShardProgress[] {
    return [...this.progress.values()].map((shard) => ({ ...shard }));
  }
}

function isAbort(error: unknown, signal: AbortSignal): boolean {
  return error === signal.reason || (error instanceof Error && error.name === 'AbortError');
}
