import { setTimeout as delay } from 'node:timers/promises';
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { type CopyItemsInput, copyItems } from '../../src/engine/copy/copy-items.js';
import type { SegmentProgress, SegmentState } from '../../src/engine/copy/segment-progress.js';
import { AwsRequestError, RetryBudgetExhaustedError, TableNotFoundError } from '../../src/errors.js';
import { Pacer } from '../../src/runtime/pacer.js';
import { CopyStats } from '../../src/runtime/stats.js';
import type { Item, Page, ScanOptions, Source } from '../../src/stores/types.js';
import { MemoryStore, memorySegmentOf } from '../harness/memory-store.js';

const KEYS = ['pk', 'sk'];

function table(name: string): TableDescription {
  return {
    TableName: name,
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
    ],
    BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
  };
}

function makeItems(count: number): Item[] {
  return Array.from({ length: count }, (_, i) => ({
    pk: { S: `customer#${i % 37}` },
    sk: { N: String(i) },
    payload: { S: 'x'.repeat(i % 60) },
    bytes: { B: new Uint8Array([i % 256, 0, 255]) },
    big: { N: '9007199254740993' },
  }));
}

function stores(count: number): { source: MemoryStore; sink: MemoryStore } {
  return {
    source: new MemoryStore({ table: table('src'), items: makeItems(count) }),
    sink: new MemoryStore({ table: table('dst') }),
  };
}

function copyInput(
  source: MemoryStore | Source,
  sink: MemoryStore,
  overrides: Partial<CopyItemsInput> = {},
): CopyItemsInput {
  return {
    source: source instanceof MemoryStore ? source.source : source,
    sink: sink.sink,
    keyAttributes: KEYS,
    totalSegments: 8,
    scanConcurrency: 4,
    writeConcurrency: 4,
    scanLimit: 25,
    consistentRead: false,
    readUnitsPerPage: 1,
    readPacer: new Pacer(undefined),
    writePacer: new Pacer(undefined),
    stats: new CopyStats(),
    ...overrides,
  };
}

/** The source's key strings a segment state says are written: up to its startKey, or all once done. */
function claimedKeys(source: MemoryStore, state: SegmentState, totalSegments: number): string[] {
  const keys = source.segmentKeys(state.segment, totalSegments);
  if (state.done) return keys;
  if (!state.startKey) return [];
  const after = source.keyOf(state.startKey);
  return keys.filter((key) => key <= after);
}

/** Checks at every progress event that no segment claims an item the sink does not hold. */
function claimWatcher(source: MemoryStore, sink: MemoryStore, totalSegments: number, fresh = true) {
  const violations: string[] = [];
  let events = 0;
  const check = (states: readonly SegmentState[]): void => {
    for (const state of states) {
      const claimed = claimedKeys(source, state, totalSegments);
      for (const key of claimed) {
        if (!sink.hasKeyString(key)) violations.push(`segment ${state.segment} claims ${key}`);
      }
      if (fresh && state.itemsWritten !== claimed.length) {
        violations.push(`segment ${state.segment} counts ${state.itemsWritten}, claims ${claimed.length}`);
      }
    }
  };
  return {
    violations,
    events: () => events,
    check,
    onProgress: (progress: SegmentProgress): void => {
      events += 1;
      check(progress.snapshot());
    },
  };
}

