/**
 * The follow engine's rounds and its edges, against the fake stream (test/harness/fake-stream.ts): a
 * disabled stream, the caught-up rule (two empty pages, late children, one round after the other),
 * iterators that keep expiring, pages in flight, what a write costs the pacer, the lag warning, and
 * how the engine stops (the caller's signal, a failure, a failure while stopping).
 *
 * Rounds are made countable: where a test asserts how many times the stream was described, the
 * describe interval is an hour, so that only the engine's own wake-ups (a shard ending, a shard at its
 * tip) start a round, and a broken wake-up shows as a follow that never finishes (a bounding signal
 * makes that an `interrupted` result, not a hung test). Idle polls are driven by fake timers.
 */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { itemStage } from '../../src/engine/copy/item-stage.js';
import { type FollowInput, followStream, type ShardProgress } from '../../src/engine/follow/follow-stream.js';
import { StreamGapError, StreamIteratorExpiredError } from '../../src/errors.js';
import type { Item, Key } from '../../src/model/item.js';
import { keyString } from '../../src/model/item-key.js';
import type { ChangePage, ChangeRecord, ShardPosition, StreamDescription } from '../../src/model/stream.js';
import { FollowStats } from '../../src/runtime/follow-stats.js';
import { Pacer } from '../../src/runtime/pacer.js';
import type { ChangeSource, ChangeWrite, WriteResult } from '../../src/stores/types.js';
import { type FakeShard, FakeStream, FakeTable, seq } from '../harness/fake-stream.js';

const KEYS = ['id'];
const NOW = Date.now();
const HOUR = 3_600_000;
/** A describe interval no test waits out: rounds start only when the engine wakes itself. */
const WAKE_ONLY = { describeEveryMs: HOUR, idlePollMs: 1 };
const ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/fake/stream/2024-01-01T00:00:00.000';

function put(n: number, id: string, createdAt = NOW): ChangeRecord {
  return {
    eventName: 'MODIFY',
    sequenceNumber: seq(n),
    createdAt,
    keys: { id: { S: id } },
    newImage: { id: { S: id }, v: { S: seq(n) } },
  };
}

/** Records `first`..`first+count-1`, each of its own key `<prefix><i>`. */
function distinct(first: number, count: number, prefix: string, createdAt = NOW): ChangeRecord[] {
  return Array.from({ length: count }, (_, i) => put(first + i, `${prefix}${i}`, createdAt));
}

const key = (id: string): string => keyString({ id: { S: id } }, KEYS);

/** One macrotask turn: what the fake stream and table take per call. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Waits (in turns, never in time) until `condition` holds; throws if it never does. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 5000 && !condition(); i++) await turn();
  if (!condition()) throw new Error(`never happened: ${what}`);
}

/**
 * The fake stream behind hooks: counts every call (failed ones too) and lets a test act at a given
 * DescribeStream or replace a read.
 */
class HookedSource implements ChangeSource {
  describes = 0;
  /** Every iterator readChanges was called with, in order. */
  readonly reads: (string | undefined)[] = [];

  constructor(
    readonly stream: FakeStream,
    private readonly hooks: {
      /** Runs before the `n`th DescribeStream (1-based) reaches the stream. */
      beforeDescribe?: (n: number, signal: AbortSignal | undefined) => Promise<void> | void;
      /** Runs after the stream answered the `n`th DescribeStream, before the engine sees the answer. */
      afterDescribe?: (n: number, signal: AbortSignal | undefined) => Promise<void> | void;
      /** Replaces a read; undefined: the stream's own. */
      readChanges?: (iterator: string, signal: AbortSignal | undefined) => Promise<ChangePage> | undefined;
      getItem?: (key: Key, item: Item | undefined) => void;
    } = {},
  ) {}

  async describeStream(signal?: AbortSignal): Promise<StreamDescription> {
    const n = ++this.describes;
    await this.hooks.beforeDescribe?.(n, signal);
    const described = await this.stream.describeStream(signal);
    await this.hooks.afterDescribe?.(n, signal);
    return described;
  }

  shardIterator(shardId: string, position: ShardPosition, signal?: AbortSignal): Promise<string> {
    return this.stream.shardIterator(shardId, position, signal);
  }

  readChanges(iterator: string, signal?: AbortSignal): Promise<ChangePage> {
    this.reads.push(iterator);
    return this.hooks.readChanges?.(iterator, signal) ?? this.stream.readChanges(iterator, signal);
  }

