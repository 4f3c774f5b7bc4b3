/**
 * The verify engine against in-memory stores: exact counts and samples checked against a naive
 * diff, with tiny buckets and budgets so one-sided buckets, several passes and paging all happen.
 */
import { describe, expect, it } from 'vitest';
import {
  type CompareEvent,
  type CompareItemsInput,
  compareItems,
} from '../../src/engine/verify/compare-items.js';
import type { ScanSide } from '../../src/engine/verify/paced-scan.js';
import { InterruptedError } from '../../src/errors.js';
import { canonicalItem } from '../../src/model/item-canonical.js';
import { keyText } from '../../src/model/item-hash.js';
import type { VerifyEvent } from '../../src/runs/verify/events.js';
import { Pacer } from '../../src/runtime/pacer.js';
import { VerifyStats } from '../../src/runtime/verify-stats.js';
import type { Item, Page, ScanOptions, Source, TableSnapshot } from '../../src/stores/types.js';
import { seededRandom } from '../fixtures/items.js';

const KEYS = ['pk', 'sk'];

/** Items in memory, split into segments by index, served in pages of `limit`. */
class MemorySource implements Source {
  readonly capabilities = { parallelScan: true, schema: false, consistentRead: true, validItems: false };
  pagesServed = 0;

  constructor(
    private readonly items: Item[],
    private readonly failAfterPages = Number.POSITIVE_INFINITY,
  ) {}

  describe(): Promise<TableSnapshot> {
    throw new Error('not needed');
  }

  async *scan(options: ScanOptions): AsyncIterable<Page> {
    const mine = this.items.filter((_, i) => i % options.totalSegments === options.segment);
    const limit = options.limit ?? 100;
    for (let start = 0; start < mine.length || start === 0; start += limit) {
      if (++this.pagesServed > this.failAfterPages) throw new Error('connection lost');
      await Promise.resolve();
      const items = mine.slice(start, start + limit);
      yield { items, lastKey: start + limit < mine.length ? {} : undefined, consumedRead: 1 };
      if (start + limit >= mine.length) return;
    }
  }
}

function side(name: 'source' | 'target', store: Source): ScanSide {
  return { side: name, store, pacer: new Pacer(undefined), scanLimit: 7, readUnitsPerPage: 1 };
}

function input(source: Item[], target: Item[], extra: Partial<CompareItemsInput> = {}): CompareItemsInput {
  return {
    source: side('source', new MemorySource(source)),
    target: side('target', new MemorySource(target)),
    keyAttributes: KEYS,
    totalSegments: 3,
    scanConcurrency: 2,
    consistentRead: false,
    buckets: 16,
    samples: 5,
    maxDrillEntries: 40,
    stats: new VerifyStats(),
    ...extra,
  };
}

function item(i: number, version = 0): Item {
  return {
    pk: { S: `customer#${Math.floor(i / 4)}` },
    sk: { N: String(i) },
    total: { N: `${i}.5` },
    tags: { SS: ['b', 'a', `v${version}`] },
    nested: { M: { level: { L: [{ N: String(version) }, { BOOL: true }] } } },
  };
}

/** The expected result, the slow way: every key of both sides in memory. */
function naiveDiff(source: Item[], target: Item[], samples: number) {
  const byKey = (items: Item[]) => new Map(items.map((it) => [keyText(it, KEYS), canonicalItem(it)]));
  const s = byKey(source);
  const t = byKey(target);
  const missing = [...s.keys()].filter((k) => !t.has(k)).sort();
  const extra = [...t.keys()].filter((k) => !s.has(k)).sort();
  const different = [...s.keys()].filter((k) => t.has(k) && t.get(k) !== s.get(k)).sort();
  return {
    missing: missing.length,
    extra: extra.length,
    different: different.length,
    samples: {
      missing: missing.slice(0, samples),
      extra: extra.slice(0, samples),
      different: different.slice(0, samples),
    },
  };
}

