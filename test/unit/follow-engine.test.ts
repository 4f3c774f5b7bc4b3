/**
 * The follow engine against a fake stream (test/harness/fake-stream.ts: DynamoDB Local never splits
 * shards, trims records or lets iterators expire on demand) and a fake target that logs every write
 * in order. Each test asserts exact values, orders and counts: per key, the target must see the
 * stream's changes in the stream's order; a shard's position must never pass a record not written.
 */
import { describe, expect, it } from 'vitest';
import { type FollowInput, followStream, type ShardProgress } from '../../src/engine/follow/follow-stream.js';
import { StreamGapError } from '../../src/errors.js';
import { keyString } from '../../src/model/item-key.js';
import type { ChangeRecord } from '../../src/model/stream.js';
import { FollowStats } from '../../src/runtime/follow-stats.js';
import { Pacer } from '../../src/runtime/pacer.js';
import { type FakeShard, FakeStream, FakeTable, seq } from '../harness/fake-stream.js';

const KEYS = ['id'];
const NOW = Date.now();

/** A put of `id` whose value `v` is its own sequence number: the target tells which record it holds. */
function put(n: number, id: string, createdAt = NOW): ChangeRecord {
  return {
    eventName: 'MODIFY',
    sequenceNumber: seq(n),
    createdAt,
    keys: { id: { S: id } },
    newImage: { id: { S: id }, v: { S: seq(n) } },
  };
}

function remove(n: number, id: string): ChangeRecord {
  return { eventName: 'REMOVE', sequenceNumber: seq(n), createdAt: NOW, keys: { id: { S: id } } };
}

const key = (id: string): string => keyString({ id: { S: id } }, KEYS);

/** Per key, the values the stream gives it, in stream order, over shards read in the order given. */
function streamHistory(...shards: FakeShard[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const shard of shards) {
    for (const record of shard.records) {
      const list = out.get(key(record.keys.id!.S!)) ?? [];
      list.push(record.eventName === 'REMOVE' ? 'deleted' : record.newImage!.v!.S!);
      out.set(key(record.keys.id!.S!), list);
    }
  }
  return out;
}

interface Run {
  result: ReturnType<typeof followStream>;
  progress: ShardProgress[][];
  stats: FollowStats;
}

function follow(stream: FakeStream, table: FakeTable, input: Partial<FollowInput> = {}): Run {
  const progress: ShardProgress[][] = [];
  const stats = new FollowStats();
  const result = followStream({
    changes: stream,
    sink: table,
    keyAttributes: KEYS,
    viewType: 'NEW_IMAGE',
    shards: [],
    writeConcurrency: 4,
    writePacer: new Pacer(undefined),
    untilCaughtUp: true,
    stats,
    onProgress: (shards) => progress.push(shards),
    timing: { describeEveryMs: 20, idlePollMs: 5 },
    ...input,
  });
  return { result, progress, stats };
}

/** A shard's entry in the last progress snapshot. */
function lastProgress(progress: ShardProgress[][], shardId: string): ShardProgress | undefined {
  return progress.at(-1)?.find((shard) => shard.shardId === shardId);
}

/** Records `first`..`first+count-1`, each of its own key `<prefix><i>`. */
function distinct(first: number, count: number, prefix: string): ChangeRecord[] {
  return Array.from({ length: count }, (_, i) => put(first + i, `${prefix}${i}`));
}

