/**
 * The lineage planner on fake stream descriptions: which shards a follow starts, adds, forgets and
 * reports as gone, round after round. DynamoDB Local never splits or rolls a shard over, so lineage
 * (splits, roll-overs, children listed late, aged-out parents) is only ever exercised here.
 */
import { describe, expect, it } from 'vitest';
import {
  type LineagePlan,
  planShards,
  type ShardProgress,
  startingShards,
} from '../../src/engine/follow/shard-lineage.js';
import type { StreamShard } from '../../src/model/stream.js';

const seq = (n: number): string => String(n).padStart(21, '0');

/** A listed shard; closed ones have an ending sequence number. */
function shard(shardId: string, options: { parent?: string; closed?: boolean } = {}): StreamShard {
  return {
    shardId,
    ...(options.parent ? { parentShardId: options.parent } : {}),
    startingSequenceNumber: seq(100),
    ...(options.closed ? { endingSequenceNumber: seq(199) } : {}),
  };
}

/** What a run recorded of a shard. */
function known(
  shardId: string,
  options: { parent?: string; after?: string; done?: boolean } = {},
): ShardProgress {
  return {
    shardId,
    ...(options.parent ? { parentShardId: options.parent } : {}),
    ...(options.after ? { after: options.after } : {}),
    done: options.done ?? false,
  };
}

const record = (...entries: ShardProgress[]): Map<string, ShardProgress> =>
  new Map(entries.map((entry) => [entry.shardId, entry]));

const started = (plan: LineagePlan): string[] => plan.start.map((s) => s.shardId);

