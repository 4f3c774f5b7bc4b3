import { describe, expect, it } from 'vitest';
import { attachItemJson, itemJsonOf, wireJson } from '../../src/model/item-json.js';
import { itemSize, wireSizeUpperBound } from '../../src/model/item-size.js';
import { itemSlices } from '../../src/stores/dynamodb/item-slices.js';
import { batchWriteJson } from '../../src/stores/dynamodb/wire-client.js';
import type { Item } from '../../src/stores/types.js';

const tricky: Item[] = [
  { pk: { S: 'a' }, n: { N: '-1.50E+3' } },
  { pk: { S: 'quote " brace } bracket ] comma , backslash \\' }, b: { B: 'AQID' } },
  { pk: { S: 'ends in a backslash \\' }, l: { L: [{ M: { x: { SS: ['[', ']', '{'] } } }, { NULL: true }] } },
  { pk: { S: 'unicode é € 😀 and \u0000\u001f controls' }, t: { BOOL: false } },
  { pk: { S: 'Items' }, Items: { M: { Items: { L: [] } } } },
];

describe('itemSlices', () => {
  it('returns each element of Items as its own text, wherever Items is', () => {
    const body = {
      ConsumedCapacity: { TableName: 't', CapacityUnits: 2 },
      Count: tricky.length,
      Items: tricky,
      LastEvaluatedKey: { pk: { S: '"}]' } },
      ScannedCount: tricky.length,
    };
    for (const text of [JSON.stringify(body), JSON.stringify(body, null, 2)]) {
      const slices = itemSlices(text)!;
      expect(slices.map((slice) => JSON.parse(slice.text))).toEqual(tricky);
      expect(slices.map((slice) => slice.bytes)).toEqual(
        slices.map((slice) => Buffer.byteLength(slice.text, 'utf8')),
      );
      // Name:value pairs at any depth: pk and n are 2 (plus n's and pk's type names, 2 more).
      expect(slices[0]!.members).toBe(4);
    }
    const last = JSON.stringify({ Count: 1, Items: [tricky[1]] });
    expect(itemSlices(last)!.map((slice) => JSON.parse(slice.text))).toEqual([tricky[1]]);
  });

  it('handles an empty Items array and says undefined without one', () => {
    expect(itemSlices('{"Items":[],"Count":0}')).toEqual([]);
    expect(itemSlices('{"Count":0}')).toBeUndefined();
    expect(itemSlices('{}')).toBeUndefined();
  });

  it('gives up, rather than guessing, on a repeated Items key or broken text', () => {
    expect(itemSlices('{"Items":[{"a":{"S":"1"}}],"Items":[]}')).toBeUndefined();
    expect(itemSlices('{"Items":[{"a":{"S":"1"}}')).toBeUndefined();
    expect(itemSlices('[1,2]')).toBeUndefined();
  });
});

describe('itemSlices over any valid JSON around the items', () => {
  const texts = (text: string) => itemSlices(text)?.map((slice) => slice.text);

  it('takes only the name Items itself, not a name that starts with it', () => {
    expect(texts('{"ItemsExtra":1,"Items":[{"a":{"N":"1"}}]}')).toEqual(['{"a":{"N":"1"}}']);
  });

  it('skips top-level strings holding commas and braces, and numbers before any delimiter', () => {
    const text =
      '{"Token":"a, b} c","Count":2,"Items":[{"a":{"S":"x, y"}},{"b":{"L":[{"N":"1"}]}}],"List":[1,2],"Last":3}';
    expect(texts(text)).toEqual(['{"a":{"S":"x, y"}}', '{"b":{"L":[{"N":"1"}]}}']);
  });

  it('takes spaces, tabs, carriage returns and newlines as whitespace anywhere', () => {
    for (const space of [' ', '\t', '\r', '\n']) {
      const text = `{${space}"Count"${space}:${space}2${space},${space}"Items"${space}:${space}[${space}{"a":{"N":"1"}}${space},${space}{"b":{"N":"2"}}${space}]${space}}`;
      expect(texts(text), JSON.stringify(space)).toEqual(['{"a":{"N":"1"}}', '{"b":{"N":"2"}}']);
    }
  });
});

describe('items that carry their JSON text', () => {
  it('is invisible to iteration, JSON.stringify, spread and Object.assign', () => {
    const item: Item = { pk: { S: 'x' } };
    attachItemJson(item, '{"pk":{"S":"x"}}', 16);
    expect(Object.keys(item)).toEqual(['pk']);
    expect(JSON.stringify(item)).toBe('{"pk":{"S":"x"}}');
    expect(itemJsonOf({ ...item })).toBeUndefined();
    expect(itemJsonOf(Object.assign({}, item))).toBeUndefined();
    expect(itemJsonOf(item)?.bytes).toBe(16);
  });

  it('are written out as that text, and sized exactly by it', () => {
    const text = JSON.stringify({ Items: tricky });
    const parsed = JSON.parse(text) as { Items: Item[] };
    const slices = itemSlices(text)!;
    parsed.Items.forEach((item, i) => {
      attachItemJson(item, slices[i]!.text, slices[i]!.bytes);
    });
    const body = batchWriteJson('arn:aws:dynamodb:eu-west-1:123456789012:table/t"x', parsed.Items);
    const expected = wireJson({
      RequestItems: {
        'arn:aws:dynamodb:eu-west-1:123456789012:table/t"x': parsed.Items.map((Item) => ({
          PutRequest: { Item },
        })),
      },
      ReturnConsumedCapacity: 'TOTAL',
    });
    expect(body).toBe(expected);
    for (const item of parsed.Items) {
      const alone = Buffer.byteLength(batchWriteJson('t', [item]), 'utf8');
      const envelope = Buffer.byteLength(batchWriteJson('t', []), 'utf8');
      // One request, no separating comma: the bound counts one.
      expect(wireSizeUpperBound(item)).toBe(alone - envelope + 1);
      expect(itemSize(item)).toBe(itemSize(JSON.parse(JSON.stringify(item)) as Item));
    }
  });

  it('mixes with items that have no text (bytes are turned into base64)', () => {
    const carried: Item = { pk: { S: 'a' } };
    attachItemJson(carried, '{"pk":{"S":"a"}}', 16);
    const plain: Item = { pk: { S: 'b' }, b: { B: new Uint8Array([1, 2, 3]) } };
    expect(JSON.parse(batchWriteJson('t', [carried, plain]))).toEqual({
      RequestItems: {
        t: [
          { PutRequest: { Item: { pk: { S: 'a' } } } },
          { PutRequest: { Item: { pk: { S: 'b' }, b: { B: 'AQID' } } } },
        ],
      },
      ReturnConsumedCapacity: 'TOTAL',
    });
  });
});
