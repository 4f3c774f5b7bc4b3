import { describe, expect, it } from 'vitest';
import { itemSize, wireSizeUpperBound } from '../../src/model/item-size.js';
import type { AttributeValue, Item } from '../../src/stores/types.js';

const bytes = (...values: number[]) => new Uint8Array(values);

// Values follow the developer guide, "DynamoDB item sizes and formats": name bytes + value bytes;
// numbers (1 byte per two significant digits) + 1; null/boolean 1; List/Map 3 + 1 per element.
describe('itemSize', () => {
  it('counts strings as UTF-8 bytes of name and value', () => {
    expect(itemSize({ pk: { S: 'hello' } })).toBe(2 + 5);
    expect(itemSize({ pk: { S: '' } })).toBe(2);
    // é is 2 bytes, € 3, 😀 4.
    expect(itemSize({ é: { S: '€😀' } })).toBe(2 + 7);
  });

  it('counts numbers as significant digits / 2, rounded up, + 1', () => {
    const size = (n: string) => itemSize({ n: { N: n } }) - 1;
    expect(size('123')).toBe(3);
    expect(size('12345')).toBe(4);
    expect(size('1001')).toBe(3);
    // Leading and trailing zeroes are trimmed; sign, point and exponent are free.
    expect(size('100')).toBe(2);
    expect(size('-0.00100')).toBe(2);
    expect(size('1.2E+10')).toBe(2);
    expect(size('1.2e+10')).toBe(2);
    expect(size('5e-130')).toBe(2);
    expect(size('0')).toBe(1);
    expect(size('12345678901234567890123456789012345678')).toBe(20);
  });

  it('counts binary as raw bytes, not base64', () => {
    expect(itemSize({ b: { B: new Uint8Array(10) } })).toBe(1 + 10);
    expect(itemSize({ b: { B: new Uint8Array(0) } })).toBe(1);
  });

  it('counts null and boolean as 1 byte', () => {
    expect(itemSize({ t: { BOOL: true }, f: { BOOL: false }, z: { NULL: true } })).toBe(3 * (1 + 1));
  });

  it('counts 3 bytes per List or Map and 1 per element', () => {
    expect(itemSize({ l: { L: [] } })).toBe(1 + 3);
    expect(itemSize({ m: { M: {} } })).toBe(1 + 3);
    expect(itemSize({ l: { L: [{ S: 'x' }, { N: '1' }] } })).toBe(1 + 3 + (1 + 1) + (2 + 1));
    expect(itemSize({ m: { M: { a: { S: 'x' }, b: { N: '1' } } } })).toBe(1 + 3 + (1 + 1 + 1) + (1 + 2 + 1));
    expect(itemSize({ m: { M: { l: { L: [{ NULL: true }] } } } })).toBe(1 + 3 + (1 + (3 + 1 + 1) + 1));
  });

  it('counts sets as the sum of their members', () => {
    expect(itemSize({ s: { SS: ['ab', 'c'] } })).toBe(1 + 3);
    expect(itemSize({ s: { NS: ['1', '22', '333'] } })).toBe(1 + 2 + 2 + 3);
    expect(itemSize({ s: { BS: [bytes(1, 2), bytes(3, 4, 5)] } })).toBe(1 + 5);
  });

  it('sums every attribute of a realistic item', () => {
    const item: Item = {
      pk: { S: 'customer#42' }, // 2 + 11
      sk: { N: '1700000000' }, // 2 + (1 + 1)  ("17" significant)
      name: { S: 'Zoë' }, // 4 + 4
      tags: { SS: ['a', 'bb'] }, // 4 + 3
      address: { M: { city: { S: 'Paris' } } }, // 7 + 3 + (4 + 5 + 1)
    };
    expect(itemSize(item)).toBe(13 + 4 + 8 + 7 + 20);
  });

  it('counts a member of a type newer than this code as its name only', () => {
    expect(itemSize({ ab: { Z: 'x' } as unknown as AttributeValue })).toBe(2);
  });

  it('reaches the 400 KB item limit where DynamoDB does', () => {
    const limit = 400 * 1024;
    expect(itemSize({ pk: { S: 'k' }, data: { B: new Uint8Array(limit - 3 - 4) } })).toBe(limit);
  });
});

/** The item as the SDK puts it in a BatchWriteItem body: binary base64-encoded. */
function toWire(value: AttributeValue): unknown {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: mapToWire(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toWire) };
  return value;
}
function mapToWire(map: Record<string, AttributeValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(map).map(([name, value]) => [name, toWire(value)]));
}
/** Bytes of `{"PutRequest":{"Item":...}}` plus the comma before the next request. */
function actualWireSize(item: Item): number {
  return Buffer.byteLength(JSON.stringify({ PutRequest: { Item: mapToWire(item) } }), 'utf8') + 1;
}

