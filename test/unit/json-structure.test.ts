/**
 * Passing over JSON values by structure (json-structure.ts), which both Scan page scanners rely on to
 * find where an item or a page field ends: exact end indexes, escaped quotes, colons counted at any
 * depth, and -1 (never a wrong index) for text that does not end.
 */
import { describe, expect, it } from 'vitest';
import { isSpace, stringEnd, valueEnd } from '../../src/stores/dynamodb/json-structure.js';

describe('stringEnd', () => {
  it('finds the closing quote, past escaped quotes and escaped backslashes', () => {
    expect(stringEnd('"abc",1', 0)).toBe(4);
    expect(stringEnd('x"a\\"b"', 1)).toBe(6);
    expect(stringEnd('"a\\\\"', 0)).toBe(4);
    expect(stringEnd('""', 0)).toBe(1);
  });

  it('answers -1 for a string that does not close', () => {
    expect(stringEnd('"abc', 0)).toBe(-1);
    expect(stringEnd('"a\\"', 0)).toBe(-1);
  });
});

describe('valueEnd', () => {
  it('ends a string, a number, a literal, an object and an array exactly', () => {
    const text = '["s\\"}",-1.5e3,true,{"a":{"b":[1,"]"]}},[[]],null]';
    // Each element starts one after the comma that ends the one before.
    const starts = [1, 8, 15, 20, 40, 45];
    const ends = starts.map((start) => valueEnd(text, start));
    expect(ends).toEqual([7, 14, 19, 39, 44, 49]);
  });

  it('ends a number at a space, a comma, a brace or a bracket, and at the end of the text', () => {
    expect(valueEnd('12 ', 0)).toBe(2);
    expect(valueEnd('12\t', 0)).toBe(2);
    expect(valueEnd('12,3', 0)).toBe(2);
    expect(valueEnd('12}', 0)).toBe(2);
    expect(valueEnd('12]', 0)).toBe(2);
    expect(valueEnd('12', 0)).toBe(2);
  });

  it('counts the colons of a value at any depth, and none for a string or a number', () => {
    const colons = { count: 99 };
    expect(valueEnd('{"a":1,"b":{"c":":"}}', 0, colons)).toBe(21);
    expect(colons.count).toBe(3);
    expect(valueEnd('"a:b"', 0, colons)).toBe(5);
    expect(colons.count).toBe(0);
    colons.count = 99;
    expect(valueEnd('7', 0, colons)).toBe(1);
    expect(colons.count).toBe(0);
  });

  it('answers -1 for a value that does not end, never an index', () => {
    expect(valueEnd('"abc', 0)).toBe(-1);
    expect(valueEnd('{"a":"b}', 0)).toBe(-1);
    expect(valueEnd('{"a":1', 0)).toBe(-1);
    expect(valueEnd('[[1]', 0)).toBe(-1);
    expect(valueEnd(',', 0)).toBe(-1);
    expect(valueEnd('', 0)).toBe(-1);
  });
});

describe('isSpace', () => {
  it("is JSON's four whitespace characters and nothing else", () => {
    const spaces = [];
    for (let c = 0; c < 128; c++) if (isSpace(c)) spaces.push(c);
    expect(spaces).toEqual([0x09, 0x0a, 0x0d, 0x20]);
  });
});