describe('planShards', () => {
  it('a fresh single open shard is added and starts at trim-horizon', () => {
    const plan = planShards({ shards: [shard('s1')] }, new Map(), new Set());
    expect(plan).toEqual({
      added: [{ shardId: 's1', done: false }],
      start: [{ shardId: 's1', position: { at: 'trim-horizon' } }],
      gone: [],
      forget: [],
    });
  });

  it('a recorded shard with `after` starts AFTER that record, and is not added again', () => {
    const plan = planShards({ shards: [shard('s1')] }, record(known('s1', { after: seq(123) })), new Set());
    expect(plan).toEqual({
      added: [],
      start: [{ shardId: 's1', position: { at: 'after', sequenceNumber: seq(123) } }],
      gone: [],
      forget: [],
    });
  });

  it('a split: the two children wait until the parent is done, then both start at trim-horizon', () => {
    const listing = {
      shards: [shard('p', { closed: true }), shard('c1', { parent: 'p' }), shard('c2', { parent: 'p' })],
    };
    const children = [known('c1', { parent: 'p' }), known('c2', { parent: 'p' })];
    // Parent not started yet: only the parent starts.
    expect(started(planShards(listing, record(known('p'), ...children), new Set()))).toEqual(['p']);
    // Parent being read (half way): nothing starts, the parent is not started twice.
    const reading = planShards(listing, record(known('p', { after: seq(150) }), ...children), new Set(['p']));
    expect(reading.start).toEqual([]);
    // Parent done: both children start, in listing order, from their oldest record.
    const afterParent = planShards(
      listing,
      record(known('p', { after: seq(199), done: true }), ...children),
      new Set(),
    );
    expect(afterParent).toEqual({
      added: [],
      start: [
        { shardId: 'c1', position: { at: 'trim-horizon' } },
        { shardId: 'c2', position: { at: 'trim-horizon' } },
      ],
      gone: [],
      forget: [],
    });
  });

  it('a child whose parent is neither known nor listed (closed before the follow, or aged out) starts', () => {
    const plan = planShards({ shards: [shard('c', { parent: 'old' })] }, new Map(), new Set());
    expect(plan.added).toEqual([{ shardId: 'c', parentShardId: 'old', done: false }]);
    expect(plan.start).toEqual([{ shardId: 'c', position: { at: 'trim-horizon' } }]);
    expect(plan.gone).toEqual([]);
  });

  it('a parent listed but new in this round makes its child wait (both new, or only the parent)', () => {
    const listing = { shards: [shard('p', { closed: true }), shard('c', { parent: 'p' })] };
    const bothNew = planShards(listing, new Map(), new Set());
    expect(bothNew.added.map((s) => s.shardId)).toEqual(['p', 'c']);
    expect(started(bothNew)).toEqual(['p']);
    // The child was recorded before the parent showed up in a listing: still the parent first.
    const parentNew = planShards(listing, record(known('c', { parent: 'p' })), new Set());
    expect(parentNew.added).toEqual([{ shardId: 'p', done: false }]);
    expect(started(parentNew)).toEqual(['p']);
    // Listed child before parent in the listing: the order of the listing does not matter.
    const reversed = planShards({ shards: [...listing.shards].reverse() }, new Map(), new Set());
    expect(started(reversed)).toEqual(['p']);
  });

  it('a child listed late (only in a later describe) is added then started', () => {
    // Round 1: the parent is being read; its child is not listed yet.
    const round1 = planShards({ shards: [shard('p', { closed: true })] }, record(known('p')), new Set(['p']));
    expect(round1).toEqual({ added: [], start: [], gone: [], forget: [] });
    // Round 2: the parent is done, and the child appears.
    const round2 = planShards(
      { shards: [shard('p', { closed: true }), shard('c', { parent: 'p' })] },
      record(known('p', { after: seq(199), done: true })),
      new Set(),
    );
    expect(round2).toEqual({
      added: [{ shardId: 'c', parentShardId: 'p', done: false }],
      start: [{ shardId: 'c', position: { at: 'trim-horizon' } }],
      gone: [],
      forget: [],
    });
  });

  it('a child listed while its parent is still being read is added but waits', () => {
    const plan = planShards(
      { shards: [shard('p', { closed: true }), shard('c', { parent: 'p' })] },
      record(known('p', { after: seq(120) })),
      new Set(['p']),
    );
    expect(plan).toEqual({
      added: [{ shardId: 'c', parentShardId: 'p', done: false }],
      start: [],
      gone: [],
      forget: [],
    });
  });

  it('a known shard not done and no longer listed is gone (and its child does not start)', () => {
    const plan = planShards(
      { shards: [shard('c', { parent: 'p' })] },
      record(known('p', { after: seq(150) }), known('c', { parent: 'p' })),
      new Set(),
    );
    expect(plan).toEqual({ added: [], start: [], gone: ['p'], forget: [] });
  });

  it('a done shard no longer listed is forgotten, and its child starts', () => {
    const plan = planShards(
      { shards: [shard('c', { parent: 'p' })] },
      record(known('p', { after: seq(199), done: true }), known('c', { parent: 'p' })),
      new Set(),
    );
    expect(plan).toEqual({
      added: [],
      start: [{ shardId: 'c', position: { at: 'trim-horizon' } }],
      gone: [],
      forget: ['p'],
    });
  });

  it('shards being read and shards done are not started (again)', () => {
    const plan = planShards(
      { shards: [shard('a'), shard('b'), shard('d', { closed: true }), shard('e')] },
      record(known('a', { after: seq(101) }), known('b'), known('d', { done: true }), known('e')),
      new Set(['a', 'b']),
    );
    expect(plan.start).toEqual([{ shardId: 'e', position: { at: 'trim-horizon' } }]);
  });

  it('does not change the record it is given', () => {
    const progress = record(known('p'));
    const before = structuredClone([...progress.entries()]);
    planShards({ shards: [shard('p'), shard('c', { parent: 'p' })] }, progress, new Set());
    expect([...progress.entries()]).toEqual(before);
  });
});

/**
 * Drives planShards the way the engine does: each round, every started shard is read to its end
 * before the next round. Returns the shards started per round.
 */
