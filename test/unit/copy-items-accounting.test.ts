/**
 * What copyItems tells the pacers and the stats (a pacer told wrong over-reads or over-writes the
 * tables' capacity), which items it checks, where a staged page resumes, and how an interrupt stops
 * scanning. The source is a scripted list of pages per segment and the sink records each batch and
 * answers a scripted capacity: the engine's parts (queue, batcher, segment progress, pacer) are the
 * real ones. The pacers are real Pacers that also record what they were told (their effect is time,
 * which the tests do not measure).
 */
import { describe, expect, it } from 'vitest';
import { copyItems } from '../../src/engine/copy/copy-items.js';
import type { ItemStage } from '../../src/engine/copy/item-stage.js';
import type { SegmentProgress } from '../../src/engine/copy/segment-progress.js';
import { ItemRejectedError } from '../../src/errors.js';
import { Pacer } from '../../src/runtime/pacer.js';
import { CopyStats } from '../../src/runtime/stats.js';
import type { Item, Page, ScanOptions, Sink, Source, WriteResult } from '../../src/stores/types.js';
import { copyItemsInput } from '../harness/copy-items-input.js';

class RecordingPacer extends Pacer {
  readonly calls: [string, number?][] = [];
  constructor() {
    super(undefined);
  }
  override async take(units: number): Promise<void> {
    this.calls.push(['take', units]);
  }
  override settle(extraUnits: number): void {
    this.calls.push(['settle', extraUnits]);
  }
  override throttled(): void {
    this.calls.push(['throttled']);
  }
}

const item = (pk: string, extraBytes = 0): Item => ({
  pk: { S: pk },
  ...(extraBytes ? { pad: { S: 'x'.repeat(extraBytes) } } : {}),
});

/**
 * A source that yields `pages[segment]` in order; `requested` counts the pages asked for (per segment
 * in `perSegment`), `options` keeps each scan's options.
 */
function scriptedSource(pages: Page[][], validItems = true) {
  const source = {
    requested: 0,
    perSegment: pages.map(() => 0),
    options: [] as ScanOptions[],
    capabilities: { parallelScan: true, schema: false, consistentRead: true, validItems },
    describe: () => Promise.reject(new Error('not used')),
    async *scan(options: ScanOptions): AsyncIterable<Page> {
      source.options.push(options);
      for (const page of pages[options.segment] ?? []) {
        source.requested += 1;
        source.perSegment[options.segment]! += 1;
        yield page;
      }
    },
  };
  return source satisfies Source;
}

/** A sink that records each batch and answers `results(n)` for the n-th one. */
function recordingSink(results: (n: number) => WriteResult = () => ({ consumedWrite: 0, throttled: false })) {
  const batches: Item[][] = [];
  const sink = {
    capabilities: { parallelScan: true, schema: false, consistentRead: true, validItems: true },
    async writeBatch(items: Item[]): Promise<WriteResult> {
      batches.push(items);
      return results(batches.length - 1);
    },
  } as unknown as Sink;
  return { sink, batches };
}

const input = copyItemsInput;

describe('copyItems: pacers and stats', () => {
  it('charges each page its estimate, then settles the difference the page reported', async () => {
    const source = scriptedSource([
      [
        { items: [item('a')], lastKey: { pk: { S: 'a' } }, consumedRead: 5, scanned: 3 },
        { items: [item('b')], lastKey: undefined, consumedRead: 0 },
      ],
    ]);
    const readPacer = new RecordingPacer();
    const stats = new CopyStats();
    const { sink } = recordingSink();
    const result = await copyItems(input(source, sink, { readPacer, stats }));
    expect(result.status).toBe('completed');
    // Charged 2 before each request (the last finds the segment's end); the first page cost 5 (3
    // more), the second reported nothing (no settlement).
    expect(readPacer.calls).toEqual([
      ['take', 2],
      ['settle', 3],
      ['take', 2],
      ['take', 2],
    ]);
    expect(stats.consumedRead).toBe(5);
    expect(stats.itemsScanned).toBe(4);
    expect(stats.pagesScanned).toBe(2);
  });

  it('charges a batch one write unit per item per started KB, settles what the sink reported, and slows on throttling', async () => {
    // About 0.01, 1.5 and 2.5 KB: 1 + 2 + 3 units.
    const items = [item('a'), item('b', 1500), item('c', 2500)];
    const source = scriptedSource([[{ items, lastKey: undefined, consumedRead: 0 }]]);
    const writePacer = new RecordingPacer();
    const stats = new CopyStats();
    const { sink, batches } = recordingSink(() => ({ consumedWrite: 9, throttled: true }));
    await copyItems(input(source, sink, { writePacer, stats }));
    expect(batches).toEqual([items]);
    expect(writePacer.calls).toEqual([['take', 6], ['settle', 3], ['throttled']]);
    expect(stats.consumedWrite).toBe(9);
    expect(stats.itemsWritten).toBe(3);
  });

  it('neither settles nor slows when the sink reports no capacity and no throttling', async () => {
    const source = scriptedSource([[{ items: [item('a')], lastKey: undefined, consumedRead: 0 }]]);
    const writePacer = new RecordingPacer();
    const { sink } = recordingSink();
    await copyItems(input(source, sink, { writePacer }));
    expect(writePacer.calls).toEqual([['take', 1]]);
  });
});

