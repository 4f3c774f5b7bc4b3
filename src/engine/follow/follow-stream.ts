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
import { changeWrites, keyedChangeBatches } from './change-writes.js';
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
/** Pages of one shard being written at once: enough to keep the writers busy across page ends. */
const PAGES_IN_FLIGHT = 3;
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

  /**
   * Reads one shard from `position` to its end (or until stopped). Pages are written while the next
   * ones are read and staged, up to PAGES_IN_FLIGHT at once: a write of a key waits for the earlier
   * pages' write of that key, and the shard's position moves past a page only once it and every
   * page before it are written.
   */
  private async read(shardId: string, position: ShardPosition): Promise<void> {
    const { changes, stats } = this.input;
    const stop = this.stop.signal;
    const entry = this.progress.get(shardId)!;
    /** The last record read: an expired iterator is replaced by one just after it. */
    let lastRead: string | undefined;
    const reopen = (): Promise<string> => {
      const after = lastRead ?? entry.after;
      return changes.shardIterator(shardId, after ? { at: 'after', sequenceNumber: after } : position, stop);
    };
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
    const pipeline = new PagePipeline();
    try {
      while (iterator !== undefined) {
        const page: ChangePage = await (prefetched ?? fetch(iterator));
        prefetched = undefined;
        iterator = page.next;
        if (page.records.length === 0) {
          // At the tip only once everything read is written.
          await pipeline.drain();
          const empty = (this.emptyPages.get(shardId) ?? 0) + 1;
          this.emptyPages.set(shardId, empty);
          stats.atTip(shardId);
          if (empty === EMPTY_PAGES_AT_TIP) this.wakeUp();
          if (iterator !== undefined) await sleep(this.idlePollMs, stop);
          continue;
        }
        this.emptyPages.set(shardId, 0);
        lastRead = page.records[page.records.length - 1]!.sequenceNumber;
        // Read the next page while this one is staged and written.
        if (iterator !== undefined) {
          prefetched = fetch(iterator);
          prefetched.catch(() => {});
        }
        await pipeline.add((previous, keyWrites) =>
          this.applyPage(shardId, entry, page.records, previous, keyWrites),
        );
      }
      await pipeline.drain();
    } catch (error) {
      // Every write settles before the reader stops: none may still be in flight afterwards.
      await pipeline.settle();
      throw error;
    }
    entry.done = true;
    this.ended.set(shardId, 0);
    stats.shardsDone += 1;
    this.input.onProgress?.(this.snapshot());
  }

  /**
   * Stages one page's records and starts its writes; resolves once they and every earlier page are
   * written, with the shard's position moved past its last record.
   */
  private async applyPage(
    shardId: string,
    entry: ShardProgress,
    records: ChangeRecord[],
    previous: Promise<void>,
    keyWrites: Map<string, Promise<void>>,
  ): Promise<{ written: Promise<void> }> {
    const { stats, skipBefore } = this.input;
    const kept = skipBefore === undefined ? records : records.filter((r) => r.createdAt >= skipBefore);
    const writes =
      kept.length === 0
        ? []
        : await changeWrites(kept, {
            keyAttributes: this.input.keyAttributes,
            viewType: this.input.viewType,
            stage: this.input.stage,
            keysChange: this.input.keysChange ?? false,
            getItem: (key) => this.input.changes.getItem(key, this.stop.signal),
          });
    const batches = keyedChangeBatches(writes).map((batch) => {
      // A key written by an earlier page still in flight: this write goes after it.
      const earlier = batch.flatMap(({ key }) => keyWrites.get(key) ?? []);
      const written = Promise.all(earlier).then(() => this.write(batch.map(({ write }) => write)));
      const done = written.then(
        () => {},
        () => {},
      );
      for (const { key } of batch) keyWrites.set(key, done);
      void done.then(() => {
        for (const { key } of batch) if (keyWrites.get(key) === done) keyWrites.delete(key);
      });
      return written;
    });
    // Every batch settles before a failure is thrown, and the position moves in page order.
    const written = Promise.allSettled(batches).then(async (outcomes) => {
      await previous;
      const failed = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
      const last = records[records.length - 1]!;
      entry.after = last.sequenceNumber;
      stats.skipped += records.length - kept.length;
      stats.applied(shardId, records.length, (kept[kept.length - 1] ?? last).createdAt);
      this.warnIfFarBehind(last.createdAt);
      this.input.onProgress?.(this.snapshot());
    });
    return { written };
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

/**
 * The pages of one shard in flight, oldest first: each page's promise settles after the one before
 * it (positions move in order), and adding a page waits while PAGES_IN_FLIGHT are unfinished.
 */
class PagePipeline {
  private readonly pages: Promise<void>[] = [];
  private last: Promise<void> = Promise.resolve();
  /** Per target key, the write in flight that a later page's write of it must wait for. */
  private readonly keyWrites = new Map<string, Promise<void>>();

  /** Stages and starts a page (`start` resolves once its writes are started); waits for room. */
  async add(
    start: (
      previous: Promise<void>,
      keyWrites: Map<string, Promise<void>>,
    ) => Promise<{ written: Promise<void> }>,
  ): Promise<void> {
    const page = (await start(this.last, this.keyWrites)).written;
    // Handled here so a failure while the reader waits elsewhere is not an unhandled rejection;
    // it is thrown where the page is awaited.
    page.catch(() => {});
    this.last = page;
    this.pages.push(page);
    while (this.pages.length >= PAGES_IN_FLIGHT) await this.pages.shift();
  }

  /** Resolves once every page is written (throws the first failure). */
  async drain(): Promise<void> {
    while (this.pages.length > 0) await this.pages.shift();
  }

  /** Waits for every page to settle, failed or not. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.pages.splice(0));
  }
}