describe('followStream: lineage', () => {
  it('a split: keys written in the parent then in its children end with the children’s values, in stream order', async () => {
    // The parent writes k0..k5 three times (one REMOVE); after the split, c1 holds the even keys,
    // c2 the odd ones. Pages of 3 never hold a key twice, so every record is one write.
    const parentRecords: ChangeRecord[] = [];
    let n = 100;
    for (let round = 0; round < 3; round++) {
      for (let k = 0; k < 6; k++) {
        parentRecords.push(round === 1 && k === 1 ? remove(n++, 'k1') : put(n++, `k${k}`));
      }
    }
    const child = (first: number, ids: string[]): ChangeRecord[] =>
      [...ids, ...ids].map((id, i) => put(first + i, id));
    const parent: FakeShard = { shardId: 'p', closed: true, records: parentRecords };
    const c1: FakeShard = {
      shardId: 'c1',
      parentShardId: 'p',
      closed: false,
      records: child(200, ['k0', 'k2', 'k4']),
    };
    const c2: FakeShard = {
      shardId: 'c2',
      parentShardId: 'p',
      closed: false,
      records: child(300, ['k1', 'k3', 'k5']),
    };
    const events: string[] = [];
    // Children listed first: the order of the listing must not matter.
    const stream = new FakeStream([c1, c2, parent], { pageSize: 3, events });
    const table = new FakeTable({ keyAttributes: KEYS, events, delayMs: 2 });
    const { result, stats } = follow(stream, table);

    const done = await result;
    expect(done.status).toBe('caught-up');
    expect(table.history()).toEqual(streamHistory(parent, c1, c2));
    expect([...table.items.entries()].sort()).toEqual(
      ['k0', 'k1', 'k2', 'k3', 'k4', 'k5']
        .map((id) => {
          const last = [...c1.records, ...c2.records].filter((r) => r.keys.id!.S === id).at(-1)!;
          return [key(id), last.newImage];
        })
        .sort(),
    );
    // Neither child was opened or read before the parent's last page was on the target.
    const lastParentWrite = events.lastIndexOf(`put ${key('k5')} ${seq(117)}`);
    const firstChildEvent = events.findIndex((e) => / c[12] /.test(`${e} `));
    expect(lastParentWrite).toBeGreaterThan(0);
    expect(firstChildEvent).toBeGreaterThan(lastParentWrite);
    expect(stream.positions).toEqual([
      { shardId: 'p', position: 'trim-horizon' },
      { shardId: 'c1', position: 'trim-horizon' },
      { shardId: 'c2', position: 'trim-horizon' },
    ]);
    expect(done.shards.sort((a, b) => a.shardId.localeCompare(b.shardId))).toEqual([
      { shardId: 'c1', parentShardId: 'p', after: seq(205), done: false },
      { shardId: 'c2', parentShardId: 'p', after: seq(305), done: false },
      { shardId: 'p', after: seq(117), done: true },
    ]);
    expect(stats.records).toBe(30);
    expect([stats.puts, stats.deletes]).toEqual([29, 1]);
    expect(stats.shardsDone).toBe(1);
  });

  it('a roll-over chain A→B→C (C listed late) is read one generation at a time, in order', async () => {
    const rounds = (first: number): ChangeRecord[] =>
      ['x', 'y', 'z', 'x', 'y', 'z'].map((id, i) => put(first + i, id));
    const a: FakeShard = { shardId: 'A', closed: true, records: rounds(100) };
    const b: FakeShard = { shardId: 'B', parentShardId: 'A', closed: true, records: rounds(200) };
    const c: FakeShard = {
      shardId: 'C',
      parentShardId: 'B',
      closed: false,
      records: rounds(300),
      listedFrom: 2,
    };
    const events: string[] = [];
    const stream = new FakeStream([c, b, a], { pageSize: 2, events });
    const table = new FakeTable({ keyAttributes: KEYS, events, delayMs: 1 });
    const done = await follow(stream, table).result;

    expect(done.status).toBe('caught-up');
    expect(table.history()).toEqual(streamHistory(a, b, c));
    expect(table.items.get(key('z'))!.v!.S).toBe(seq(305));
    // Each shard opened once, each after its parent's writes were all applied.
    expect(stream.positions.map((p) => p.shardId)).toEqual(['A', 'B', 'C']);
    const opened = (id: string): number => events.indexOf(`iterator ${id} trim-horizon`);
    expect(opened('B')).toBeGreaterThan(events.indexOf(`put ${key('z')} ${seq(105)}`));
    expect(opened('C')).toBeGreaterThan(events.indexOf(`put ${key('z')} ${seq(205)}`));
  });
});

describe('followStream: pages in flight', () => {
  it('a key written on several pages in flight is written in stream order, whatever each write takes', async () => {
    // One record per page, all the same key; the earlier a write, the slower it is: a later page's
    // write of the key must still wait for the earlier one.
    const shard: FakeShard = {
      shardId: 's',
      closed: true,
      records: [0, 1, 2, 3, 4, 5].map((i) => put(100 + i, 'x')),
    };
    const stream = new FakeStream([shard], { pageSize: 1 });
    const table = new FakeTable({
      keyAttributes: KEYS,
      delayMs: (batch) => 40 - 6 * Number(batch[0]!.put!.v!.S!.slice(-1)),
    });
    const done = await follow(stream, table).result;
    expect(table.log.map((w) => w.put!.v!.S)).toEqual([0, 1, 2, 3, 4, 5].map((i) => seq(100 + i)));
    expect(table.items.get(key('x'))!.v!.S).toBe(seq(105));
    expect(done.shards).toEqual([{ shardId: 's', after: seq(105), done: true }]);
  });
});

