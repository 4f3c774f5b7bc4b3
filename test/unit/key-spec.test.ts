import { describe, expect, it } from 'vitest';
import { formatKeySpec, keySpecOf, parseKeySpec, snapshotFromKey } from '../../src/model/key-spec.js';

describe('--key', () => {
  it('parses a partition key, and a partition plus sort key, types in any case', () => {
    expect(parseKeySpec('pk:S')).toStrictEqual([{ name: 'pk', type: 'S' }]);
    expect(parseKeySpec(' pk:s , sk:N ')).toStrictEqual([
      { name: 'pk', type: 'S' },
      { name: 'sk', type: 'N' },
    ]);
    // Attribute names may hold colons; the type is what follows the last one.
    expect(parseKeySpec('a:b:B')).toStrictEqual([{ name: 'a:b', type: 'B' }]);
    expect(parseKeySpec(undefined)).toBeUndefined();
  });

  it.each([
    ['', /must name the partition key/],
    ['a:S,b:N,c:S', /must name the partition key/],
    ['pk', /'pk' is not NAME:TYPE/],
    ['pk:X', /'pk:X' is not NAME:TYPE/],
    [':S', /':S' is not NAME:TYPE/],
    ['pk:S,pk:N', /names 'pk' twice/],
  ])('%s is refused: %s', (value, message) => {
    expect(() => parseKeySpec(value)).toThrow(message);
  });

  it('makes an on-demand table with that key, and reads it back', () => {
    const key = parseKeySpec('pk:S,sk:N')!;
    const snapshot = snapshotFromKey(key, 'orders');
    expect(snapshot.table.KeySchema).toStrictEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(snapshot.table.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(formatKeySpec(keySpecOf(snapshot.table))).toBe('pk:S,sk:N');
  });
});