describe('compareItems', () => {
  it('finds identical tables identical in one scan per side, whatever the item and set order', async () => {
    const source = Array.from({ length: 300 }, (_, i) => item(i));
    const target = [...source].reverse().map((it) => ({ ...it, tags: { SS: [...it.tags!.SS!].reverse() } }));
    const events: VerifyEvent[] = [];
    const result = await compareItems(input(source, target, { onEvent: (e) => events.push(e) }));
    expect(result).toMatchObject({
      sourceItems: 300,
      targetItems: 300,
      missing: 0,
      extra: 0,
      different: 0,
      mismatchedBuckets: 0,
      passes: 0,
      warnings: [],
    });
    expect(events.filter((e) => e.type === 'scan-started').length).toBe(1);
  });

  it.each([
    [42, 16, 40],
    [7, 4, 1000],
    [8, 256, 30],
    [9, 1024, 10],
  ])('matches a naive diff exactly (seed %i, %i buckets, %i keys a pass)', async (seed, buckets, budget) => {
    const random = seededRandom(seed);
    const source = Array.from({ length: 600 }, (_, i) => item(i));
    const target: Item[] = [];
    for (const [i, it] of source.entries()) {
      const roll = random();
      if (roll < 0.05) continue; // missing
      target.push(roll < 0.1 ? item(i, 1) : it); // different, or the same
    }
    for (let i = 1000; i < 1000 + Math.floor(random() * 60); i++) target.push(item(i)); // extra
    const result = await compareItems(input(source, target, { buckets, maxDrillEntries: budget }));
    const expected = naiveDiff(source, target, 5);
    expect(result).toMatchObject(expected);
    expect(result.sourceItems).toBe(600);
    expect(result.targetItems).toBe(target.length);
    if (budget < 100) expect(result.passes).toBeGreaterThan(3);
    expect(result.peakHeldKeys).toBeLessThanOrEqual(budget);
    expect(result.warnings).toEqual([]);
  });

  it('counts an empty target as all missing, naming the smallest keys, in one scan per side', async () => {
    const source = Array.from({ length: 500 }, (_, i) => item(i));
    const result = await compareItems(input(source, []));
    expect(result).toMatchObject({ ...naiveDiff(source, [], 5), sourceItems: 500, targetItems: 0 });
    expect(result.mismatchedBuckets).toBe(16);
    expect(result.passes).toBe(0);
    expect(result.peakHeldKeys).toBe(0);
  });

  it('scans one-sided buckets again only when the smallest keys do not settle their samples', async () => {
    // Target-only items whose keys sort after every shared key: the target's smallest keys are all
    // shared, so finding the extra ones takes a sample scan.
    const shared = Array.from({ length: 40 }, (_, i) => item(i));
    const extra = Array.from({ length: 200 }, (_, i) => item(5000 + i));
    const result = await compareItems(input(shared, [...shared, ...extra], { buckets: 1024 }));
    expect(result).toMatchObject(naiveDiff(shared, [...shared, ...extra], 5));
    expect(result.passes).toBe(1);
  });

  it('with no samples wanted, an empty target needs no second scan', async () => {
    const source = Array.from({ length: 50 }, (_, i) => item(i));
    const result = await compareItems(input(source, [], { samples: 0 }));
    expect(result).toMatchObject({
      missing: 50,
      passes: 0,
      samples: { missing: [], extra: [], different: [] },
    });
  });

  it('treats numbers written differently but equal as equal, in keys and values', async () => {
    const source: Item[] = [
      { pk: { S: 'a' }, sk: { N: '1.50' }, n: { N: '1E+3' }, ns: { NS: ['2.0', '1'] } },
    ];
    const target: Item[] = [{ pk: { S: 'a' }, sk: { N: '1.5' }, n: { N: '1000' }, ns: { NS: ['1', '2'] } }];
    expect(await compareItems(input(source, target))).toMatchObject({ missing: 0, extra: 0, different: 0 });
  });

  it('rethrows a store failure on one side and stops the other', async () => {
    const source = Array.from({ length: 300 }, (_, i) => item(i));
    const failing = input(source, source, { target: side('target', new MemorySource(source, 5)) });
    await expect(compareItems(failing)).rejects.toThrow('connection lost');
  });

  it('stops when the signal aborts and says it was interrupted', async () => {
    const source = Array.from({ length: 300 }, (_, i) => item(i));
    const controller = new AbortController();
    controller.abort();
    await expect(compareItems(input(source, source, { signal: controller.signal }))).rejects.toThrow(
      InterruptedError,
    );
  });
});

