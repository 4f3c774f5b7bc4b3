/**
 * keyString: equal exactly when DynamoDB sees the same key. Numbers are compared by value, so their
 * canonical form must neither merge two values nor split one.
 */
import { describe, expect, it } from 'vitest';
import type { Item } from '../../src/model/item.js';
import { keyString } from '../../src/model/item-key.js';

const n = (value: string) => keyString({ k: { N: value } }, ['k']);

describe('keyString', () => {
  it('takes every written form of one number as one key, 9s included', () => {
    expect(new Set(['19', '19.0', '+19', '1.9e1', '190e-1', '0019.000'].map(n)).size).toBe(1);
    expect(n('0')).toBe(n('0.000'));
  });

  it('keeps numbers of other values apart: signs, and digits against exponents', () => {
    const values = ['-5', '-6', '5', '1e10', '1.1', '11', '0.5', '-0.5', '123', '1.23e2', '-1.23e2'];
    const distinct = new Set(values.map(n));
    // 123 and 1.23e2 are one value; the rest differ.
    expect(distinct.size).toBe(values.length - 1);
  });

  it('keeps a missing key attribute apart from any value', () => {
    expect(keyString({ a: { S: 'x' } }, ['a', 'b'])).not.toBe(
      keyString({ a: { S: 'x' }, b: { S: '' } }, ['a', 'b']),
    );
  });

  it('keeps a missing attribute apart from a missing other one', () => {
    expect(keyString({ b: { S: 'x' } }, ['a', 'b'])).not.toBe(keyString({ a: { S: 'x' } }, ['a', 'b']));
  });

  // The exact forms: type, length, ':', value; numbers as digits and the exponent before them.
  it.each([
    [{ pk: { S: 'ab' }, sk: { N: '1.50' } }, ['pk', 'sk'], 'S2:abN4:15e1'],
    [{ sk: { S: 'x' } }, ['pk', 'sk'], '-S1:x'],
    [{ pk: { S: '' } }, ['pk'], 'S0:'],
    [{ pk: { N: '-0.0150' } }, ['pk'], 'N6:-15e-1'],
    [{ pk: { N: '0.0' } }, ['pk'], 'N1:0'],
    [{ pk: { N: '19' } }, ['pk'], 'N4:19e2'],
    [{ pk: { N: '90' } }, ['pk'], 'N3:9e2'],
    [{ pk: { B: new Uint8Array([1, 2, 255]) } }, ['pk'], 'B4:AQL/'],
    [{ pk: { BOOL: true } }, ['pk'], '?13:{"BOOL":true}'],
  ] as [Item, string[], string][])('writes %j keyed by %j as %j', (item, keys, expected) => {
    expect(keyString(item, keys)).toBe(expected);
  });

  it.each(['0x1', '0/1', '0:1', '1ex', '1e0.5'])('compares %j, which is not a number, as written', (text) => {
    expect(n(text)).toBe(`N${text.length}:${text}`);
  });
});