  async getItem(key: Key, signal?: AbortSignal): Promise<Item | undefined> {
    const item = await this.stream.getItem(key, signal);
    this.hooks.getItem?.(key, item);
    return item;
  }
}

/**
 * A target whose writes wait until the test lets them through: what is in flight can be counted
 * while nothing moves.
 */
class GatedTable {
  readonly held: { batch: readonly ChangeWrite[]; release: () => void }[] = [];
  readonly written: string[] = [];
  open = false;

  async writeChanges(batch: readonly ChangeWrite[]): Promise<WriteResult> {
    if (!this.open) await new Promise<void>((release) => this.held.push({ batch, release }));
    await turn();
    for (const write of batch) this.written.push(keyString(write.put ?? write.delete!, KEYS));
    return { consumedWrite: batch.length, throttled: false };
  }

  releaseAll(): void {
    this.open = true;
    for (const { release } of this.held.splice(0)) release();
  }
}

interface Run {
  result: Promise<Awaited<ReturnType<typeof followStream>>>;
  progress: ShardProgress[][];
  stats: FollowStats;
}

function follow(
  changes: ChangeSource,
  sink: FollowInput['sink'],
  input: Partial<FollowInput> = {},
  withProgress = true,
): Run {
  const progress: ShardProgress[][] = [];
  const stats = new FollowStats();
  const result = followStream({
    changes,
    sink,
    keyAttributes: KEYS,
    viewType: 'NEW_IMAGE',
    shards: [],
    writeConcurrency: 4,
    writePacer: new Pacer(undefined),
    untilCaughtUp: true,
    stats,
    ...(withProgress ? { onProgress: (shards: ShardProgress[]) => progress.push(shards) } : {}),
    timing: { describeEveryMs: 2, idlePollMs: 1 },
    ...input,
  });
  return { result, progress, stats };
}

/**
 * Bounds a follow that a broken engine would never end: it then resolves `interrupted`. (Not
 * AbortSignal.timeout: combined by AbortSignal.any, such a signal may be collected before it fires.)
 */
