import { describe, expect, it } from 'vitest';
import { binaryBase64, binaryBytes, binaryLength } from '../../src/model/binary.js';
import { wireJson } from '../../src/model/item-json.js';

describe('binary values as bytes or base64 text', () => {
  it.each([0, 1, 2, 3, 4, 5, 255, 1024])('binaryLength of %i bytes agrees for both forms', (n) => {
    const bytes = new Uint8Array(n).map((_, i) => (i * 37) & 0xff);
    expect(binaryLength(bytes)).toBe(n);
    expect(binaryLength(binaryBase64(bytes))).toBe(n);
    expect(binaryBytes(binaryBase64(bytes))).toStrictEqual(bytes);
  });

  it('encodes only the bytes a view covers', () => {
    expect(binaryBase64(new Uint8Array([9, 1, 2, 3, 9]).subarray(1, 4))).toBe('AQID');
  });
});

describe('wireJson', () => {
  it('leaves base64 text as it is (the fast path)', () => {
    const item = { pk: { B: 'AQID' }, set: { BS: ['AA==', 'AQ=='] }, n: { N: '1.50' } };
    expect(wireJson(item)).toBe(JSON.stringify(item));
  });

  it('turns bytes into base64, in B, in BS and nested in maps and lists', () => {
    const item = {
      pk: { B: new Uint8Array([1, 2, 3]) },
      set: { BS: [new Uint8Array([0]), new Uint8Array([1])] },
      deep: { M: { l: { L: [{ B: new Uint8Array([]) }] } } },
    };
    expect(JSON.parse(wireJson(item))).toEqual({
      pk: { B: 'AQID' },
      set: { BS: ['AA==', 'AQ=='] },
      deep: { M: { l: { L: [{ B: '' }] } } },
    });
  });

  it('turns a Node Buffer (a library caller may give one) into base64 too, not its toJSON form', () => {
    const item = { pk: { B: Buffer.from([1, 2, 3]) }, set: { BS: [Buffer.from([0])] } };
    expect(JSON.parse(wireJson(item))).toEqual({ pk: { B: 'AQID' }, set: { BS: ['AA=='] } });
  });

  it('an attribute named B holding a map round-trips unchanged', () => {
    const item = { B: { M: { x: { S: 'y' } } }, BS: { L: [{ S: 'z' }] } };
    expect(JSON.parse(wireJson(item))).toEqual(item);
  });
});
