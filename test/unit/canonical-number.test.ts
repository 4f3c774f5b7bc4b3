import { describe, expect, it } from 'vitest';
import { normalizeNumber } from '../../src/model/canonical-number.js';

describe('normalizeNumber', () => {
  // What DynamoDB Local returns for each of these (test/fixtures/items.ts lists the measurements).
  it.each([
    ['1.50', '1.5'],
    ['1.5', '1.5'],
    ['-0', '0'],
    ['+5', '5'],
    ['007', '7'],
    ['1E+3', '1000'],
    ['1e3', '1000'],
    ['1.5E-7', '0.00000015'],
    ['0.0', '0'],
    ['000.000', '0'],
    ['-0.050', '-0.05'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['12.34e1', '123.4'],
    ['12.34E-2', '0.1234'],
    ['100', '100'],
    ['1E-130', `0.${'0'.repeat(129)}1`],
    ['9.9999999999999999999999999999999999999E+125', `${'9'.repeat(38)}${'0'.repeat(88)}`],
    ['-12345678901234567890123456789012345678', '-12345678901234567890123456789012345678'],
    ['0.00', '0'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeNumber(input)).toBe(expected);
  });

  it('returns what is already normalized as the very same string', () => {
    for (const text of ['0', '-1', '3.14159', '0.001', '-0.5', '9007199254740993']) {
      expect(normalizeNumber(text)).toBe(text);
    }
  });

  it.each(['', '-', 'abc', '1.2.3', '1e', 'e5', '1e+', '--1', '1_000', ' 1', 'NaN', 'Infinity', '1e99999'])(
    'leaves %j, which is not a DynamoDB number, as written',
    (input) => {
      expect(normalizeNumber(input)).toBe(input);
    },
  );

  it.each([
    ['12345678901234567890123456789012345678', '12345678901234567890123456789012345679'],
    ['1.2345678901234567890123456789012345678E+125', '1.2345678901234567890123456789012345679E+125'],
    ['9007199254740993', '9007199254740992'],
    ['0.10000000000000001', '0.1'],
  ])('keeps %s and %s apart: they differ beyond double precision', (a, b) => {
    expect(normalizeNumber(a)).not.toBe(normalizeNumber(b));
  });

  it.each([
    ['1.0', '1'],
    ['1e2', '100'],
    ['1.2345678901234567890123456789012345678E+37', '12345678901234567890123456789012345678'],
  ])('makes %s and %s one text: DynamoDB sees one number', (a, b) => {
    expect(normalizeNumber(a)).toBe(normalizeNumber(b));
  });

  it.each(['0x1F', '00 ', '0/1', '0:1', '01x', '0a'])(
    'leaves %j as written: a character outside 0-9 is no digit, even after a leading zero',
    (input) => {
      expect(normalizeNumber(input)).toBe(input);
    },
  );

  it.each(['1ex5', '1e5x', '1e+5+', '2E-1a'])(
    'leaves %j as written: the exponent is digits only, whole',
    (input) => {
      expect(normalizeNumber(input)).toBe(input);
    },
  );

  it('expands a point just before the fraction exponent, not only the fast path form', () => {
    expect(normalizeNumber('1.e5')).toBe('100000');
    expect(normalizeNumber('2.E-1')).toBe('0.2');
  });

  it('expands up to 400 decimal places and leaves what lies beyond as written', () => {
    expect(normalizeNumber('1E+399')).toBe(`1${'0'.repeat(399)}`);
    expect(normalizeNumber('1E+400')).toBe('1E+400');
    expect(normalizeNumber('1E-401')).toBe(`0.${'0'.repeat(400)}1`);
    expect(normalizeNumber('1E-402')).toBe('1E-402');
  });
});
