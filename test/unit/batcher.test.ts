import { describe, expect, it } from 'vitest';
import {
  batchItems,
  MAX_BATCH_BYTES,
  MAX_BATCH_ITEMS,
  REQUEST_ENVELOPE_HEADROOM,
} from '../../src/engine/copy/batcher.js';
import { keyString } from '../../src/model/item-key.js';
import { wireSizeUpperBound } from '../../src/model/item-size.js';
import type { Item } from '../../src/stores/types.js';

const KEY = ['pk'];
const items = (count: number, prefix = 'k'): Item[] =>
  Array.from({ length: count }, (_, i) => ({ pk: { S: `${prefix}${i}` }, n: { N: String(i) } }));
const sizes = (batches: Item[][]) => batches.map((batch) => batch.length);
const bytesOf = (batch: Item[]) => batch.reduce((sum, item) => sum + wireSizeUpperBound(item), 0);

describe('batchItems', () => {
  it('quotes the BatchWriteItem limits', () => {
    expect(MAX_BATCH_ITEMS).toBe(25);
    expect(MAX_BATCH_BYTES).toBe(16 * 1024 * 1024);
    expect(REQUEST_ENVELOPE_HEADROOM).toBe(64 * 1024);
  });

  it.each([
    [0, []],
    [1, [1]],
    [24, [24]],
    [25, [25]],
    [26, [25, 1]],
    [51, [25, 25, 1]],
  ])('splits %i items into batches of %j', (count, expected) => {
    const input = items(count);
    const batches = batchItems(input, KEY);
    expect(sizes(batches)).toStrictEqual(expected);
    expect(batches.flat()).toStrictEqual(input);
  });

  it('honours a smaller maxItems', () => {
    expect(sizes(batchItems(items(7), KEY, { maxItems: 3 }))).toStrictEqual([3, 3, 1]);
  });

  it('stops a batch before 16 MB with the default limits', () => {
    // 390 KB of control characters: stored size under 400 KB, JSON size about 6x that.
    const big = (i: number): Item => ({ pk: { S: `k${i}` }, data: { S: '\u0001'.repeat(390 * 1024) } });
    const limit = MAX_BATCH_BYTES - REQUEST_ENVELOPE_HEADROOM;
    const perItem = wireSizeUpperBound(big(0));
    const perBatch = Math.floor(limit / perItem);
    expect(perBatch).toBeLessThan(MAX_BATCH_ITEMS);
    const input = Array.from({ length: 2 * perBatch + 1 }, (_, i) => big(i));
    const batches = batchItems(input, KEY);
    expect(sizes(batches)).toStrictEqual([perBatch, perBatch, 1]);
    for (const batch of batches) expect(bytesOf(batch)).toBeLessThanOrEqual(limit);
    expect(bytesOf(batches[0]!) + perItem).toBeGreaterThan(limit);
    // The request DynamoDB receives stays under 16 MB.
    const body = JSON.stringify({
      RequestItems: { 'a-table-name': batches[0]!.map((item) => ({ PutRequest: { Item: item } })) },
    });
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(MAX_BATCH_BYTES);
  });

  it('fills up to 25 binary items of ~390 KB, which stay under 16 MB once base64-encoded', () => {
    const input = Array.from({ length: 30 }, (_, i) => ({
      pk: { S: `k${i}` },
      data: { B: new Uint8Array(390 * 1024) },
    }));
    const batches = batchItems(input, KEY);
    expect(sizes(batches)).toStrictEqual([25, 5]);
    expect(bytesOf(batches[0]!)).toBeLessThanOrEqual(MAX_BATCH_BYTES - REQUEST_ENVELOPE_HEADROOM);
  });

  it('splits ~390 KB binary items by a smaller maxBytes, inclusive of the limit', () => {
    const input = Array.from({ length: 10 }, (_, i) => ({
      pk: { S: `k${i}` },
      data: { B: new Uint8Array(390 * 1024) },
    }));
    const perItem = wireSizeUpperBound(input[0]!);
    expect(sizes(batchItems(input, KEY, { maxBytes: 2 * 1024 * 1024 }))).toStrictEqual([3, 3, 3, 1]);
    expect(sizes(batchItems(input, KEY, { maxBytes: 4 * perItem }))).toStrictEqual([4, 4, 2]);
    expect(sizes(batchItems(input, KEY, { maxBytes: 4 * perItem - 1 }))).toStrictEqual([3, 3, 3, 1]);
  });

  it('gives an item larger than maxBytes a batch of its own', () => {
    const small = items(2);
    const huge: Item = { pk: { S: 'huge' }, data: { S: 'x'.repeat(1000) } };
    const batches = batchItems([small[0]!, huge, small[1]!], KEY, { maxBytes: 500 });
    expect(batches).toStrictEqual([[small[0]], [huge], [small[1]]]);
  });

  it('gives a first item larger than maxBytes a batch of its own, with no empty batch before it', () => {
    const huge: Item = { pk: { S: 'huge' }, data: { S: 'x'.repeat(1000) } };
    expect(batchItems([huge], KEY, { maxBytes: 500 })).toStrictEqual([[huge]]);
  });

  it('takes limits of exactly 1, and refuses less, naming both limits', () => {
    expect(sizes(batchItems(items(3), KEY, { maxItems: 1 }))).toEqual([1, 1, 1]);
    expect(sizes(batchItems(items(3), KEY, { maxBytes: 1 }))).toEqual([1, 1, 1]);
    expect(() => batchItems(items(1), KEY, { maxItems: 0 })).toThrow(
      new RangeError('batch limits must be at least 1 (maxItems 0, maxBytes 16711680)'),
    );
  });

  it('starts a new batch at a repeated key, so the last write of a key comes last', () => {
    const a1 = { pk: { S: 'a' }, v: { N: '1' } };
    const a2 = { pk: { S: 'a' }, v: { N: '2' } };
    const a3 = { pk: { S: 'a' }, v: { N: '3' } };
    const b = { pk: { S: 'b' } };
    const c = { pk: { S: 'c' } };
    const d = { pk: { S: 'd' } };
    // Adjacent duplicates.
    expect(batchItems([a1, a2, a3], KEY)).toStrictEqual([[a1], [a2], [a3]]);
    // Non-adjacent: the batch closes at the repeat, not before.
    expect(batchItems([a1, b, c, a2, d], KEY)).toStrictEqual([
      [a1, b, c],
      [a2, d],
    ]);
    expect(batchItems([a1, b, a2, c, b, a3], KEY)).toStrictEqual([[a1, b], [a2, c, b], [a3]]);
  });

  it('keeps every batch free of duplicate keys and the input order intact', () => {
    const input: Item[] = [];
    for (let i = 0; i < 200; i++) input.push({ pk: { S: `k${(i * 7) % 13}` }, seq: { N: String(i) } });
    const batches = batchItems(input, KEY);
    expect(batches.flat()).toStrictEqual(input);
    for (const batch of batches) {
      expect(batch.length).toBeGreaterThan(0);
      expect(batch.length).toBeLessThanOrEqual(MAX_BATCH_ITEMS);
      expect(new Set(batch.map((item) => keyString(item, KEY))).size).toBe(batch.length);
    }
    // Writing the batches in order leaves each key with its last value.
    const written = new Map<string, string>();
    for (const batch of batches) for (const item of batch) written.set(item.pk!.S!, item.seq!.N!);
    const expected = new Map<string, string>();
    for (const item of input) expected.set(item.pk!.S!, item.seq!.N!);
    expect(written).toStrictEqual(expected);
  });

  it('compares binary keys by content, not by instance', () => {
    const backing = new Uint8Array([0, 1, 2, 3, 9]);
    const x1 = { pk: { B: new Uint8Array([1, 2, 3]) } };
    const x2 = { pk: { B: backing.subarray(1, 4) } };
    const x3 = { pk: { B: Buffer.from([1, 2, 3]) } };
    const y = { pk: { B: new Uint8Array([1, 2, 4]) } };
    expect(batchItems([x1, y, x2, x3], KEY)).toStrictEqual([[x1, y], [x2], [x3]]);
  });

  it('uses every key attribute, with the type as part of the key', () => {
    const key = ['pk', 'sk'];
    const a = { pk: { S: 'a' }, sk: { N: '1' } };
    const b = { pk: { S: 'a' }, sk: { N: '2' } };
    const c = { pk: { S: 'a' }, sk: { S: '1' } };
    expect(batchItems([a, b, c], key)).toStrictEqual([[a, b, c]]);
    expect(batchItems([a, { ...a, extra: { BOOL: true } }], key)).toHaveLength(2);
  });

  it('rejects limits below 1', () => {
    expect(() => batchItems(items(1), KEY, { maxItems: 0 })).toThrow(RangeError);
    expect(() => batchItems(items(1), KEY, { maxBytes: 0 })).toThrow(RangeError);
  });
});

