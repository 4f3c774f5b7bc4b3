/**
 * keyString: equal exactly when DynamoDB sees the same key. Numbers are compared by value, so their
 * canonical form must neither merge two values nor split one.
 */
import { describe, expect, it } from 'vitest';
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
});