describe('copyItems with the memory store', () => {
  for (const writeConcurrency of [1, 8]) {
    it(`copies every item over many segments and pages (writeConcurrency ${writeConcurrency})`, async () => {
      const { source, sink } = stores(3000);
      sink.faults = { writeDelayMs: 1 };
      const watcher = claimWatcher(source, sink, 16);
      const input = copyInput(source, sink, {
        totalSegments: 16,
        writeConcurrency,
        onProgress: watcher.onProgress,
      });
      const result = await copyItems(input);

      expect(result.status).toBe('completed');
      expect(sink.items()).toStrictEqual(source.items());
      expect(result.segments).toHaveLength(16);
      expect(result.segments.every((s) => s.done && s.startKey === undefined)).toBe(true);
      expect(result.segments.reduce((sum, s) => sum + s.itemsWritten, 0)).toBe(3000);
      expect(input.stats.itemsScanned).toBe(3000);
      expect(input.stats.itemsWritten).toBe(3000);
      expect(input.stats.bytesWritten).toBeGreaterThan(0);
      expect(input.stats.consumedWrite).toBeGreaterThanOrEqual(3000);
      expect(input.stats.pagesScanned).toBe(source.counters.pages);
      expect(source.counters.pages).toBeGreaterThanOrEqual(3000 / 25);
      expect(source.pagesBySegment.size).toBe(16);
      expect(sink.counters.maxWritesInFlight).toBeLessThanOrEqual(writeConcurrency);
      if (writeConcurrency > 1) expect(sink.counters.maxWritesInFlight).toBeGreaterThan(1);
      expect(watcher.violations).toEqual([]);
      expect(watcher.events()).toBeGreaterThan(0);
    });
  }

  it('copies an empty table: one empty final page per segment', async () => {
    const { source, sink } = stores(0);
    const input = copyInput(source, sink, { totalSegments: 4 });
    const result = await copyItems(input);
    expect(result.status).toBe('completed');
    expect(result.segments).toEqual(
      [0, 1, 2, 3].map((segment) => ({ segment, startKey: undefined, done: true, itemsWritten: 0 })),
    );
    expect(source.counters.pages).toBe(4);
    expect(input.stats.pagesScanned).toBe(4);
    expect(sink.size).toBe(0);
    expect(sink.counters.writeRequests).toBe(0);
  });

  it('handles pages that come back empty but with a lastKey', async () => {
    const { source, sink } = stores(1000);
    source.faults = { emptyPage: (_segment, page) => page % 2 === 1 };
    const watcher = claimWatcher(source, sink, 5);
    const result = await copyItems(
      copyInput(source, sink, { totalSegments: 5, scanLimit: 20, onProgress: watcher.onProgress }),
    );
    expect(result.status).toBe('completed');
    expect(source.counters.emptyPages).toBeGreaterThan(10);
    expect(sink.items()).toStrictEqual(source.items());
    expect(watcher.violations).toEqual([]);
  });

  it('finishes a segment whose last page is empty and final (the page before was full)', async () => {
    const { source, sink } = stores(50);
    const input = copyInput(source, sink, { totalSegments: 1, scanLimit: 25 });
    const result = await copyItems(input);
    expect(result.status).toBe('completed');
    // 25 + 25 with lastKeys, then an empty page without one, as DynamoDB answers.
    expect(input.stats.pagesScanned).toBe(3);
    expect(result.segments[0]).toMatchObject({ done: true, itemsWritten: 50 });
    expect(sink.size).toBe(50);
  });

  it('stops every worker on a fatal write error, rejects with it, and never claims an unwritten item', async () => {
    const { source, sink } = stores(3000);
    const boom = new Error('the target broke');
    sink.faults = { writeDelayMs: 2, failWrite: (_items, attempt) => (attempt === 15 ? boom : undefined) };
    const watcher = claimWatcher(source, sink, 8);
    const writeConcurrency = 4;
    const input = copyInput(source, sink, { writeConcurrency, onProgress: watcher.onProgress });

    await expect(copyItems(input)).rejects.toBe(boom);
    const requests = sink.counters.writeRequests;
    const pages = source.counters.pages;
    expect(sink.counters.writesInFlight).toBe(0);
    // Only the requests already started when the error came; no new ones.
    expect(requests).toBeLessThanOrEqual(15 + writeConcurrency);
    expect(sink.size).toBeLessThan(source.size);
    expect(pages).toBeLessThan(3000 / 25);
    await delay(50);
    expect(sink.counters.writeRequests).toBe(requests);
    expect(source.counters.pages).toBe(pages);

    expect(watcher.events()).toBeGreaterThan(0);
    expect(watcher.violations).toEqual([]);
  });

  it('stops every worker on a fatal scan error and rejects with it', async () => {
    const { source, sink } = stores(2000);
    const broken = new Error('the source broke');
    let pages = 0;
    const failing: Source = {
      capabilities: source.capabilities,
      describe: (skip) => source.source.describe(skip),
      async *scan(options: ScanOptions): AsyncIterable<Page> {
        for await (const page of source.scan(options)) {
          pages += 1;
          if (pages === 10) throw broken;
          yield page;
        }
      },
    };
    source.faults = { pageDelayMs: 1 };
    sink.faults = { writeDelayMs: 1 };
    await expect(copyItems(copyInput(failing, sink))).rejects.toBe(broken);
    const requests = sink.counters.writeRequests;
    const scanned = pages;
    await delay(30);
    expect(sink.counters.writeRequests).toBe(requests);
    expect(pages).toBe(scanned);
    expect(pages).toBeLessThan(2000 / 25 / 2);
    expect(sink.counters.writesInFlight).toBe(0);
  });

  it('resolves interrupted on abort, with states from which a second run finishes the copy', async () => {
    const { source, sink } = stores(3000);
    const controller = new AbortController();
    sink.faults = {
      writeDelayMs: 1,
      failWrite: (_items, attempt) => {
        if (attempt === 20) controller.abort();
        return undefined;
      },
    };
    const watcher = claimWatcher(source, sink, 8);
    const first = await copyItems(
      copyInput(source, sink, { signal: controller.signal, onProgress: watcher.onProgress }),
    );
    expect(first.status).toBe('interrupted');
    expect(first.segments.some((s) => !s.done)).toBe(true);
    expect(sink.size).toBeLessThan(source.size);
    watcher.check(first.segments);
    expect(watcher.violations).toEqual([]);
    expect(sink.counters.writesInFlight).toBe(0);

    sink.faults = {};
    const stats = new CopyStats();
    const second = await copyItems(copyInput(source, sink, { stats, resumeFrom: first.segments }));
    expect(second.status).toBe('completed');
    expect(second.segments.every((s) => s.done)).toBe(true);
    expect(sink.items()).toStrictEqual(source.items());
    // Resumed after the saved keys, not restarted.
    expect(stats.itemsScanned).toBeLessThan(source.size);
    expect(stats.itemsScanned + first.segments.reduce((sum, s) => sum + s.itemsWritten, 0)).toBe(source.size);
    expect(second.segments.reduce((sum, s) => sum + s.itemsWritten, 0)).toBe(source.size);
  });

  it('skips the segments resumeFrom marks done and resumes the others after their key', async () => {
    const { source, sink } = stores(1200);
    const total = 6;
    const middle = source.segmentKeys(3, total);
    const resumeKey = source.items().find((item) => source.keyOf(item) === middle[9])!;
    const resumeFrom: SegmentState[] = [
      { segment: 0, startKey: undefined, done: true, itemsWritten: 7 },
      { segment: 1, startKey: undefined, done: true, itemsWritten: 8 },
      { segment: 2, startKey: undefined, done: true, itemsWritten: 9 },
      { segment: 3, startKey: { pk: resumeKey.pk!, sk: resumeKey.sk! }, done: false, itemsWritten: 10 },
    ];
    const input = copyInput(source, sink, { totalSegments: total, resumeFrom });
    const result = await copyItems(input);

    expect(result.status).toBe('completed');
    expect([...source.pagesBySegment.keys()].sort()).toEqual([3, 4, 5]);
    expect(source.counters.scans).toBe(3);
    expect(result.segments.slice(0, 3)).toEqual(resumeFrom.slice(0, 3));
    expect(result.segments[3]).toMatchObject({ done: true, itemsWritten: middle.length });
    const expected = [
      ...middle.slice(10),
      ...source.segmentKeys(4, total),
      ...source.segmentKeys(5, total),
    ].sort();
    expect(sink.items().map((item) => sink.keyOf(item))).toEqual(expected);
    expect(input.stats.itemsScanned).toBe(expected.length);
  });

  it('keeps memory bounded: scanned-but-unwritten items stay within the queue, scanners and writers', async () => {
    const { source, sink } = stores(2000);
    const pageSize = 25;
    const scanConcurrency = 4;
    const writeConcurrency = 2;
    const queueCapacity = Math.max(2, writeConcurrency * 2);
    const stats = new CopyStats();
    let outstanding = 0;
    const sample = (): void => {
      outstanding = Math.max(outstanding, stats.itemsScanned - stats.itemsWritten);
    };
    sink.faults = {
      writeDelayMs: 3,
      failWrite: () => {
        sample();
        return undefined;
      },
    };
    const sampled: Source = {
      capabilities: source.capabilities,
      describe: (skip) => source.source.describe(skip),
      async *scan(options: ScanOptions): AsyncIterable<Page> {
        for await (const page of source.scan(options)) {
          sample();
          yield page;
        }
      },
    };
    const timer = setInterval(sample, 1);
    try {
      const result = await copyItems(
        copyInput(sampled, sink, {
          stats,
          scanConcurrency,
          writeConcurrency,
          scanLimit: pageSize,
          onProgress: sample,
        }),
      );
      expect(result.status).toBe('completed');
    } finally {
      clearInterval(timer);
    }
    expect(sink.size).toBe(2000);
    // A page is one batch here: the queue, each writer and each blocked scanner hold one at most.
    expect(outstanding).toBeLessThanOrEqual((queueCapacity + scanConcurrency + writeConcurrency) * pageSize);
    expect(outstanding).toBeGreaterThan(0);
  });

  it('retries unprocessed items in the sink and slows the write pacer', async () => {
    const { source, sink } = stores(300);
    let calls = 0;
    sink.faults = { unprocessed: (items) => (++calls % 3 === 0 ? items.slice(0, 5) : []) };
    const writePacer = new Pacer(undefined);
    const throttled = vi.spyOn(writePacer, 'throttled');
    const result = await copyItems(copyInput(source, sink, { writePacer }));
    expect(result.status).toBe('completed');
    expect(sink.items()).toStrictEqual(source.items());
    expect(throttled).toHaveBeenCalled();
  });
});