describe('keyString', () => {
  it('cannot be imitated across attribute boundaries', () => {
    const key = ['pk', 'sk'];
    expect(keyString({ pk: { S: 'a' }, sk: { S: 'bc' } }, key)).not.toBe(
      keyString({ pk: { S: 'ab' }, sk: { S: 'c' } }, key),
    );
    expect(keyString({ pk: { S: 'S1:x' } }, ['pk', 'sk'])).not.toBe(
      keyString({ pk: { S: '' }, sk: { S: 'x' } }, key),
    );
  });

  it('ignores non-key attributes and attribute order', () => {
    const key = ['pk', 'sk'];
    expect(keyString({ sk: { N: '5' }, pk: { S: 'a' }, other: { S: 'x' } }, key)).toBe(
      keyString({ pk: { S: 'a' }, sk: { N: '5' } }, key),
    );
  });

  it('treats numbers equal by value as the same key, as DynamoDB does', () => {
    const same = ['1', '1.0', '+1', '01', '10e-1', '0.1E1'];
    for (const n of same) expect(keyString({ pk: { N: n } }, KEY)).toBe(keyString({ pk: { N: '1' } }, KEY));
    expect(keyString({ pk: { N: '100' } }, KEY)).toBe(keyString({ pk: { N: '1e2' } }, KEY));
    expect(keyString({ pk: { N: '0.05' } }, KEY)).toBe(keyString({ pk: { N: '5E-2' } }, KEY));
    expect(keyString({ pk: { N: '-0' } }, KEY)).toBe(keyString({ pk: { N: '0.000' } }, KEY));
    expect(keyString({ pk: { N: '10' } }, KEY)).not.toBe(keyString({ pk: { N: '1' } }, KEY));
    expect(keyString({ pk: { N: '-1' } }, KEY)).not.toBe(keyString({ pk: { N: '1' } }, KEY));
    expect(keyString({ pk: { N: '1.01' } }, KEY)).not.toBe(keyString({ pk: { N: '1.1' } }, KEY));
  });

  it('distinguishes binary from a string with the same text', () => {
    const base64 = Buffer.from([1, 2, 3]).toString('base64');
    expect(keyString({ pk: { B: new Uint8Array([1, 2, 3]) } }, KEY)).not.toBe(
      keyString({ pk: { S: base64 } }, KEY),
    );
  });
});