function bounded(controller = new AbortController()): AbortSignal {
  setTimeout(() => controller.abort(new Error('bounded: the follow did not end by itself')), 4000).unref();
  return controller.signal;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('followStream: a disabled stream', () => {
  it.each(['DISABLED', 'DISABLING'] as const)(
    'a %s stream is read to its end, then rejects with StreamGapError (default timing, no callbacks)',
    async (status) => {
      // Thirteen hours old: the lag warning is due, and there is no onWarning to give it to.
      const shard: FakeShard = {
        shardId: 'p',
        closed: true,
        records: distinct(100, 3, 'r', NOW - 13 * HOUR),
      };
      const stream = new FakeStream([shard], { pageSize: 2, status });
      const table = new FakeTable({ keyAttributes: KEYS });
      // No timing: the engine's own intervals. The shard ending wakes the loop, so nothing waits them out.
      const { result, stats } = follow(stream, table, { timing: undefined }, false);

      const error = await result.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StreamGapError);
      const gap = error as StreamGapError;
      expect(gap.message).toBe(
        `The source's stream ${ARN} was disabled while it was followed: changes made since are not recorded anywhere.`,
      );
      expect(gap.side).toBe('source');
      expect(gap.hint).toMatch(/^Enable the stream again \(aws dynamodb update-table --stream-specification/);
      // Everything the stream held is on the target first; the error comes in the round after the end.
      expect(table.log.map((w) => w.put!.v!.S)).toEqual([seq(100), seq(101), seq(102)]);
      expect(stream.describes).toBe(2);
      expect([stats.records, stats.shardsDone, stats.shardsReading]).toEqual([3, 1, 0]);
    },
  );

  it('a disabling stream whose closed shard has no children is caught up without waiting for them', async () => {
    // A disabled stream's closed shards get no children: the late-children rounds do not apply.
    const p: FakeShard = { shardId: 'p', closed: true, records: distinct(100, 2, 'p') };
    const q: FakeShard = { shardId: 'q', closed: false, records: distinct(200, 2, 'q') };
    const stream = new FakeStream([p, q], { pageSize: 5, status: 'DISABLING' });
    const table = new FakeTable({ keyAttributes: KEYS });
    const signal = bounded();
    const { result } = follow(stream, table, { timing: WAKE_ONLY, signal });
    const done = await result;

    expect(done.status).toBe('caught-up');
    expect(done.shards).toEqual([
      { shardId: 'p', after: seq(101), done: true },
      { shardId: 'q', after: seq(201), done: false },
    ]);
    expect(table.items.size).toBe(4);
    // Done without an abort: the engine took its listener off the caller's signal all the same.
    expect(getEventListeners(signal, 'abort')).toEqual([]);
  });

  it('a stream disabled so long ago that every shard aged out is a gap too, not a follow caught up', async () => {
    // The record knows only finished shards, none of them listed any more: nothing is left to read.
    const stream = new FakeStream([], { pageSize: 2, status: 'DISABLED' });
    const table = new FakeTable({ keyAttributes: KEYS });
    const { result, progress } = follow(stream, table, {
      shards: [{ shardId: 'p', after: seq(101), done: true }],
    });

    await expect(result).rejects.toThrow(/was disabled while it was followed/);
    expect(progress).toEqual([[]]);
    expect(stream.describes).toBe(1);
  });
});

describe('followStream: the caught-up rule', () => {
  it('an open shard is at its tip after exactly two empty pages, an idle poll apart', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const events: string[] = [];
    const stream = new FakeStream([{ shardId: 's', closed: false, records: distinct(100, 2, 's') }], {
      pageSize: 5,
      events,
    });
    const table = new FakeTable({ keyAttributes: KEYS, events });
    const source = new HookedSource(stream);
    const { result } = follow(source, table, { timing: { describeEveryMs: HOUR, idlePollMs: 1000 } });
    let status: string | undefined;
    void result.then((done) => {
      status = done.status;
    });
    const reads = (): string[] => events.filter((e) => e.startsWith('read '));

    await until(() => reads().length === 2, 'the first empty page');
    for (let i = 0; i < 50; i++) await turn();
    expect(reads()).toEqual(['read s 0 2', 'read s 2 0']);
    // One empty page is not the tip: no round started, nothing more read until the idle poll is over.
    expect(source.describes).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    for (let i = 0; i < 50; i++) await turn();
    expect(reads()).toHaveLength(2);
    expect(status).toBeUndefined();

    await vi.advanceTimersByTimeAsync(1);
    await until(() => status !== undefined, 'the follow to end');
    expect(status).toBe('caught-up');
    expect(reads()).toEqual(['read s 0 2', 'read s 2 0', 'read s 2 0']);
    // The second empty page woke the loop, whose next round found every shard at its tip.
    expect(source.describes).toBe(2);
    expect(table.items.size).toBe(2);
  });

  it('a parent read to its end and its listed children: caught up in the round after they reach their tips', async () => {
    const p: FakeShard = { shardId: 'p', closed: true, records: distinct(100, 2, 'p') };
    const c: FakeShard = { shardId: 'c', parentShardId: 'p', closed: false, records: distinct(200, 2, 'c') };
    const stream = new FakeStream([p, c], { pageSize: 5 });
    const table = new FakeTable({ keyAttributes: KEYS });
    const source = new HookedSource(stream);
    const { result } = follow(source, table, { timing: WAKE_ONLY, signal: bounded() });
    const done = await result;

    // Round 1 starts p; p's end starts round 2 (c starts); c at its tip starts round 3: caught up,
    // since p's child is listed (no waiting for late children).
    expect(done.status).toBe('caught-up');
    expect(source.describes).toBe(3);
    expect(done.shards).toEqual([
      { shardId: 'p', after: seq(101), done: true },
      { shardId: 'c', parentShardId: 'p', after: seq(201), done: false },
    ]);
  });

  it('waits three rounds for the children of a shard that ended, no more', async () => {
    // The child would only be listed in the fifth round: past the wait, so it is not read.
    const p: FakeShard = { shardId: 'p', closed: true, records: distinct(100, 2, 'p') };
    const c: FakeShard = {
      shardId: 'c',
      parentShardId: 'p',
      closed: false,
      records: distinct(200, 2, 'c'),
      listedFrom: 5,
    };
    const stream = new FakeStream([p, c], { pageSize: 5 });
    const table = new FakeTable({ keyAttributes: KEYS });
    const { result, stats } = follow(
      new HookedSource(stream, {
        // Round 2 only once p is read to its end: the three rounds count from there.
        beforeDescribe: (n) => (n === 2 ? until(() => stats.shardsDone === 1, 'p to end') : undefined),
      }),
      table,
    );
    const done = await result;

    expect(done.status).toBe('caught-up');
    expect(stream.describes).toBe(4);
    expect(done.shards).toEqual([{ shardId: 'p', after: seq(101), done: true }]);
    expect([...table.items.keys()].sort()).toEqual([key('p0'), key('p1')]);
  });

  it('without untilCaughtUp, a follow at its tip goes on until it is stopped', async () => {
    const controller = new AbortController();
    const events: string[] = [];
    const stream = new FakeStream([{ shardId: 's', closed: false, records: distinct(100, 2, 's') }], {
      pageSize: 5,
      events,
    });
    const table = new FakeTable({ keyAttributes: KEYS });
    let tipSeen = 0;
    const source = new HookedSource(stream, {
      // Stopped two rounds after the shard was seen at its tip (two empty pages).
      beforeDescribe: () => {
        if (events.filter((e) => e === 'read s 2 0').length >= 2) tipSeen += 1;
        if (tipSeen === 2) controller.abort();
      },
    });
    const { result } = follow(source, table, { untilCaughtUp: false, signal: controller.signal });
    const done = await result;

    expect(done.status).toBe('interrupted');
    expect(done.shards).toEqual([{ shardId: 's', after: seq(101), done: false }]);
    expect(table.items.size).toBe(2);
  });
});

