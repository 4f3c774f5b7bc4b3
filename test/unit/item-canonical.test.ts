import { describe, expect, it } from 'vitest';
import { canonicalItem } from '../../src/model/item-canonical.js';
import type { Item } from '../../src/stores/types.js';

describe('canonicalItem', () => {
  it('encodes an item as DynamoDB returns it exactly as before: sorted names, base64 binary', () => {
    const item: Item = {
      z: { S: 'last' },
      a: { N: '1.5' },
      b: { B: Uint8Array.of(0xde, 0xad) },
      m: { M: { y: { BOOL: true }, x: { NULL: true } } },
      l: { L: [{ S: 'x' }, { N: '2' }] },
    };
    expect(canonicalItem(item)).toBe(
      '{"a":{"N":"1.5"},"b":{"B":"3q0="},"l":{"L":[{"S":"x"},{"N":"2"}]},"m":{"M":{"x":{"NULL":true},"y":{"BOOL":true}}},"z":{"S":"last"}}',
    );
  });

  it('does not depend on attribute order, at the top or nested', () => {
    const one: Item = { a: { S: '1' }, b: { M: { c: { N: '1' }, d: { N: '2' } } } };
    const two: Item = { b: { M: { d: { N: '2' }, c: { N: '1' } } }, a: { S: '1' } };
    expect(canonicalItem(one)).toBe(canonicalItem(two));
  });

  it('does not depend on set member order (DynamoDB promises none)', () => {
    const one: Item = {
      ss: { SS: ['b', 'a', 'c'] },
      ns: { NS: ['10', '2', '-1'] },
      bs: { BS: [Uint8Array.of(2), Uint8Array.of(1), Uint8Array.of(0, 1)] },
    };
    const two: Item = {
      ss: { SS: ['c', 'a', 'b'] },
      ns: { NS: ['-1', '10', '2'] },
      bs: { BS: [Uint8Array.of(0, 1), Uint8Array.of(2), Uint8Array.of(1)] },
    };
    expect(canonicalItem(one)).toBe(canonicalItem(two));
  });

  it('keeps list order: a list is not a set', () => {
    expect(canonicalItem({ l: { L: [{ S: 'a' }, { S: 'b' }] } })).not.toBe(
      canonicalItem({ l: { L: [{ S: 'b' }, { S: 'a' }] } }),
    );
  });

  it('compares numbers by value, as DynamoDB does, in N and in NS, at any depth', () => {
    expect(canonicalItem({ n: { N: '1.50' } })).toBe(canonicalItem({ n: { N: '1.5' } }));
    expect(canonicalItem({ n: { N: '1E+3' } })).toBe(canonicalItem({ n: { N: '1000' } }));
    expect(canonicalItem({ ns: { NS: ['1.50', '2E0'] } })).toBe(canonicalItem({ ns: { NS: ['2', '1.5'] } }));
    expect(canonicalItem({ m: { M: { l: { L: [{ N: '-0' }] } } } })).toBe(
      canonicalItem({ m: { M: { l: { L: [{ N: '0' }] } } } }),
    );
    expect(canonicalItem({ n: { N: '1.5' } })).not.toBe(canonicalItem({ n: { N: '1.05' } }));
  });

  it('tells types apart: "1" as S, N and in a set are three values', () => {
    const texts = new Set([
      canonicalItem({ v: { S: '1' } }),
      canonicalItem({ v: { N: '1' } }),
      canonicalItem({ v: { SS: ['1'] } }),
      canonicalItem({ v: { NS: ['1'] } }),
      canonicalItem({ v: { L: [{ S: '1' }] } }),
    ]);
    expect(texts.size).toBe(5);
  });

  it('cannot be fooled by names or strings that look like the encoding', () => {
    expect(canonicalItem({ a: { S: '"},"b":{"S":"' } })).not.toBe(
      canonicalItem({ a: { S: '' }, b: { S: '' } }),
    );
  });

  it('encodes a binary view by its bytes only, not the buffer around it', () => {
    const backing = Uint8Array.of(9, 1, 2, 9);
    expect(canonicalItem({ b: { B: backing.subarray(1, 3) } })).toBe(
      canonicalItem({ b: { B: Uint8Array.of(1, 2) } }),
    );
  });
});