function rounds(listing: StreamShard[], progress: Map<string, ShardProgress>): string[][] {
  const out: string[][] = [];
  for (let round = 0; round < 10; round++) {
    const plan = planShards({ shards: listing }, progress, new Set());
    for (const entry of plan.added) progress.set(entry.shardId, entry);
    if (plan.start.length === 0) break;
    // Never start a shard whose parent is recorded and not done.
    for (const { shardId } of plan.start) {
      const parent = progress.get(shardId)!.parentShardId;
      if (parent !== undefined) expect(progress.get(parent)?.done ?? true).toBe(true);
    }
    out.push(started(plan));
    for (const id of started(plan)) progress.set(id, { ...progress.get(id)!, after: seq(199), done: true });
  }
  return out;
}

describe('planShards over a lineage', () => {
  it('a roll-over chain A→B→C starts one generation at a time, parents first', () => {
    // Listed newest first, to show the order comes from the lineage, not the listing.
    const listing = [
      shard('C', { parent: 'B' }),
      shard('B', { parent: 'A', closed: true }),
      shard('A', { closed: true }),
    ];
    expect(rounds(listing, new Map())).toEqual([['A'], ['B'], ['C']]);
  });

  it('a roll-over, then a split, then roll-overs: each generation after the one before', () => {
    const listing = [
      shard('A', { closed: true }),
      shard('B', { parent: 'A', closed: true }),
      shard('C1', { parent: 'B', closed: true }),
      shard('C2', { parent: 'B', closed: true }),
      shard('D1', { parent: 'C1' }),
      shard('D2', { parent: 'C2' }),
    ];
    expect(rounds(listing, new Map())).toEqual([['A'], ['B'], ['C1', 'C2'], ['D1', 'D2']]);
  });

  it('a resumed chain whose oldest generation aged out starts at its oldest listed shard', () => {
    // A was read and has aged out since (not in the record any more); B was half read.
    const listing = [shard('B', { parent: 'A', closed: true }), shard('C', { parent: 'B' })];
    const progress = record(known('B', { parent: 'A', after: seq(150) }), known('C', { parent: 'B' }));
    const first = planShards({ shards: listing }, progress, new Set());
    expect(first.start).toEqual([{ shardId: 'B', position: { at: 'after', sequenceNumber: seq(150) } }]);
    expect(rounds(listing, progress)).toEqual([['B'], ['C']]);
  });
});

describe('startingShards', () => {
  const listing = {
    shards: [
      shard('A', { closed: true }),
      shard('B1', { parent: 'A', closed: true }),
      shard('B2', { parent: 'A' }),
      shard('C', { parent: 'B1' }),
    ],
  };

  it('marks closed shards done (their changes are older than the copy), open ones not', () => {
    expect(startingShards(listing, false)).toEqual([
      { shardId: 'A', done: true },
      { shardId: 'B1', parentShardId: 'A', done: true },
      { shardId: 'B2', parentShardId: 'A', done: false },
      { shardId: 'C', parentShardId: 'B1', done: false },
    ]);
  });

  it('with `everything`, every shard is to be read, and the plan then starts the oldest only', () => {
    const shards = startingShards(listing, true);
    expect(shards).toEqual([
      { shardId: 'A', done: false },
      { shardId: 'B1', parentShardId: 'A', done: false },
      { shardId: 'B2', parentShardId: 'A', done: false },
      { shardId: 'C', parentShardId: 'B1', done: false },
    ]);
    const progress = new Map(shards.map((s) => [s.shardId, s]));
    expect(rounds(listing.shards, progress)).toEqual([['A'], ['B1', 'B2'], ['C']]);
  });

  it('without `everything`, the first plan starts the open shards at once, at trim-horizon', () => {
    const progress = new Map(startingShards(listing, false).map((s) => [s.shardId, s]));
    const plan = planShards(listing, progress, new Set());
    expect(plan).toEqual({
      added: [],
      start: [
        { shardId: 'B2', position: { at: 'trim-horizon' } },
        { shardId: 'C', position: { at: 'trim-horizon' } },
      ],
      gone: [],
      forget: [],
    });
  });
});