describe('followStream: closed shards', () => {
  it('a closed shard with no record ends at its first (empty) page, with no idle poll: its child is read next', async () => {
    const controller = new AbortController();
    const events: string[] = [];
    const p: FakeShard = { shardId: 'p', closed: true, records: [] };
    const c: FakeShard = { shardId: 'c', parentShardId: 'p', closed: false, records: distinct(200, 2, 'c') };
    const stream = new FakeStream([p, c], { pageSize: 5, events });
    const table = new FakeTable({
      keyAttributes: KEYS,
      afterWrite: () => {
        if (table.items.size === 2) controller.abort();
      },
    });
    // An idle poll of an hour: a reader that paused after p's last page would never reach c.
    const { result } = follow(stream, table, {
      untilCaughtUp: false,
      signal: bounded(controller),
      timing: { describeEveryMs: 1, idlePollMs: HOUR },
    });
    const done = await result;

    expect(done.status).toBe('interrupted');
    // (The next page of c is read meanwhile: at most one read more.)
    expect(events.filter((e) => e.startsWith('read ') || e.startsWith('iterator ')).slice(0, 4)).toEqual([
      'iterator p trim-horizon',
      'read p 0 0',
      'iterator c trim-horizon',
      'read c 0 2',
    ]);
    expect(done.shards).toEqual([
      { shardId: 'p', done: true },
      { shardId: 'c', parentShardId: 'p', after: seq(201), done: false },
    ]);
  });
});

describe('followStream: expired iterators', () => {
  it('five expiries in a row at one position: five fresh iterators there, then the read goes on', async () => {
    const shard: FakeShard = { shardId: 's', closed: true, records: distinct(100, 6, 'r') };
    const stream = new FakeStream([shard], { pageSize: 3 });
    for (let i = 0; i < 5; i++) stream.expireOnce('s', 3);
    const table = new FakeTable({ keyAttributes: KEYS });
    const { result, stats } = follow(stream, table);
    const done = await result;

    expect(stream.expired).toBe(5);
    expect(stream.positions).toEqual([
      { shardId: 's', position: 'trim-horizon' },
      ...Array.from({ length: 5 }, () => ({ shardId: 's', position: `after ${seq(102)}` })),
    ]);
    expect(stats.records).toBe(6);
    expect(table.log.map((w) => w.put!.v!.S)).toEqual([0, 1, 2, 3, 4, 5].map((i) => seq(100 + i)));
    expect(done.shards).toEqual([{ shardId: 's', after: seq(105), done: true }]);
  });

  it('a sixth expiry in a row rejects with StreamIteratorExpiredError; the position stays after the last write', async () => {
    const shard: FakeShard = { shardId: 's', closed: true, records: distinct(100, 6, 'r') };
    const stream = new FakeStream([shard], { pageSize: 3 });
    for (let i = 0; i < 6; i++) stream.expireOnce('s', 3);
    const table = new FakeTable({ keyAttributes: KEYS });
    const { result, progress, stats } = follow(stream, table);

    await expect(result).rejects.toBeInstanceOf(StreamIteratorExpiredError);
    expect(stream.expired).toBe(6);
    expect(stream.positions).toHaveLength(6);
    expect(stats.records).toBe(3);
    expect(table.log.map((w) => w.put!.v!.S)).toEqual([seq(100), seq(101), seq(102)]);
    expect(progress.at(-1)).toEqual([{ shardId: 's', after: seq(102), done: false }]);
  });
});