describe('copyItems: checks and positions', () => {
  it('checks items a stage changed, even from a source whose items are valid', async () => {
    const source = scriptedSource([[{ items: [item('a')], lastKey: undefined, consumedRead: 0 }]]);
    const dropKey: ItemStage = {
      page: (items) => ({
        items: items.map((i) => ({ other: i.pk! })),
        sourceKeys: items.map((i) => ({ pk: i.pk! })),
      }),
      targetKey: (key) => key,
    };
    const { sink, batches } = recordingSink();
    await expect(copyItems(input(source, sink, { stage: dropKey }))).rejects.toBeInstanceOf(
      ItemRejectedError,
    );
    expect(batches).toEqual([]);
  });

  it('resumes a staged page after the source key of its last written item', async () => {
    const items = Array.from({ length: 30 }, (_, i) => item(`k${String(i).padStart(2, '0')}`));
    const source = scriptedSource([
      [
        { items, lastKey: { pk: { S: 'k29' } }, consumedRead: 0 },
        { items: [], lastKey: undefined, consumedRead: 0 },
      ],
    ]);
    // The stage renames every key; positions must stay the source's.
    const rename: ItemStage = {
      page: (page) => ({
        items: page.map((i) => ({ pk: { S: `new-${i.pk!.S}` } })),
        sourceKeys: page.map((i) => ({ pk: i.pk! })),
      }),
      targetKey: (key) => ({ pk: { S: `new-${key.pk!.S}` } }),
    };
    const positions: unknown[] = [];
    const { sink, batches } = recordingSink();
    await copyItems(
      input(source, sink, {
        stage: rename,
        onProgress: (progress: SegmentProgress) => positions.push(progress.state(0).startKey),
      }),
    );
    expect(batches.map((batch) => batch.length)).toEqual([25, 5]);
    // After the first batch (25 items): the source key of its last item; then the page's lastKey.
    expect(positions[0]).toEqual({ pk: { S: 'k24' } });
    expect(positions).toContainEqual({ pk: { S: 'k29' } });
  });

  it('moves the position past a page without items', async () => {
    const source = scriptedSource([
      [
        { items: [], lastKey: { pk: { S: 'm' } }, consumedRead: 1 },
        { items: [], lastKey: undefined, consumedRead: 1 },
      ],
    ]);
    const positions: unknown[] = [];
    const { sink } = recordingSink();
    await copyItems(
      input(source, sink, { onProgress: (progress) => positions.push(progress.state(0).startKey) }),
    );
    expect(positions[0]).toEqual({ pk: { S: 'm' } });
  });
});