describe('wireSizeUpperBound', () => {
  const exact: Record<string, Item> = {
    'one string': { pk: { S: 'hello' } },
    'empty item': {},
    'quotes and backslashes': { 'na"me\\': { S: 'say "hi" \\ bye' } },
    'multi-byte and emoji': { pk: { S: 'é€😀 𝄞' }, ключ: { S: 'значение' } },
    'DEL and U+2028 are not escaped': { pk: { S: '\u007f\u2028\u2029' } },
    'lone surrogates are escaped': { pk: { S: 'a\ud800b\udc00c\ud83d' } },
    'binary of every remainder': {
      b0: { B: new Uint8Array(0) },
      b1: { B: bytes(1) },
      b2: { B: bytes(1, 2) },
      b3: { B: bytes(1, 2, 3) },
      b4: { B: bytes(255, 254, 253, 252) },
    },
    'numbers, booleans, null': {
      n: { N: '-1.5e-10' },
      t: { BOOL: true },
      f: { BOOL: false },
      z: { NULL: true },
    },
    sets: {
      ss: { SS: ['a', 'b"c', '😀'] },
      ns: { NS: ['1', '2.5'] },
      bs: { BS: [bytes(1), bytes(1, 2, 3, 4)] },
    },
    'nested and empty containers': {
      m: { M: {} },
      l: { L: [] },
      deep: {
        M: {
          list: { L: [{ M: { x: { S: '"' } } }, { L: [{ B: bytes(9, 9) }, { NULL: true }] }, { SS: ['q'] }] },
          é: { BS: [bytes(7)] },
        },
      },
    },
  };

  for (const [name, item] of Object.entries(exact)) {
    it(`is exact for ${name}`, () => {
      expect(wireSizeUpperBound(item)).toBe(actualWireSize(item));
    });
  }

  it('bounds control characters from above (counted as \\u00XX)', () => {
    const item: Item = { 'a\nb': { S: '\u0000\t\n\r\u001f\b\f' }, l: { L: [{ SS: ['\u0001'] }] } };
    const bound = wireSizeUpperBound(item);
    const actual = actualWireSize(item);
    expect(bound).toBeGreaterThanOrEqual(actual);
    // 9 control characters, each over-counted by at most 4 bytes.
    expect(bound - actual).toBeLessThanOrEqual(9 * 4);
  });

  it('is never below the serialized size of random items', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const alphabet = ['a', '"', '\\', '\n', '\u0000', 'é', '€', '😀', '\ud800', '\udc00', '\u2028', '/', ' '];
    const randomString = () => {
      let text = '';
      const length = Math.floor(random() * 20);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      return text;
    };
    const randomValue = (depth: number): AttributeValue => {
      const kind = Math.floor(random() * (depth > 2 ? 8 : 10));
      switch (kind) {
        case 0:
          return { S: randomString() };
        case 1:
          return { N: String(Math.floor(random() * 1e9) / 100) };
        case 2:
          return { B: new Uint8Array(Math.floor(random() * 10)) };
        case 3:
          return { BOOL: random() < 0.5 };
        case 4:
          return { NULL: true };
        case 5:
          return { SS: [randomString(), randomString() + 'x'] };
        case 6:
          return { NS: ['1', '-2.5'] };
        case 7:
          return { BS: [new Uint8Array(Math.floor(random() * 7) + 1)] };
        case 8: {
          const map: Record<string, AttributeValue> = {};
          for (let i = 0; i < 3; i++) map[randomString()] = randomValue(depth + 1);
          return { M: map };
        }
        default:
          return { L: [randomValue(depth + 1), randomValue(depth + 1)] };
      }
    };
    for (let n = 0; n < 500; n++) {
      const item: Item = {};
      for (let i = 0; i < 5; i++) item[randomString()] = randomValue(0);
      expect(wireSizeUpperBound(item)).toBeGreaterThanOrEqual(actualWireSize(item));
    }
  });

  it('is larger than the stored size for binary (base64) and escaped text', () => {
    const binary: Item = { b: { B: new Uint8Array(300_000) } };
    expect(wireSizeUpperBound(binary)).toBe(actualWireSize(binary));
    expect(wireSizeUpperBound(binary)).toBeGreaterThan(itemSize(binary) * 1.33);
    const escaped: Item = { s: { S: '\u0001'.repeat(1000) } };
    expect(wireSizeUpperBound(escaped)).toBe(actualWireSize(escaped));
    expect(wireSizeUpperBound(escaped)).toBeGreaterThan(6 * 1000);
  });

  // A quote sends each string through the character loop; each character sits at a UTF-8 length boundary.
  it.each([
    ['U+0080, the first 2-byte character', '"\u0080'],
    ['U+07FF and U+0800, the last 2-byte and first 3-byte', '"\u07ff\u0800'],
    ['U+D7FF and U+E000 around the surrogates', '"\ud7ff\ue000'],
    ['U+FFFF', '"\uffff'],
    ['a lone last low surrogate', '"\udfff'],
    ['U+10FFFF, the highest surrogate pair', '"\udbff\udfff'],
    ['U+10000, the lowest surrogate pair', '"\ud800\udc00'],
    ['a high surrogate at the end', '"\udbff'],
  ])('is exact for %s next to a quote', (_name, text) => {
    const item: Item = { pk: { S: text } };
    expect(wireSizeUpperBound(item)).toBe(actualWireSize(item));
  });

  it('counts each control character as a 6-byte escape in strings and string sets, 4 over a short one', () => {
    const string: Item = { pk: { S: 'a\n' } };
    expect(wireSizeUpperBound(string)).toBe(actualWireSize(string) + 4);
    const set: Item = { pk: { SS: ['a\n', 'b'] } };
    expect(wireSizeUpperBound(set)).toBe(actualWireSize(set) + 4);
  });

  it('is exact for a member of a type newer than this code (serialized as it is)', () => {
    const item = { pk: { S: 'k' }, future: { Z: { deep: 'é' } } } as unknown as Item;
    expect(wireSizeUpperBound(item)).toBe(actualWireSize(item));
  });
});