describe('followStream: pages in flight', () => {
  it('at most three pages are written at once; the fourth is read meanwhile, not written', async () => {
    const shard: FakeShard = { shardId: 's', closed: true, records: distinct(100, 6, 'r') };
    const stream = new FakeStream([shard], { pageSize: 1 });
    const source = new HookedSource(stream);
    const table = new GatedTable();
    const { result } = follow(source, table, { writeConcurrency: 10 });

    await until(() => table.held.length === 3, 'three pages in flight');
    for (let i = 0; i < 50; i++) await turn();
    expect(table.held.map(({ batch }) => batch[0]!.put!.id!.S)).toEqual(['r0', 'r1', 'r2']);
    expect(source.reads).toHaveLength(4);
    table.releaseAll();
    const done = await result;
    expect(table.written).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5'].map(key));
    expect(done.shards).toEqual([{ shardId: 's', after: seq(105), done: true }]);
  });

  it('the next page is read while a page is staged; a closed shard’s last page asks for no further page', async () => {
    // KEYS_ONLY: staging a page reads each key again, which the next page's read overtakes.
    const events: string[] = [];
    const records = distinct(100, 4, 'r');
    const items = new Map(records.map((r) => [key(r.keys.id!.S!), { ...r.newImage!, now: { S: 'now' } }]));
    const stream = new FakeStream([{ shardId: 's', closed: true, records }], {
      pageSize: 2,
      events,
      items,
      keyAttributes: KEYS,
      viewType: 'KEYS_ONLY',
    });
    const source = new HookedSource(stream, { getItem: (k) => events.push(`got ${k.id!.S}`) });
    const table = new FakeTable({ keyAttributes: KEYS });
    const { result } = follow(source, table, { viewType: 'KEYS_ONLY' });
    const done = await result;

    expect(events.filter((e) => !e.startsWith('describe') && !e.startsWith('iterator'))).toEqual([
      'read s 0 2',
      'read s 2 2',
      'got r0',
      'got r1',
      'got r2',
      'got r3',
    ]);
    expect(source.reads).toHaveLength(2);
    expect(source.reads.every((iterator) => typeof iterator === 'string')).toBe(true);
    // The items as they are now, not the records' images.
    expect([...table.items.values()].map((item) => item.now?.S)).toEqual(['now', 'now', 'now', 'now']);
    expect(done.shards).toEqual([{ shardId: 's', after: seq(103), done: true }]);
  });
});

