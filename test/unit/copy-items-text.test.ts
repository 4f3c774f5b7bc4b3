/**
 * The text-only data path through copyItems: a copy that changes nothing reads pages as text
 * (Source.scanText) and writes them as text (Sink.writeTexts); anything that needs items as objects
 * (a stage, a source whose items must be checked, a sink without writeTexts) takes the object path.
 * The source is a scripted list of Scan response texts read by the DynamoDB source's own reader, the
 * sink records each batch; the engine's parts are the real ones.
 */
import { describe, expect, it } from 'vitest';
import { batchTextItems } from '../../src/engine/copy/batcher.js';
import { copyItems } from '../../src/engine/copy/copy-items.js';
import type { ItemStage } from '../../src/engine/copy/item-stage.js';
import type { SegmentProgress } from '../../src/engine/copy/segment-progress.js';
import { TextItem } from '../../src/model/text-item.js';
import { Pacer } from '../../src/runtime/pacer.js';
import { CopyStats } from '../../src/runtime/stats.js';
import { readScanPage, readScanTextPage } from '../../src/stores/dynamodb/source.js';
import type { Item, Page, ScanOptions, Sink, Source, WriteResult } from '../../src/stores/types.js';
import { copyItemsInput } from '../harness/copy-items-input.js';

/** A Scan response's text: items `{"pk":{"S":key},"pad":{"S":"xx..."}}`, and its LastEvaluatedKey. */
function response(keys: string[], lastKey: string | undefined, padBytes = 0): string {
  const items = keys.map(
    (key) => `{"pk":{"S":"${key}"}${padBytes ? `,"pad":{"S":"${'x'.repeat(padBytes)}"}` : ''}}`,
  );
  const last = lastKey ? `,"LastEvaluatedKey":{"pk":{"S":"${lastKey}"}}` : '';
  return `{"Items":[${items.join(',')}],"Count":${keys.length},"ScannedCount":${keys.length}${last},"ConsumedCapacity":{"CapacityUnits":1.5}}`;
}

/** A source of one segment whose pages are `responses`, read as the DynamoDB source reads them. */
function textSource(responses: string[], { validItems = true, text = true } = {}) {
  const calls = { scan: 0, scanText: 0 };
  const source: Source & { calls: typeof calls } = {
    calls,
    capabilities: { parallelScan: true, schema: false, consistentRead: true, validItems },
    describe: () => Promise.reject(new Error('not used')),
    async *scan(_options: ScanOptions): AsyncIterable<Page> {
      calls.scan += 1;
      for (const body of responses) {
        const out = readScanPage(body);
        yield { items: out.Items ?? [], lastKey: out.LastEvaluatedKey, consumedRead: 0 };
      }
    },
    ...(text
      ? {
          async *scanText(_options: ScanOptions, keyAttributes: readonly string[]) {
            calls.scanText += 1;
            for (const body of responses) yield readScanTextPage(body, keyAttributes);
          },
        }
      : {}),
  };
  return source;
}

/** A sink that records each batch, as objects or as text; `failAt` fails that batch (0-based). */
function recordingSink({ texts = true, failAt = -1 } = {}) {
  const batches: (Item[] | readonly TextItem[])[] = [];
  const write = async (items: Item[] | readonly TextItem[]): Promise<WriteResult> => {
    if (batches.length === failAt) throw new Error('the target refused the batch');
    batches.push(items);
    return { consumedWrite: items.length, throttled: false };
  };
  const sink = {
    capabilities: { parallelScan: true, schema: false, consistentRead: true, validItems: true },
    writeBatch: (items: Item[]) => write(items),
    ...(texts ? { writeTexts: (items: readonly TextItem[]) => write(items) } : {}),
  } as unknown as Sink;
  return { sink, batches };
}

const input = copyItemsInput;

const keys = (from: number, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `k${String(from + i).padStart(3, '0')}`);

/** The keys of a recorded batch, whichever form it has. */
const batchKeys = (batch: Item[] | readonly TextItem[]): string[] =>
  batch.map((item) => ((item instanceof TextItem ? JSON.parse(item.text) : item) as Item).pk!.S!);

