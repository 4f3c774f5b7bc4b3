import { describe, expect, it } from 'vitest';
import { canonicalItem, canonicalValue } from '../../src/model/item-canonical.js';
import { itemHash } from '../../src/model/item-hash.js';
import type { AttributeValue, Item } from '../../src/stores/types.js';

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

/**
 * Numbers are equal exactly when DynamoDB says so: by their 38 significant digits, never through a
 * JavaScript number (a double keeps 15 to 17 digits and would call different numbers equal).
 */
describe('canonical numbers', () => {
  // Each pair differs only where a double cannot see: the 38th significant digit, the 17th, 2^53 + 1.
  const different: [string, string][] = [
    ['12345678901234567890123456789012345678', '12345678901234567890123456789012345679'],
    ['-0.12345678901234567890123456789012345678', '-0.12345678901234567890123456789012345679'],
    ['1.2345678901234567890123456789012345678E+125', '1.2345678901234567890123456789012345679E+125'],
    ['9007199254740993', '9007199254740992'],
    ['0.10000000000000001', '0.1'],
    ['12345678901234567', '12345678901234568'],
  ];
  // Each pair is one number to DynamoDB, spelled two ways.
  const equal: [string, string][] = [
    ['1.0', '1'],
    ['1e2', '100'],
    ['1E+2', '100'],
    ['-0', '0'],
    ['0.50', '.5'],
    ['1.2345678901234567890123456789012345678E+37', '12345678901234567890123456789012345678'],
    ['9007199254740993.000', '9007199254740993'],
  ];

  it.each(different)('%s and %s are different numbers, in N, NS and nested', (a, b) => {
    expect(canonicalValue({ N: a })).not.toBe(canonicalValue({ N: b }));
    expect(canonicalItem({ n: { N: a } })).not.toBe(canonicalItem({ n: { N: b } }));
    expect(canonicalItem({ ns: { NS: [a, '7'] } })).not.toBe(canonicalItem({ ns: { NS: ['7', b] } }));
    expect(canonicalItem({ m: { M: { l: { L: [{ N: a }] } } } })).not.toBe(
      canonicalItem({ m: { M: { l: { L: [{ N: b }] } } } }),
    );
    expect(itemHash({ n: { N: a } }).equals(itemHash({ n: { N: b } }))).toBe(false);
  });

  it.each(equal)('%s and %s are the same number, in N, NS and nested', (a, b) => {
    expect(canonicalValue({ N: a })).toBe(canonicalValue({ N: b }));
    expect(canonicalItem({ n: { N: a } })).toBe(canonicalItem({ n: { N: b } }));
    expect(canonicalItem({ ns: { NS: [a, '7'] } })).toBe(canonicalItem({ ns: { NS: ['7', b] } }));
    expect(canonicalItem({ m: { M: { l: { L: [{ N: a }] } } } })).toBe(
      canonicalItem({ m: { M: { l: { L: [{ N: b }] } } } }),
    );
    expect(itemHash({ n: { N: a } }).equals(itemHash({ n: { N: b } }))).toBe(true);
  });

  it('keeps all 38 digits of a number in the canonical text', () => {
    expect(canonicalValue({ N: '12345678901234567890123456789012345678' })).toBe(
      '{"N":"12345678901234567890123456789012345678"}',
    );
    expect(canonicalValue({ N: '9007199254740993' })).toBe('{"N":"9007199254740993"}');
  });
});

describe('canonicalValue, type by type', () => {
  it.each([
    [{ S: 'a"b' }, '{"S":"a\\"b"}'],
    [{ N: '1.50' }, '{"N":"1.5"}'],
    [{ B: new Uint8Array([1, 2, 255]) }, '{"B":"AQL/"}'],
    [{ BOOL: false }, '{"BOOL":false}'],
    [{ NULL: true }, '{"NULL":true}'],
    [{ SS: ['b', 'a'] }, '{"SS":["a","b"]}'],
    [{ NS: ['10', '2.0'] }, '{"NS":["10","2"]}'],
    [{ BS: [new Uint8Array([2]), new Uint8Array([1])] }, '{"BS":["AQ==","Ag=="]}'],
    [{ L: [{ S: 'x' }, { N: '01' }] }, '{"L":[{"S":"x"},{"N":"1"}]}'],
  ] as [AttributeValue, string][])('writes %j as %s', (value, expected) => {
    expect(canonicalValue(value)).toBe(expected);
  });

  it('refuses a type it does not know, naming it', () => {
    expect(() => canonicalValue({ Z: 1 } as unknown as AttributeValue)).toThrow(
      new TypeError('Unknown AttributeValue type: Z'),
    );
    expect(() => canonicalValue({ Y: 1, Z: 2 } as unknown as AttributeValue)).toThrow(
      new TypeError('Unknown AttributeValue type: Y,Z'),
    );
  });
});
