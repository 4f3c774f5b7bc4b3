import { describe, expect, it } from 'vitest';
import { ITEM_HASH_BYTES, itemHash, keyBucket, keyText } from '../../src/model/item-hash.js';

const KEYS = ['pk', 'sk'];

describe('keyText', () => {
  it('is the key in DynamoDB JSON, hash key first, whatever the item holds besides', () => {
    expect(keyText({ sk: { N: '2' }, x: { S: 'y' }, pk: { S: 'a' } }, KEYS)).toBe(
      '{"pk":{"S":"a"},"sk":{"N":"2"}}',
    );
    expect(JSON.parse(keyText({ pk: { B: Uint8Array.of(0, 255) } }, ['pk']))).toEqual({ pk: { B: 'AP8=' } });
  });

  it('is equal exactly when DynamoDB sees the same key', () => {
    expect(keyText({ pk: { N: '1.50' } }, ['pk'])).toBe(keyText({ pk: { N: '1.5' } }, ['pk']));
    expect(keyText({ pk: { S: '1' } }, ['pk'])).not.toBe(keyText({ pk: { N: '1' } }, ['pk']));
    expect(keyText({ pk: { S: 'a' }, sk: { S: 'bc' } }, KEYS)).not.toBe(
      keyText({ pk: { S: 'ab' }, sk: { S: 'c' } }, KEYS),
    );
  });

  it('leaves out a key attribute the item lacks, first or last', () => {
    expect(keyText({ pk: { S: 'a' } }, KEYS)).toBe('{"pk":{"S":"a"}}');
    expect(keyText({ sk: { N: '2.0' } }, KEYS)).toBe('{"sk":{"N":"2"}}');
    expect(keyText({}, KEYS)).toBe('{}');
  });

  it('writes a key attribute of a type no key may have in its canonical form, never merged with another', () => {
    expect(keyText({ pk: { BOOL: true } }, ['pk'])).toBe('{"pk":{"BOOL":true}}');
    expect(keyText({ pk: { SS: ['b', 'a'] } }, ['pk'])).toBe('{"pk":{"SS":["a","b"]}}');
  });
});

describe('keyBucket', () => {
  it('stays in range and spreads keys evenly', () => {
    const buckets = 64;
    const counts = new Array<number>(buckets).fill(0);
    for (let i = 0; i < 64_000; i++) {
      counts[keyBucket(keyText({ pk: { S: `customer#${i}` } }, ['pk']), buckets)]! += 1;
    }
    expect(counts.length).toBe(buckets);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(64_000);
    // 1,000 expected per bucket; a fair spread stays well within ±15 %.
    expect(Math.min(...counts)).toBeGreaterThan(850);
    expect(Math.max(...counts)).toBeLessThan(1150);
  });
});

describe('itemHash', () => {
  it('is 16 bytes, equal for equal content in any order, different for other content', () => {
    const a = itemHash({ pk: { S: 'a' }, ss: { SS: ['x', 'y'] }, n: { N: '1.50' } });
    const b = itemHash({ n: { N: '1.5' }, ss: { SS: ['y', 'x'] }, pk: { S: 'a' } });
    const c = itemHash({ pk: { S: 'a' }, ss: { SS: ['x', 'y'] }, n: { N: '1.51' } });
    expect(a.length).toBe(ITEM_HASH_BYTES);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });
});