describe('followStream: writes', () => {
  it('each write takes one unit per change from the pacer and settles with what the target reports', async () => {
    const calls: string[] = [];
    const pacer = {
      take: async (units: number) => {
        calls.push(`take ${units}`);
      },
      settle: (extra: number) => calls.push(`settle ${extra}`),
      throttled: () => calls.push('throttled'),
    } as unknown as Pacer;
    // Page 1 costs two units per item and was throttled; page 2 reports nothing consumed.
    const costs: WriteResult[] = [
      { consumedWrite: 6, throttled: true },
      { consumedWrite: 0, throttled: false },
      { consumedWrite: 2, throttled: false },
    ];
    const written: number[] = [];
    const sink = {
      writeChanges: async (batch: readonly ChangeWrite[]): Promise<WriteResult> => {
        await turn();
        written.push(batch.length);
        return costs[written.length - 1]!;
      },
    };
    const records = [...distinct(100, 3, 'a'), ...distinct(103, 2, 'b'), ...distinct(105, 2, 'c')];
    const stream = new FakeStream([{ shardId: 's', closed: true, records }], { pageSize: 3 });
    const { result, stats } = follow(stream, sink, { writePacer: pacer, writeConcurrency: 1 });
    await result;

    expect(written).toEqual([3, 3, 1]);
    // Pages are pipelined: a page's take may come before the page before it is settled.
    expect(calls.filter((call) => call.startsWith('take'))).toEqual(['take 3', 'take 3', 'take 1']);
    expect(calls.filter((call) => !call.startsWith('take'))).toEqual(['settle 3', 'throttled', 'settle 1']);
    expect(stats.consumedWrite).toBe(8);
    expect([stats.puts, stats.deletes]).toEqual([7, 0]);
  });

  it('a write concurrency of 0 still writes, one request at a time', async () => {
    const stream = new FakeStream([{ shardId: 's', closed: true, records: distinct(100, 30, 'r') }], {
      pageSize: 30,
    });
    let peak = 0;
    const table = new FakeTable({
      keyAttributes: KEYS,
      delayMs: () => {
        peak = Math.max(peak, table.inFlight);
        return 1;
      },
    });
    const done = await follow(stream, table, { writeConcurrency: 0 }).result;
    expect(done.status).toBe('caught-up');
    expect(table.requests).toBe(2);
    expect(peak).toBe(1);
    expect(table.items.size).toBe(30);
  });

  it('a target without writeChanges rejects with a TypeError, before anything is written', async () => {
    const stream = new FakeStream([{ shardId: 's', closed: true, records: distinct(100, 2, 'r') }], {
      pageSize: 2,
    });
    const { result, progress } = follow(stream, {});
    await expect(result).rejects.toThrow(
      new TypeError('the target store cannot apply changes (no writeChanges)'),
    );
    expect(progress.at(-1)).toEqual([{ shardId: 's', done: false }]);
  });

  it('a transform that moves keys: the old target key is deleted; without keysChange, images are staged once', async () => {
    const byTier = (item: Item): Item => ({ ...item, id: { S: `${item.tier!.S}#${item.id!.S}` } });
    const staged: string[] = [];
    const stage = (keysChange: boolean) =>
      itemStage({
        keyAttributes: KEYS,
        transform: {
          transform: (item: Item) => {
            staged.push(`${item.id!.S}:${item.tier!.S}`);
            return byTier(item);
          },
          onError: 'fail',
        },
        keysChange,
      });
    const record: ChangeRecord = {
      eventName: 'MODIFY',
      sequenceNumber: seq(100),
      createdAt: NOW,
      keys: { id: { S: 'a' } },
      oldImage: { id: { S: 'a' }, tier: { S: 'gold' } },
      newImage: { id: { S: 'a' }, tier: { S: 'silver' } },
    };
    const run = async (keysChange: boolean | undefined): Promise<FakeTable> => {
      const stream = new FakeStream([{ shardId: 's', closed: true, records: [record] }], {
        pageSize: 1,
        viewType: 'NEW_AND_OLD_IMAGES',
      });
      const table = new FakeTable({ keyAttributes: KEYS });
      await follow(stream, table, {
        viewType: 'NEW_AND_OLD_IMAGES',
        stage: stage(keysChange ?? false),
        ...(keysChange === undefined ? {} : { keysChange }),
      }).result;
      return table;
    };

    const moved = await run(true);
    expect(moved.log).toEqual([
      { key: key('gold#a'), put: undefined },
      { key: key('silver#a'), put: { id: { S: 'silver#a' }, tier: { S: 'silver' } } },
    ]);
    expect(staged.splice(0)).toEqual(['a:silver', 'a:gold']);
    // keysChange not given: the old image is neither staged nor deleted.
    const kept = await run(undefined);
    expect(kept.log).toEqual([
      { key: key('silver#a'), put: { id: { S: 'silver#a' }, tier: { S: 'silver' } } },
    ]);
    expect(staged).toEqual(['a:silver']);
  });
});

describe('followStream: lag', () => {
  it('warns once, when an applied record is twelve hours old (not a millisecond sooner)', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const records = [
      put(100, 'a', NOW - 12 * HOUR + 1),
      put(101, 'b', NOW - 12 * HOUR),
      put(102, 'c', NOW - 13 * HOUR),
      put(103, 'd', NOW - 20 * HOUR),
    ];
    const stream = new FakeStream([{ shardId: 's', closed: true, records }], { pageSize: 1 });
    const table = new FakeTable({ keyAttributes: KEYS });
    const warnings: string[] = [];
    const progressAt: number[] = [];
    const { result } = follow(stream, table, {
      onWarning: (message) => warnings.push(message),
      onProgress: () => progressAt.push(warnings.length),
    });
    await result;

    expect(warnings).toEqual([
      "The follow is 12 hours behind the source. The stream keeps changes for 24 hours: if it falls that far behind, the copy must be done again. Raise --concurrency or --write-rate, or the target's write capacity.",
    ]);
    // Snapshots: the shard added, then after each page; the warning came with the second page.
    expect(progressAt).toEqual([0, 0, 1, 1, 1, 1]);
  });

  it('the lag counts the last record applied, not a skipped older one; a finished shard leaves none', async () => {
    // Creation times out of order: the page's last record is older than the follow's start.
    const records = [put(100, 'a', NOW - 1000), put(101, 'b', NOW - 5000)];
    const stream = new FakeStream([{ shardId: 's', closed: true, records }], { pageSize: 2 });
    const table = new FakeTable({ keyAttributes: KEYS });
    const lags: number[] = [];
    const reading: number[] = [];
    const run = follow(stream, table, {
      skipBefore: NOW - 2000,
      onProgress: () => {
        lags.push(run.stats.lagSeconds(NOW));
        reading.push(run.stats.shardsReading);
      },
    });
    const done = await run.result;

    expect(table.log.map((w) => w.key)).toEqual([key('a')]);
    expect(lags).toEqual([0, 1, 1]);
    expect(reading).toEqual([1, 1, 1]);
    expect(done.shards).toEqual([{ shardId: 's', after: seq(101), done: true }]);
    expect([run.stats.shardsReading, run.stats.shardsDone, run.stats.lagSeconds(NOW)]).toEqual([0, 1, 0]);
  });

  it('a shard stopped before its end keeps its lag', async () => {
    const shard: FakeShard = { shardId: 's', closed: false, records: distinct(100, 12, 'r', NOW - 60_000) };
    const stream = new FakeStream([shard], { pageSize: 2 });
    const controller = new AbortController();
    const table = new FakeTable({ keyAttributes: KEYS, afterWrite: () => controller.abort() });
    const { result, stats } = follow(stream, table, { untilCaughtUp: false, signal: controller.signal });
    const done = await result;

    expect(done.status).toBe('interrupted');
    expect(stats.shardsReading).toBe(0);
    expect(stats.lagSeconds(NOW)).toBe(60);
  });
});