describe('copyItems: the text-only path', () => {
  it('reads and writes text when nothing changes the items: every item, in order, as exactly its text', async () => {
    const source = textSource([response(keys(0, 30), 'k029', 2000), response(keys(30, 3), undefined)]);
    const { sink, batches } = recordingSink();
    const stats = new CopyStats();
    const result = await copyItems(input(source, sink, { stats }));
    expect(result.status).toBe('completed');
    expect(source.calls).toEqual({ scan: 0, scanText: 1 });
    expect(batches.every((batch) => batch.every((item) => item instanceof TextItem))).toBe(true);
    expect(batches.map((batch) => batch.length)).toEqual([25, 5, 3]);
    expect(batches.flatMap(batchKeys)).toEqual(keys(0, 33));
    expect((batches[2]![0] as TextItem).text).toBe('{"pk":{"S":"k030"}}');
    expect(stats.itemsWritten).toBe(33);
    expect(stats.itemsScanned).toBe(33);
    expect(stats.consumedRead).toBe(3);
    // DynamoDB sizes: 2 + 4 for the key, 3 + 2000 for the pad.
    expect(stats.bytesWritten).toBe(30 * (6 + 2003) + 3 * 6);
  });

  it('charges the write pacer by DynamoDB size, as the object path does', async () => {
    const charged: number[] = [];
    const writePacer = new (class extends Pacer {
      override async take(units: number): Promise<void> {
        charged.push(units);
      }
    })(undefined);
    // 2,009 bytes each: 2 write units per item.
    const source = textSource([response(keys(0, 3), undefined, 2000)]);
    await copyItems(input(source, recordingSink().sink, { writePacer }));
    expect(charged).toEqual([6]);
  });

  it('resumes after the key of the last item the target acknowledged, parsed from its text', async () => {
    const source = textSource([response(keys(0, 60), 'k059')]);
    const { sink, batches } = recordingSink({ failAt: 1 });
    const positions: unknown[] = [];
    await expect(
      copyItems(
        input(source, sink, {
          onProgress: (progress: SegmentProgress) => positions.push(progress.state(0).startKey),
        }),
      ),
    ).rejects.toThrow('the target refused the batch');
    expect(batches.map(batchKeys)).toEqual([keys(0, 25)]);
    expect(positions).toEqual([{ pk: { S: 'k024' } }]);
  });

  it('writes a page the text walk declined as items, in its place among text pages', async () => {
    const declined =
      '{"Items":[{"pk":{"S":"k005"},"v":{"NEW":"1"}}],"Count":1,"LastEvaluatedKey":{"pk":{"S":"k005"}}}';
    const source = textSource([response(keys(0, 5), 'k004'), declined, response(keys(6, 2), undefined)]);
    const { sink, batches } = recordingSink();
    await copyItems(input(source, sink));
    expect(batches.map((batch) => batch[0] instanceof TextItem)).toEqual([true, false, true]);
    expect(batches.flatMap(batchKeys)).toEqual(keys(0, 8));
  });
});

describe('copyItems: what keeps the object path', () => {
  const pages = [response(keys(0, 3), undefined)];

  it('a stage (masks, a transform): items as objects, through the stage', async () => {
    const source = textSource(pages);
    const { sink, batches } = recordingSink();
    const upper: ItemStage = {
      page: (items) => ({
        items: items.map((item) => ({ pk: { S: item.pk!.S!.toUpperCase() } })),
        sourceKeys: items.map((item) => ({ pk: item.pk! })),
      }),
      targetKey: (key) => key,
    };
    await copyItems(input(source, sink, { stage: upper }));
    expect(source.calls).toEqual({ scan: 1, scanText: 0 });
    expect(batches.flatMap(batchKeys)).toEqual(['K000', 'K001', 'K002']);
  });

  it('a source whose items must be checked', async () => {
    const source = textSource(pages, { validItems: false });
    const { sink, batches } = recordingSink();
    await copyItems(input(source, sink));
    expect(source.calls).toEqual({ scan: 1, scanText: 0 });
    expect(batches[0]!.every((item) => !(item instanceof TextItem))).toBe(true);
  });

  it('a sink that cannot write text (an export), or a source that cannot read it', async () => {
    const toExport = textSource(pages);
    await copyItems(input(toExport, recordingSink({ texts: false }).sink));
    expect(toExport.calls).toEqual({ scan: 1, scanText: 0 });
    const fromFiles = textSource(pages, { text: false });
    const { sink, batches } = recordingSink();
    await copyItems(input(fromFiles, sink));
    expect(fromFiles.calls).toEqual({ scan: 1, scanText: 0 });
    expect(batches.flatMap(batchKeys)).toEqual(keys(0, 3));
  });
});

describe('batchTextItems', () => {
  /** A text item of key `key` whose text is `bytes` long (ASCII). */
  const item = (key: string, bytes: number): TextItem => {
    const text = `{"pk":{"S":"${key}"},"p":{"S":"${'x'.repeat(bytes - 28 - key.length)}"}}`;
    return new TextItem(text, Buffer.byteLength(text, 'utf8'), 0, `[{"S":"${key}"}]`);
  };

  it('cuts by each item’s share of the request (its text and 25 bytes), and at a repeated key', () => {
    const items = [item('a', 75), item('b', 75), item('c', 74), item('a', 30), item('a', 30)];
    expect(items.map((i) => i.bytes)).toEqual([75, 75, 74, 30, 30]);
    // a and b: 100 + 100 = 200 fit; c (99) does not; a (55) joins c; the second a repeats a key.
    const batches = batchTextItems(items, { maxBytes: 200 });
    expect(batches.map((batch) => batch.map((i) => items.indexOf(i)))).toEqual([[0, 1], [2, 3], [4]]);
  });
});