describe('followStream: until caught up', () => {
  it('waits for the children of a shard it read to its end, even when DescribeStream lists them late', async () => {
    // The parent is read to its end in the first round; its child appears only in the third listing.
    const parent: FakeShard = { shardId: 'p', closed: true, records: distinct(100, 3, 'p') };
    const child: FakeShard = {
      shardId: 'c',
      parentShardId: 'p',
      closed: false,
      records: distinct(200, 3, 'c'),
      listedFrom: 3,
    };
    const stream = new FakeStream([parent, child], { pageSize: 10 });
    const table = new FakeTable({ keyAttributes: KEYS });
    const done = await follow(stream, table).result;
    expect(done.status).toBe('caught-up');
    expect(table.items.size).toBe(6);
  });

  it('returns caught-up once every shard is read and the open ones give empty pages', async () => {
    const parent: FakeShard = {
      shardId: 'p',
      closed: true,
      records: distinct(100, 5, 'p'),
      emptyPagesBefore: 1,
    };
    const c1: FakeShard = {
      shardId: 'c1',
      parentShardId: 'p',
      closed: false,
      records: distinct(200, 4, 'a'),
    };
    const c2: FakeShard = {
      shardId: 'c2',
      parentShardId: 'p',
      closed: false,
      records: distinct(300, 3, 'b'),
      emptyPagesBefore: 1,
    };
    const events: string[] = [];
    const stream = new FakeStream([parent, c1, c2], { pageSize: 2, events });
    const table = new FakeTable({ keyAttributes: KEYS, events });
    const { result, stats } = follow(stream, table);
    const done = await result;

    expect(done.status).toBe('caught-up');
    expect(table.log.length).toBe(12);
    expect(table.items.size).toBe(12);
    expect(done.shards).toEqual([
      { shardId: 'p', after: seq(104), done: true },
      { shardId: 'c1', parentShardId: 'p', after: seq(203), done: false },
      { shardId: 'c2', parentShardId: 'p', after: seq(302), done: false },
    ]);
    // Each open child was at its tip: at least two empty pages after its last record.
    for (const [id, offset] of [
      ['c1', 4],
      ['c2', 3],
    ] as const) {
      const reads = events.filter((e) => e.startsWith(`read ${id} `));
      const lastRecords = reads.findLastIndex((e) => !e.endsWith(' 0') && !e.endsWith(' empty'));
      expect(reads.slice(lastRecords + 1).length).toBeGreaterThanOrEqual(2);
      expect(new Set(reads.slice(lastRecords + 1))).toEqual(new Set([`read ${id} ${offset} 0`]));
    }
    expect(stats.records).toBe(12);
    expect(stats.shardsDone).toBe(1);
  });

  it('a closed shard giving empty pages before its records is not at its tip: all of it is read first', async () => {
    const shard: FakeShard = {
      shardId: 's',
      closed: true,
      records: distinct(100, 4, 'r'),
      emptyPagesBefore: 3,
    };
    const stream = new FakeStream([shard], { pageSize: 2 });
    const table = new FakeTable({ keyAttributes: KEYS });
    const done = await follow(stream, table).result;

    expect(done.status).toBe('caught-up');
    expect(table.log.length).toBe(4);
    expect(done.shards).toEqual([{ shardId: 's', after: seq(103), done: true }]);
  });
});

describe('followStream: expired iterators', () => {
  it('an iterator expiring mid-shard is reopened AFTER the last record read: nothing lost, nothing read twice', async () => {
    const shard: FakeShard = { shardId: 's', closed: true, records: distinct(100, 9, 'r') };
    const stream = new FakeStream([shard], { pageSize: 3 });
    // The iterator for the third page (records 6..8) expires. It is read while the second page is
    // still being written (slow target): the reader reopens after the last record it read (5), not
    // after the last one applied (2), since pages 1 and 2 are in the pipeline already.
    stream.expireOnce('s', 6);
    const table = new FakeTable({ keyAttributes: KEYS, delayMs: 5 });
    const { result, stats } = follow(stream, table);
    const done = await result;

    expect(stream.expired).toBe(1);
    expect(stream.positions).toEqual([
      { shardId: 's', position: 'trim-horizon' },
      { shardId: 's', position: `after ${seq(105)}` },
    ]);
    expect(stream.served.get('s')).toBe(9);
    expect(stats.records).toBe(9);
    expect(table.log.map((w) => w.put!.v!.S)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => seq(100 + i)));
    expect(table.items.size).toBe(9);
    expect(done.shards).toEqual([{ shardId: 's', after: seq(108), done: true }]);
  });

  it('an iterator expiring on the first read is reopened where the shard started: no record twice', async () => {
    const shard: FakeShard = { shardId: 's', closed: true, records: distinct(100, 5, 'r') };
    const stream = new FakeStream([shard], { pageSize: 2 });
    stream.expireOnce('s', 0);
    const table = new FakeTable({ keyAttributes: KEYS });
    const { result, stats } = follow(stream, table);
    await result;

    expect(stream.expired).toBe(1);
    expect(stream.positions.map((p) => p.position)).toEqual(['trim-horizon', 'trim-horizon']);
    expect(stats.records).toBe(5);
    expect(table.log.map((w) => w.put!.v!.S)).toEqual([0, 1, 2, 3, 4].map((i) => seq(100 + i)));
  });

  it('a resumed shard whose iterator expires is reopened after its recorded position, not at the start', async () => {
    const shard: FakeShard = { shardId: 's', closed: true, records: distinct(100, 6, 'r') };
    const stream = new FakeStream([shard], { pageSize: 2 });
    stream.expireOnce('s', 3);
    const table = new FakeTable({ keyAttributes: KEYS });
    const { result, stats } = follow(stream, table, {
      shards: [{ shardId: 's', after: seq(102), done: false }],
    });
    const done = await result;

    expect(stream.positions.map((p) => p.position)).toEqual([`after ${seq(102)}`, `after ${seq(102)}`]);
    expect(stats.records).toBe(3);
    expect(table.log.map((w) => w.put!.v!.S)).toEqual([3, 4, 5].map((i) => seq(100 + i)));
    expect(done.shards).toEqual([{ shardId: 's', after: seq(105), done: true }]);
  });
});