describe('MemoryStore', () => {
  it('splits the key space into disjoint, deterministic segments in key-string order', async () => {
    const store = new MemoryStore({ table: table('t'), items: makeItems(500) });
    const seen: string[] = [];
    for (let segment = 0; segment < 7; segment++) {
      const keys: string[] = [];
      for await (const page of store.scan({ segment, totalSegments: 7, limit: 30 })) {
        expect(page.items.length).toBeLessThanOrEqual(30);
        for (const item of page.items) {
          const key = store.keyOf(item);
          expect(memorySegmentOf(key, 7)).toBe(segment);
          keys.push(key);
        }
      }
      expect(keys).toEqual([...keys].sort());
      expect(keys).toEqual(store.segmentKeys(segment, 7));
      seen.push(...keys);
    }
    expect(new Set(seen).size).toBe(500);
  });

  it('resumes a scan after a page lastKey', async () => {
    const store = new MemoryStore({ table: table('t'), items: makeItems(200) });
    const pages: Page[] = [];
    for await (const page of store.scan({ segment: 1, totalSegments: 3, limit: 10 })) pages.push(page);
    const resumed: Page[] = [];
    for await (const page of store.scan({
      segment: 1,
      totalSegments: 3,
      limit: 10,
      startKey: pages[2]!.lastKey,
    }))
      resumed.push(page);
    expect(resumed.map((p) => p.items)).toEqual(pages.slice(3).map((p) => p.items));
  });

  it('enforces the BatchWriteItem rules', async () => {
    const store = new MemoryStore({ table: table('t') });
    const items = makeItems(30);
    await expect(store.writeBatch(items.slice(0, 26))).rejects.toThrow(AwsRequestError);
    await expect(store.writeBatch([])).rejects.toThrow(/1 to 25/);
    await expect(store.writeBatch([items[0]!, { ...items[0]! }])).rejects.toThrow(/duplicates/);
    await expect(store.writeBatch([{ pk: { S: 'a' } }])).rejects.toThrow(/key attribute 'sk'/);
    expect(store.size).toBe(0);
    await expect(store.writeBatch(items.slice(0, 25))).resolves.toEqual({
      consumedWrite: 25,
      throttled: false,
    });
    expect(store.size).toBe(25);
  });

  it('gives up on items that stay unprocessed', async () => {
    const store = new MemoryStore({ table: table('t'), faults: { unprocessed: (items) => [...items] } });
    await expect(store.writeBatch(makeItems(3))).rejects.toThrow(RetryBudgetExhaustedError);
    expect(store.size).toBe(0);
  });

  it('manages an in-memory description through the control plane', async () => {
    const store = new MemoryStore({ unsupportedSettings: ['tags'] });
    expect(await store.sink.describe()).toBeUndefined();
    await expect(store.source.describe()).rejects.toThrow(TableNotFoundError);
    const created = await store.sink.createTable({
      TableName: 'made',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
    expect(created).toMatchObject({ TableName: 'made', TableStatus: 'ACTIVE', ItemCount: 0 });
    await store.sink.writeBatch([{ id: { S: 'a' }, v: { S: 'hello' } }]);
    expect(await store.sink.applySetting({ kind: 'ttl', attributeName: 'expires' })).toBe('applied');
    expect(await store.sink.applySetting({ kind: 'tags', tags: [{ Key: 'a', Value: 'b' }] })).toBe(
      'unsupported',
    );
    const snapshot = await store.source.describe();
    expect(snapshot.table).toMatchObject({ ItemCount: 1, TableSizeBytes: 9 });
    expect(snapshot.timeToLive).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expires' });
    expect(snapshot.tags).toBe('unsupported');
    expect((await store.source.describe(new Set(['ttl']))).timeToLive).toBe('unsupported');
    await store.sink.deleteTable();
    expect(await store.sink.describe()).toBeUndefined();
    expect(store.size).toBe(0);
  });
});

/** A source that hands out whatever items it is given, in one page: like a file nobody checked. */
function uncheckedSource(items: Item[]): Source {
  return {
    capabilities: { parallelScan: false, schema: false, consistentRead: false, validItems: false },
    describe: () => Promise.reject(new Error('not used')),
    async *scan(): AsyncIterable<Page> {
      yield { items, lastKey: undefined, consumedRead: 0 };
    },
  };
}

describe('copyItems: items from sources that are not DynamoDB are checked', () => {
  it('rejects an item over 400 KB, naming it, before its batch is sent', async () => {
    const items: Item[] = [
      ...makeItems(10),
      { pk: { S: 'huge' }, sk: { N: '1' }, blob: { B: new Uint8Array(410_000) } },
    ];
    const sink = new MemoryStore({ table: table('dst') });
    const run = copyItems(copyInput(uncheckedSource(items), sink, { totalSegments: 1, scanLimit: 100 }));
    await expect(run).rejects.toMatchObject({
      code: 'ITEM_REJECTED',
      message: expect.stringContaining('{"pk":{"S":"huge"},"sk":{"N":"1"}} is 410'),
    });
  });

  it('rejects an item whose key attribute is missing or of another type', async () => {
    const bad: Item[] = [
      { pk: { S: 'a' }, other: { S: 'x' } },
      { pk: { S: 'a' }, sk: { S: 'not-a-number' } },
    ];
    for (const item of bad) {
      const sink = new MemoryStore({ table: table('dst') });
      const run = copyItems(
        copyInput(uncheckedSource([item]), sink, { totalSegments: 1, keyTypes: { pk: 'S', sk: 'N' } }),
      );
      await expect(run).rejects.toMatchObject({ code: 'ITEM_REJECTED', exitCode: 2, side: 'source' });
      expect(sink.size).toBe(0);
    }
  });
});

describe('copyItems: a segment whose scan runs out of retries', () => {
  /** A source whose scan fails with a spent retry budget `failures` times, then serves its items. */
  function flakySource(items: Item[], failures: number): { source: Source; opened: () => number } {
    let opened = 0;
    return {
      opened: () => opened,
      source: {
        capabilities: { parallelScan: false, schema: false, consistentRead: false, validItems: true },
        describe: () => Promise.reject(new Error('not used')),
        async *scan(options: ScanOptions): AsyncIterable<Page> {
          opened += 1;
          if (opened <= failures) throw new RetryBudgetExhaustedError('Scan kept failing');
          expect(options.startKey).toBeUndefined();
          yield { items, lastKey: undefined, consumedRead: 0 };
        },
      },
    };
  }

  it('restarts it from its position (twice at most), with a warning each time', async () => {
    const { source, opened } = flakySource(makeItems(30), 2);
    const sink = new MemoryStore({ table: table('dst') });
    const warnings: string[] = [];
    const result = await copyItems(
      copyInput(source, sink, {
        totalSegments: 1,
        segmentRestartPauseMs: 5,
        onWarning: (message) => warnings.push(message),
      }),
    );
    expect(result.status).toBe('completed');
    expect(sink.size).toBe(30);
    expect(opened()).toBe(3);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/Scan of segment 0 kept failing .*restarting it in 0.005 s \(1\/2\)/);
  });

  it('fails the copy when the third attempt fails too: nothing is skipped', async () => {
    const { source } = flakySource(makeItems(30), 3);
    const sink = new MemoryStore({ table: table('dst') });
    await expect(
      copyItems(copyInput(source, sink, { totalSegments: 1, segmentRestartPauseMs: 5 })),
    ).rejects.toBeInstanceOf(RetryBudgetExhaustedError);
  });
});