describe('followStream: stopping', () => {
  it('an abort while no shard is read ends the wait for the next round at once', async () => {
    const controller = new AbortController();
    const stream = new FakeStream([{ shardId: 's', closed: true, records: distinct(100, 2, 'r') }], {
      pageSize: 2,
    });
    const source = new HookedSource(stream, {
      afterDescribe: () => {
        setImmediate(() => controller.abort());
      },
    });
    const table = new FakeTable({ keyAttributes: KEYS });
    const { result, progress } = follow(source, table, {
      shards: [{ shardId: 's', after: seq(101), done: true }],
      untilCaughtUp: false,
      signal: controller.signal,
      timing: WAKE_ONLY,
    });
    const done = await result;

    expect(done).toEqual({ status: 'interrupted', shards: [{ shardId: 's', after: seq(101), done: true }] });
    expect(source.describes).toBe(1);
    expect(progress).toEqual([]);
    // The engine's listener on the caller's signal is gone.
    expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
  });

  it('an abort with a reason of its own, while a shard waits at its tip and a round is described: interrupted', async () => {
    const controller = new AbortController();
    const events: string[] = [];
    const stream = new FakeStream([{ shardId: 's', closed: false, records: distinct(100, 2, 's') }], {
      pageSize: 5,
      events,
    });
    const source = new HookedSource(stream, {
      beforeDescribe: () => {
        if (events.includes('read s 2 0')) controller.abort('stopped by the test');
      },
    });
    const table = new FakeTable({ keyAttributes: KEYS });
    // The reader sleeps an hour after its first empty page: the abort finds it there.
    const { result } = follow(source, table, {
      untilCaughtUp: false,
      signal: controller.signal,
      timing: { describeEveryMs: 1, idlePollMs: HOUR },
    });
    const done = await result;

    expect(done).toEqual({ status: 'interrupted', shards: [{ shardId: 's', after: seq(101), done: false }] });
    expect(events.filter((e) => e.startsWith('read'))).toEqual(['read s 0 2', 'read s 2 0']);
  });

  it('a read stopped with its own AbortError (not the signal’s reason) counts as stopped, not as a failure', async () => {
    const controller = new AbortController();
    const stream = new FakeStream([{ shardId: 's', closed: false, records: distinct(100, 2, 's') }], {
      pageSize: 5,
    });
    let waiting = false;
    const source = new HookedSource(stream, {
      // The read after the records never answers; aborted, it rejects as an SDK call does.
      readChanges: (iterator, signal) =>
        iterator.endsWith('-s-2')
          ? new Promise((_, reject) => {
              waiting = true;
              signal!.addEventListener('abort', () =>
                reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })),
              );
            })
          : undefined,
      beforeDescribe: () => {
        if (waiting) controller.abort();
      },
    });
    const table = new FakeTable({ keyAttributes: KEYS });
    const { result } = follow(source, table, {
      untilCaughtUp: false,
      signal: controller.signal,
      timing: { describeEveryMs: 1, idlePollMs: 1 },
    });
    const done = await result;

    expect(done).toEqual({ status: 'interrupted', shards: [{ shardId: 's', after: seq(101), done: false }] });
  });

  it('a write failing while the follow stops is not taken for the stop: it rejects with that error', async () => {
    const controller = new AbortController();
    const lost = new Error('the write was lost');
    let pending = false;
    const sink = {
      writeChanges: (_batch: readonly ChangeWrite[], signal?: AbortSignal): Promise<WriteResult> =>
        new Promise((_, reject) => {
          pending = true;
          signal!.addEventListener('abort', () => reject(lost));
        }),
    };
    const stream = new FakeStream([{ shardId: 's', closed: true, records: distinct(100, 2, 's') }], {
      pageSize: 5,
    });
    const source = new HookedSource(stream, {
      beforeDescribe: () => {
        if (pending) controller.abort();
      },
    });
    const { result, progress } = follow(source, sink, { untilCaughtUp: false, signal: controller.signal });

    await expect(result).rejects.toBe(lost);
    expect(progress.at(-1)).toEqual([{ shardId: 's', done: false }]);
  });

  it('a DescribeStream failure rejects with it: the engine does not retry it', async () => {
    const refused = new Error('describe refused');
    const stream = new FakeStream([{ shardId: 's', closed: true, records: distinct(100, 2, 's') }], {
      pageSize: 5,
    });
    const source = new HookedSource(stream, {
      beforeDescribe: (n) => {
        if (n === 1) throw refused;
      },
    });
    const table = new FakeTable({ keyAttributes: KEYS });
    const { result } = follow(source, table);

    await expect(result).rejects.toBe(refused);
    expect(source.describes).toBe(1);
    expect(table.log).toEqual([]);
  });

  it('a write failing during a round: the round adds no shard and the failure is thrown', async () => {
    const refused = new Error('target refused the batch');
    const p: FakeShard = { shardId: 'p', closed: true, records: distinct(100, 2, 'p') };
    const c: FakeShard = {
      shardId: 'c',
      parentShardId: 'p',
      closed: false,
      records: distinct(200, 2, 'c'),
      listedFrom: 2,
    };
    const stream = new FakeStream([p, c], { pageSize: 5 });
    let describing = false;
    const sink = {
      writeChanges: async (): Promise<WriteResult> => {
        await until(() => describing, 'round 2');
        throw refused;
      },
    };
    const source = new HookedSource(stream, {
      // Round 2's answer (listing c) reaches the engine only once the write has failed.
      afterDescribe: async (n, signal) => {
        if (n !== 2) return;
        describing = true;
        await until(() => signal!.aborted, 'the failure');
      },
    });
    const { result, progress } = follow(source, sink, { timing: { describeEveryMs: 1, idlePollMs: 1 } });

    await expect(result).rejects.toBe(refused);
    expect(source.describes).toBe(2);
    expect(progress).toEqual([[{ shardId: 'p', done: false }]]);
  });
});