describe('followStream: positions', () => {
  it('skipBefore drops older records but still moves `after` past them', async () => {
    const records = [
      put(100, 'r0', NOW - 3000),
      put(101, 'r1', NOW - 2000),
      put(102, 'r2', NOW - 1000),
      put(103, 'r3', NOW),
      put(104, 'r4', NOW + 1000),
    ];
    const stream = new FakeStream([{ shardId: 's', closed: true, records }], { pageSize: 2 });
    const table = new FakeTable({ keyAttributes: KEYS });
    const { result, progress, stats } = follow(stream, table, { skipBefore: NOW - 1000 });
    const done = await result;

    expect(table.log.map((w) => w.key)).toEqual(['r2', 'r3', 'r4'].map(key));
    expect(progress.map((snapshot) => [snapshot[0]!.after, snapshot[0]!.done])).toEqual([
      [undefined, false],
      // The first page was all older: nothing written, the position moves on all the same.
      [seq(101), false],
      [seq(103), false],
      [seq(104), false],
      [seq(104), true],
    ]);
    expect([stats.records, stats.skipped, stats.puts]).toEqual([5, 2, 3]);
    expect(done.shards).toEqual([{ shardId: 's', after: seq(104), done: true }]);
  });

  it('changes to one key in one page are written once: the last', async () => {
    const records = [put(1, 'a'), put(2, 'a'), put(3, 'b'), remove(4, 'c'), put(5, 'a')];
    const stream = new FakeStream([{ shardId: 's', closed: true, records }], { pageSize: 5 });
    const table = new FakeTable({ keyAttributes: KEYS });
    const { result, stats } = follow(stream, table);
    await result;

    expect(table.requests).toBe(1);
    expect(table.log).toEqual([
      { key: key('b'), put: records[2]!.newImage },
      { key: key('c'), put: undefined },
      { key: key('a'), put: records[4]!.newImage },
    ]);
    expect([stats.records, stats.puts, stats.deletes]).toEqual([5, 2, 1]);
  });
});

describe('followStream: gaps', () => {
  it('a recorded shard not finished and no longer listed rejects with StreamGapError, reading nothing', async () => {
    const events: string[] = [];
    const stream = new FakeStream(
      [
        { shardId: 'p', closed: true, records: distinct(100, 4, 'p'), goneFrom: 1 },
        { shardId: 'c', parentShardId: 'p', closed: false, records: distinct(200, 2, 'c') },
      ],
      { pageSize: 2, events },
    );
    const table = new FakeTable({ keyAttributes: KEYS, events });
    const { result } = follow(stream, table, {
      shards: [
        { shardId: 'p', after: seq(101), done: false },
        { shardId: 'c', parentShardId: 'p', done: false },
      ],
    });

    await expect(result).rejects.toThrow(StreamGapError);
    await expect(result).rejects.toThrow(/Shard\(s\) p /);
    expect(events).toEqual(['describe c']);
    expect(table.log).toEqual([]);
  });

  it('a shard that drops out of the listing while it is followed rejects with StreamGapError', async () => {
    const stream = new FakeStream(
      [{ shardId: 'a', closed: false, records: distinct(100, 2, 'a'), goneFrom: 2 }],
      {
        pageSize: 2,
      },
    );
    const table = new FakeTable({ keyAttributes: KEYS });
    // The timeout only bounds a broken engine: it would follow on and resolve 'interrupted'.
    const { result } = follow(stream, table, { untilCaughtUp: false, signal: AbortSignal.timeout(2000) });

    await expect(result).rejects.toThrow(StreamGapError);
    expect(stream.describes).toBe(2);
    expect(table.log.map((w) => w.key)).toEqual(['a0', 'a1'].map(key));
  });

  it('a recorded position that has been trimmed rejects with the source’s StreamGapError', async () => {
    const stream = new FakeStream(
      [{ shardId: 's', closed: true, records: distinct(100, 10, 'r'), trimmedBefore: 5 }],
      { pageSize: 2 },
    );
    const table = new FakeTable({ keyAttributes: KEYS });
    const { result } = follow(stream, table, { shards: [{ shardId: 's', after: seq(102), done: false }] });

    await expect(result).rejects.toThrow(StreamGapError);
    await expect(result).rejects.toThrow(/aged out/);
    expect(table.log).toEqual([]);
  });
});