describe('copyItems: interrupted', () => {
  it('writes nothing and reads nothing more once the signal is aborted before it starts', async () => {
    const source = scriptedSource([
      [
        { items: [item('a')], lastKey: { pk: { S: 'a' } }, consumedRead: 0 },
        { items: [item('b')], lastKey: undefined, consumedRead: 0 },
      ],
    ]);
    const { sink, batches } = recordingSink();
    const controller = new AbortController();
    controller.abort();
    const result = await copyItems(input(source, sink, { signal: controller.signal }));
    expect(result.status).toBe('interrupted');
    expect(batches).toEqual([]);
    expect(source.requested).toBeLessThanOrEqual(1);
  });

  it('stops reading once a write was interrupted: the segments not done say interrupted', async () => {
    const controller = new AbortController();
    const pages: Page[] = Array.from({ length: 6 }, (_, i) => ({
      items: [item(`k${i}`)],
      lastKey: i === 5 ? undefined : { pk: { S: `k${i}` } },
      consumedRead: 0,
    }));
    const source = scriptedSource([pages, [{ items: [item('z')], lastKey: undefined, consumedRead: 0 }]]);
    // The first batch written aborts the run, as Ctrl-C would while it is in flight.
    const { sink, batches } = recordingSink((n) => {
      if (n === 0) controller.abort();
      return { consumedWrite: 0, throttled: false };
    });
    const result = await copyItems(
      input(source, sink, { signal: controller.signal, totalSegments: 2, scanConcurrency: 1 }),
    );
    expect(result.status).toBe('interrupted');
    expect(batches.length).toBe(1);
    // Scanning stops at once: at most the page being queued and one ahead are read, never all six,
    // and the next segment is not begun.
    expect(source.perSegment[0]).toBeLessThan(4);
    expect(source.perSegment[1]).toBe(0);
    expect(result.segments[1]!.done).toBe(false);
  });

  it('lets every scanner that waits for room go when interrupted: the copy ends', async () => {
    const controller = new AbortController();
    const pages: Page[] = Array.from({ length: 10 }, (_, i) => ({
      items: [item(`k${i}`)],
      lastKey: i === 9 ? undefined : { pk: { S: `k${i}` } },
      consumedRead: 0,
    }));
    // While the first batch is written the two scanners fill the queue (2 batches) and wait for room.
    const batches: Item[][] = [];
    const sink = {
      async writeBatch(items: Item[]): Promise<WriteResult> {
        batches.push(items);
        for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
        controller.abort();
        return { consumedWrite: 0, throttled: false };
      },
    } as unknown as Sink;
    const result = await copyItems(
      input(scriptedSource([pages, pages]), sink, {
        signal: controller.signal,
        totalSegments: 2,
        scanConcurrency: 2,
      }),
    );
    expect(result.status).toBe('interrupted');
    expect(batches).toHaveLength(1);
  });

  it('is interrupted, not completed, when only some of its segments are done', async () => {
    const controller = new AbortController();
    const source = scriptedSource([
      [{ items: [item('a')], lastKey: undefined, consumedRead: 0 }],
      [{ items: [item('z')], lastKey: undefined, consumedRead: 0 }],
    ]);
    const { sink } = recordingSink((n) => {
      if (n === 0) controller.abort();
      return { consumedWrite: 0, throttled: false };
    });
    const result = await copyItems(input(source, sink, { signal: controller.signal, totalSegments: 2 }));
    expect(result.segments.map((segment) => segment.done)).toEqual([true, false]);
    expect(result.status).toBe('interrupted');
  });

  it('ends a wait for write capacity on the interrupt: interrupted, not failed', async () => {
    const controller = new AbortController();
    const pages: Page[] = ['a', 'b', 'c'].map((pk, i) => ({
      items: [item(pk)],
      lastKey: i === 2 ? undefined : { pk: { S: pk } },
      consumedRead: 0,
    }));
    // One unit per second: while the first batch is written, a second writer waits for the bucket
    // (it is a unit in debt), and the interrupt ends that wait.
    const batches: Item[][] = [];
    const sink = {
      async writeBatch(items: Item[]): Promise<WriteResult> {
        batches.push(items);
        await new Promise((resolve) => setImmediate(resolve));
        controller.abort();
        return { consumedWrite: 0, throttled: false };
      },
    } as unknown as Sink;
    const result = await copyItems(
      input(scriptedSource([pages]), sink, {
        signal: controller.signal,
        writePacer: new Pacer(1),
        writeConcurrency: 2,
      }),
    );
    expect(result.status).toBe('interrupted');
    expect(batches).toHaveLength(1);
  });
});

describe('copyItems: failures and filters', () => {
  it('reports the first failure when several writers fail', async () => {
    const source = scriptedSource([
      [{ items: Array.from({ length: 30 }, (_, i) => item(`k${i}`)), lastKey: undefined, consumedRead: 0 }],
    ]);
    const sink = {
      capabilities: { parallelScan: true, schema: false, consistentRead: true, validItems: true },
      calls: 0,
      async writeBatch(): Promise<WriteResult> {
        sink.calls += 1;
        throw new Error(`failure ${sink.calls}`);
      },
    };
    await expect(copyItems(input(source, sink as unknown as Sink, { writeConcurrency: 2 }))).rejects.toThrow(
      'failure 1',
    );
    expect(sink.calls).toBe(2);
  });

  it('hands the filter to every scan', async () => {
    const source = scriptedSource([[], []]);
    const filter = { expression: 'attribute_exists(x)' };
    const { sink } = recordingSink();
    await copyItems(input(source, sink, { filter, totalSegments: 2 }));
    expect(source.options.map((options) => options.filter)).toEqual([filter, filter]);
  });
});