describe('followStream: the record', () => {
  it('finished shards the stream no longer lists are forgotten in the first round', async () => {
    const stream = new FakeStream([{ shardId: 's', closed: true, records: distinct(100, 2, 'r') }], {
      pageSize: 2,
    });
    const table = new FakeTable({ keyAttributes: KEYS });
    const { result, progress } = follow(stream, table, {
      shards: [
        { shardId: 'old', done: true, after: seq(50) },
        { shardId: 's', done: false },
      ],
    });
    await result;
    expect(progress).toEqual([
      [{ shardId: 's', done: false }],
      [{ shardId: 's', after: seq(101), done: false }],
      [{ shardId: 's', after: seq(101), done: true }],
    ]);
  });

  it('shards the follow still needs that aged out: named, with the side and what to do', async () => {
    const stream = new FakeStream([{ shardId: 'c', closed: false, records: distinct(200, 2, 'c') }], {
      pageSize: 2,
    });
    const table = new FakeTable({ keyAttributes: KEYS });
    const { result } = follow(stream, table, {
      shards: [
        { shardId: 'p', after: seq(101), done: false },
        { shardId: 'q', done: false },
        { shardId: 'c', parentShardId: 'p', done: false },
      ],
    });
    const error = await result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StreamGapError);
    const gap = error as StreamGapError;
    expect(gap.message).toBe(
      "Shard(s) p, q of the source's stream aged out before the follow read them: the changes in them are lost to this copy.",
    );
    expect(gap.side).toBe('source');
    expect(gap.hint).toMatch(
      /^The stream keeps changes for 24 hours\. Run the copy again from the start \(--restart\)/,
    );
    expect(table.log).toEqual([]);
  });
});