/** What one event said, with the stats as they stood when it came (the stats object keeps changing). */
function recorder() {
  const seen: { type: string; said: string; scanning?: string }[] = [];
  const onEvent = (event: CompareEvent) => {
    if (event.type === 'step') seen.push({ type: event.type, said: `${event.name}: ${event.message}` });
    else {
      const { phase, pass, passes, scanning } = event.stats;
      seen.push({
        type: event.type,
        said: `${phase} ${pass}/${passes}`,
        scanning: `${scanning.source ? 'source' : '-'} ${scanning.target ? 'target' : '-'}`,
      });
    }
  };
  return { seen, onEvent };
}

describe('compareItems, step by step', () => {
  it('names its steps, and numbers each drill-down scan from 1', async () => {
    const source = Array.from({ length: 120 }, (_, i) => item(i));
    const target = source.map((it, i) => (i % 10 === 3 ? item(i, 1) : it));
    const { seen, onEvent } = recorder();
    const result = await compareItems(input(source, target, { maxDrillEntries: 10, onEvent }));
    expect(result.different).toBe(12);
    expect(result.passes).toBeGreaterThan(1);
    const passes = result.passes;
    expect(seen.slice(0, 4)).toEqual([
      {
        type: 'step',
        said: 'digest: Scanning both tables (3 segment(s) each) and summing item hashes into 16 buckets',
      },
      { type: 'scan-started', said: 'digest 0/0', scanning: 'source target' },
      { type: 'scan-finished', said: 'digest 0/0', scanning: 'source target' },
      {
        type: 'step',
        said: `drill-down: Drilling into ${result.mismatchedBuckets} mismatched bucket(s) of 16: ${passes} more scan(s)`,
      },
    ]);
    expect(seen.slice(4)).toEqual(
      Array.from({ length: passes }, (_, i) => [
        { type: 'scan-started', said: `drill-down ${i + 1}/${passes}`, scanning: 'source target' },
        { type: 'scan-finished', said: `drill-down ${i + 1}/${passes}`, scanning: 'source target' },
      ]).flat(),
    );
  });

  it('says no drill-down is needed when every bucket matches', async () => {
    const source = Array.from({ length: 20 }, (_, i) => item(i));
    const { seen, onEvent } = recorder();
    await compareItems(input(source, source, { onEvent }));
    expect(seen.filter((e) => e.type === 'step')[1]).toEqual({
      type: 'step',
      said: 'drill-down: No drill-down needed: all 16 bucket(s) match',
    });
  });

  it('says the digest settled it when the few one-sided items are all known', async () => {
    const source = Array.from({ length: 3 }, (_, i) => item(i));
    const { seen, onEvent } = recorder();
    const result = await compareItems(input(source, [], { buckets: 1024, onEvent }));
    expect(result).toMatchObject({ ...naiveDiff(source, [], 5), passes: 0, mismatchedBuckets: 3 });
    expect(seen.filter((e) => e.type === 'step')[1]).toEqual({
      type: 'step',
      said: 'drill-down: No drill-down needed: the 3 mismatched bucket(s) of 1024 are known from the digest scan',
    });
  });

  it('needs no drill-down when the missing and extra items are all among the smallest keys', async () => {
    const source = Array.from({ length: 40 }, (_, i) => item(i));
    const keyOf = (it: Item) => keyText(it, KEYS);
    const smallest = [...source].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
    const dropped = new Set([smallest[1], smallest[3]]);
    const extras: Item[] = [
      { pk: { S: 'a0' }, sk: { N: '1' } },
      { pk: { S: 'a1' }, sk: { N: '1' } },
    ];
    const target = [...extras, ...source.filter((it) => !dropped.has(it))];
    const result = await compareItems(input(source, target, { buckets: 1024 }));
    expect(result).toMatchObject({ ...naiveDiff(source, target, 5), passes: 0 });
    expect(result.missing).toBe(2);
    expect(result.extra).toBe(2);
  });

  it('reads in a samples-only pass only the side that holds the samples', async () => {
    const source = Array.from({ length: 300 }, (_, i) => item(i));
    const target = source.filter((_, i) => i % 30 !== 17);
    const { seen, onEvent } = recorder();
    // Enough buckets that no missing item shares one with an item both sides hold.
    const result = await compareItems(input(source, target, { buckets: 65536, onEvent }));
    expect(result).toMatchObject({ ...naiveDiff(source, target, 5), passes: 1 });
    expect(seen.filter((e) => e.type === 'scan-started').map((e) => e.scanning)).toEqual([
      'source target',
      'source -',
    ]);
  });

  it('reads both sides in a samples-only pass holding missing and extra buckets', async () => {
    const source = Array.from({ length: 300 }, (_, i) => item(i));
    const target = [
      ...source.filter((_, i) => i % 30 !== 17),
      ...Array.from({ length: 10 }, (_, i) => item(1000 + i)),
    ];
    const { seen, onEvent } = recorder();
    const result = await compareItems(input(source, target, { buckets: 65536, onEvent }));
    expect(result).toMatchObject({ ...naiveDiff(source, target, 5), passes: 1 });
    expect(seen.filter((e) => e.type === 'scan-started').map((e) => e.scanning)).toEqual([
      'source target',
      'source target',
    ]);
  });

  it('says how to recover when interrupted', async () => {
    const source = Array.from({ length: 30 }, (_, i) => item(i));
    const controller = new AbortController();
    controller.abort();
    const error = await compareItems(input(source, source, { signal: controller.signal })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).message).toBe('Interrupted before the verification finished.');
    expect((error as InterruptedError).hint).toBe(
      'Run the same command again; verify changes nothing, so it can always start over.',
    );
  });

  it('stops reading once the signal aborts mid-scan, and reports the interruption, not the scan error', async () => {
    const source = Array.from({ length: 300 }, (_, i) => item(i));
    const controller = new AbortController();
    const store = new MemorySource(source);
    const sourceSide = side('source', store);
    const aborting: Source = {
      capabilities: store.capabilities,
      describe: () => store.describe(),
      async *scan(options) {
        for await (const page of store.scan(options)) {
          controller.abort();
          yield page;
        }
      },
    };
    const run = compareItems(
      input(source, [], {
        source: { ...sourceSide, store: aborting },
        signal: controller.signal,
        totalSegments: 1,
      }),
    );
    await expect(run).rejects.toThrow(InterruptedError);
    // 300 items in pages of 7 make 43 pages; the abort stops the scan after the first one or two.
    expect(store.pagesServed).toBeLessThan(5);
  });

  it('reports the interruption, not the error a store throws once the signal aborted', async () => {
    const source = Array.from({ length: 30 }, (_, i) => item(i));
    const controller = new AbortController();
    const failing: Source = {
      capabilities: new MemorySource([]).capabilities,
      describe: () => Promise.reject(new Error('not needed')),
      // biome-ignore lint/correctness/useYield: it fails before its first page
      async *scan() {
        controller.abort();
        throw new Error('connection lost');
      },
    };
    const run = compareItems(
      input(source, source, { source: side('source', failing), signal: controller.signal }),
    );
    await expect(run).rejects.toThrow(InterruptedError);
  });

  it('warns when a side changed between the digest and the drill-down', async () => {
    const source = Array.from({ length: 40 }, (_, i) => item(i));
    const target = source.map((it, i) => (i % 10 === 3 ? item(i, 1) : it));
    const held = [...source];
    const onEvent = (event: CompareEvent) => {
      if (event.type === 'step' && event.name === 'drill-down') held.length = 0;
    };
    const result = await compareItems(input(held, target, { onEvent }));
    expect(result.passes).toBe(1);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(
      /^the source table changed while it was verified: [1-9]\d* items in the compared buckets at first, 0 when drilled into; run verify again once it is quiet$/,
    );
  });
});