describe('followStream: stopping', () => {
  it('an abort returns interrupted; the last snapshot has each shard AFTER its last applied record', async () => {
    const a: FakeShard = { shardId: 'a', closed: false, records: distinct(100, 12, 'a') };
    const b: FakeShard = { shardId: 'b', closed: false, records: distinct(200, 12, 'b') };
    const stream = new FakeStream([a, b], { pageSize: 2 });
    const controller = new AbortController();
    const table = new FakeTable({
      keyAttributes: KEYS,
      delayMs: 3,
      afterWrite: () => {
        if (table.log.length >= 7) controller.abort();
      },
    });
    const { result, progress } = follow(stream, table, { untilCaughtUp: false, signal: controller.signal });
    const done = await result;

    expect(done.status).toBe('interrupted');
    expect(table.inFlight).toBe(0);
    expect(done.shards).toEqual(progress.at(-1));
    for (const shard of [a, b]) {
      const after = lastProgress(progress, shard.shardId)!.after;
      const applied = shard.records.findIndex((r) => r.sequenceNumber === after);
      // Stopped part way through each shard...
      expect(applied).toBeGreaterThanOrEqual(1);
      expect(applied).toBeLessThan(11);
      // ...and the target holds exactly the records up to `after`, in order.
      const written = table.log
        .filter((w) => w.put!.id!.S!.startsWith(shard.shardId))
        .map((w) => w.put!.v!.S);
      expect(written).toEqual(shard.records.slice(0, applied + 1).map((r) => r.sequenceNumber));
    }
  });

  it('a failed write rejects with its error; `after` stays before the failed page', async () => {
    const shard: FakeShard = { shardId: 's', closed: true, records: distinct(100, 9, 'r') };
    const stream = new FakeStream([shard], { pageSize: 3 });
    const refused = new Error('target refused the batch');
    const table = new FakeTable({
      keyAttributes: KEYS,
      fail: (batch) => (batch.some((w) => w.put?.id?.S === 'r4') ? refused : undefined),
    });
    const { result, progress, stats } = follow(stream, table);

    await expect(result).rejects.toBe(refused);
    expect(lastProgress(progress, 's')).toEqual({ shardId: 's', after: seq(102), done: false });
    expect(progress.flat().every((p) => p.after === undefined || p.after <= seq(102))).toBe(true);
    // The next page was written while the failed one was (pages are pipelined), but the position
    // stays before the failed page: a resume writes both again, in order.
    expect([...table.items.keys()].sort()).toEqual(['r0', 'r1', 'r2', 'r6', 'r7', 'r8'].map(key).sort());
    expect(stats.records).toBe(3);
  });

  it('a failed batch rejects only once the other batches of its page are settled (none left in flight)', async () => {
    // One page of 30 keys: a batch of 25 (slow) and one of 5 (fails at once).
    const shard: FakeShard = { shardId: 's', closed: true, records: distinct(100, 30, 'r') };
    const stream = new FakeStream([shard], { pageSize: 30 });
    const refused = new Error('target refused the batch');
    const table = new FakeTable({
      keyAttributes: KEYS,
      delayMs: (batch) => (batch.length === 25 ? 40 : 1),
      fail: (batch) => (batch.length === 5 ? refused : undefined),
    });
    const { result, progress } = follow(stream, table);

    await expect(result).rejects.toBe(refused);
    expect(table.inFlight).toBe(0);
    expect(table.items.size).toBe(25);
    expect(lastProgress(progress, 's')).toEqual({ shardId: 's', done: false });
  });
});
