/**
 * The text-only data path reads a Scan page without building item objects (scan-page-text.ts). What
 * it finds must be what the object path would have found: the same text for each item, the same
 * DynamoDB size (itemSize of the parsed item), the same key, the same page fields. What it does not
 * accept it declines, and the source then parses the page as the object path does, so a malformed
 * page fails as it always did.
 */
import { describe, expect, it } from 'vitest';
import type { Item } from '../../src/model/item.js';
import { keyOf } from '../../src/model/item-check.js';
import { wireJson } from '../../src/model/item-json.js';
import { itemSize } from '../../src/model/item-size.js';
import { TextItem, textItemKey } from '../../src/model/text-item.js';
import { scanPageText } from '../../src/stores/dynamodb/scan-page-text.js';
import { readScanTextPage } from '../../src/stores/dynamodb/source.js';
import { batchWriteJson } from '../../src/stores/dynamodb/wire-client.js';
import { type KeyAttrs, trickyItems, variedItems } from '../fixtures/items.js';

const KEYS: KeyAttrs[] = [
  { pk: { name: 'pk', type: 'S' } },
  { pk: { name: 'pk', type: 'N' }, sk: { name: 'sk', type: 'S' } },
  { pk: { name: 'id', type: 'B' }, sk: { name: 'n', type: 'N' } },
];

const names = (keys: KeyAttrs): string[] => [keys.pk.name, ...(keys.sk ? [keys.sk.name] : [])];

const A = '{"pk":{"S":"a"},"v":{"N":"1"}}';

/** A Scan response as DynamoDB's JSON: the items' texts, and the fields around them. */
function pageText(itemTexts: string[], rest = ',"Count":1,"ScannedCount":7'): string {
  return `{"Items":[${itemTexts.join(',')}]${rest}}`;
}

/** Each text item checked against what the object path makes of the same text. */
function expectSameAsParsed(items: TextItem[], texts: string[], keys: readonly string[]): void {
  expect(items.map((item) => item.text)).toEqual(texts);
  items.forEach((item, i) => {
    const parsed = JSON.parse(texts[i]!) as Item;
    expect(item).toBeInstanceOf(TextItem);
    expect(item.size).toBe(itemSize(parsed));
    expect(item.bytes).toBe(Buffer.byteLength(texts[i]!, 'utf8'));
    expect(textItemKey(item, keys)).toEqual(keyOf(parsed, keys));
  });
}

describe('a Scan page read as text finds what parsing it finds', () => {
  for (const keys of KEYS) {
    it(`varied and tricky items (keys ${names(keys).join(', ')}): same texts, sizes, keys`, () => {
      const items = [...trickyItems(keys), ...variedItems(300, 7, keys)];
      const texts = items.map((item) => wireJson(item));
      const lastKey = wireJson(keyOf(JSON.parse(texts.at(-1)!) as Item, names(keys)));
      const text = pageText(
        texts,
        `,"Count":${texts.length},"ScannedCount":${texts.length + 3},"LastEvaluatedKey":${lastKey},"ConsumedCapacity":{"TableName":"t","CapacityUnits":128.5}`,
      );
      const page = scanPageText(text, names(keys))!;
      expect(page).toBeDefined();
      expectSameAsParsed(page.items, texts, names(keys));
      expect(page.scannedCount).toBe(texts.length + 3);
      expect(page.lastEvaluatedKey).toEqual(JSON.parse(lastKey));
      expect(page.consumedCapacity).toBe(128.5);
    });
  }

  it('escapes in names and values are decoded for sizes and keys; the text goes out as it came', () => {
    const texts = [
      '{"p\\u006b":{"S":"a\\"b\\\\c\\n"},"na\\u00efve":{"S":"\\u00e9t\\u00e9"},"\\ud83d\\ude00":{"SS":["\\t","x"]}}',
      '{"pk":{"S":"\\u0041"},"v":{"N":"12\\u0033"},"b":{"B":"AAE\\u003d"},"m":{"M":{"k\\"":{"L":[{"S":"\\/"}]}}}}',
    ];
    const page = scanPageText(pageText(texts), ['pk'])!;
    expectSameAsParsed(page.items, texts, ['pk']);
  });

  it('non-ASCII text: sizes and bytes count UTF-8 bytes, not characters', () => {
    const texts = [
      '{"pk":{"S":"ключ"},"名前":{"S":"😀é"},"l":{"L":[{"S":"ü"},{"NULL":true}]}}',
      '{"pk":{"S":"a"}}',
    ];
    const page = scanPageText(pageText(texts), ['pk'])!;
    expectSameAsParsed(page.items, texts, ['pk']);
    // pk 2 + 8, 名前 6 + (4 + 2), l 1 + (3 + (2 + 1) + (1 + 1))
    expect(page.items[0]!.size).toBe(2 + 8 + 6 + 6 + 1 + (3 + 3 + 2));
  });

  it('spaces between tokens are accepted, and each item is its exact text', () => {
    const items = variedItems(5, 3, KEYS[1]!);
    // Indented JSON, its line breaks turned into spaces.
    const text = JSON.stringify(
      { Items: items.map((item) => JSON.parse(wireJson(item))), Count: 5 },
      null,
      2,
    ).replaceAll('\n', ' ');
    const page = scanPageText(text, ['pk', 'sk'])!;
    const parsed = (JSON.parse(text) as { Items: Item[] }).Items;
    expect(page.items.map((item) => JSON.parse(item.text))).toEqual(parsed);
    page.items.forEach((item, i) => {
      expect(item.size).toBe(itemSize(parsed[i]!));
      expect(text.includes(item.text)).toBe(true);
    });
    expect(page.scannedCount).toBeUndefined();
    expect(page.lastEvaluatedKey).toBeUndefined();
  });

  it('line breaks or tabs between tokens (valid JSON, never DynamoDB’s) decline the page: it is parsed instead', () => {
    for (const space of ['\n', '\r\n', '\t']) {
      const text = `{"Items":[${A},${space}${A}],"Count":2}`;
      expect(scanPageText(text, ['pk'])).toBeUndefined();
      const page = readScanTextPage(text, ['pk']);
      expect('items' in page && page.items).toEqual([JSON.parse(A), JSON.parse(A)]);
    }
  });

  it('every attribute type is sized by DynamoDB’s rules', () => {
    const text =
      '{"pk":{"S":"k"},"s":{"S":"abc"},"n":{"N":"-0.00120"},"b":{"B":"AAECAw=="},"t":{"BOOL":false},"z":{"NULL":true},' +
      '"ss":{"SS":["a","bc"]},"ns":{"NS":["1","22"]},"bs":{"BS":["AA==","AAA="]},"m":{"M":{}},"l":{"L":[]},' +
      '"mm":{"M":{"x":{"N":"5"},"y":{"L":[{"BOOL":true}]}}}}';
    const page = scanPageText(pageText([text]), ['pk'])!;
    expect(page.items[0]!.size).toBe(itemSize(JSON.parse(text)));
    // pk 2+1, s 1+3, n 1+2 (two significant digits), b 1+4, t 1+1, z 1+1, ss 2+(1+2), ns 2+(2+2),
    // bs 2+(1+2), m 1+3, l 1+3, mm 2 + 3 + (x: 1+2+1) + (y: 1 + (3 + 1 + 1) + 1)
    expect(page.items[0]!.size).toBe(3 + 4 + 3 + 5 + 2 + 2 + 5 + 6 + 5 + 4 + 4 + (2 + 3 + 4 + 7));
  });

  it('spaces before and after every token are accepted, and sizes and keys are as parsed', () => {
    const compact = [
      '{"pk":{"S":"a b"},"sk":{"N":"1"},"m":{"M":{"x":{"NULL":true},"y":{"BOOL":false}}},"l":{"L":[{"S":"p"},{"N":"2"}]}}',
      '{"pk":{"S":"c"},"sk":{"N":"2"},"ss":{"SS":["u","v"]},"ns":{"NS":["3","4"]},"bs":{"BS":["AA==","AQ=="]}}',
    ];
    // A space on both sides of every brace, bracket, colon and comma outside strings.
    const spaced = (json: string): string => {
      let out = '';
      let inString = false;
      for (const c of json) {
        if (c === '"') inString = !inString;
        out += !inString && '{}[]:,'.includes(c) ? ` ${c} ` : c;
      }
      return out;
    };
    const texts = compact.map((text) => spaced(text).trim());
    const text = spaced(pageText(compact, ',"Count":2,"ScannedCount":2,"LastEvaluatedKey":{"pk":{"S":"c"}}'));
    const page = scanPageText(text, ['pk', 'sk'])!;
    expect(page.items.map((item) => item.text)).toEqual(texts);
    page.items.forEach((item, i) => {
      expect(item.size).toBe(itemSize(JSON.parse(compact[i]!) as Item));
      expect(textItemKey(item, ['pk', 'sk'])).toStrictEqual(
        keyOf(JSON.parse(compact[i]!) as Item, ['pk', 'sk']),
      );
    });
    expect(page.scannedCount).toBe(2);
    expect(page.lastEvaluatedKey).toEqual({ pk: { S: 'c' } });
  });

  it('a string ending in an escaped backslash ends at its quote (a Windows path)', () => {
    const texts = ['{"pk":{"S":"C:\\\\"},"p":{"SS":["a\\\\","\\\\\\""]},"q":{"S":"x"}}'];
    const page = scanPageText(pageText(texts), ['pk'])!;
    expectSameAsParsed(page.items, texts, ['pk']);
    expect(textItemKey(page.items[0]!, ['pk'])).toEqual({ pk: { S: 'C:\\' } });
  });

  it('a page with escapes and non-ASCII text: strings without escapes are measured as UTF-8 too', () => {
    const texts = ['{"pk":{"S":"é"},"ü":{"S":"a\\u00e9"},"x":{"SS":["ß","\\n"]}}', '{"pk":{"S":"😀"}}'];
    const page = scanPageText(pageText(texts), ['pk'])!;
    expectSameAsParsed(page.items, texts, ['pk']);
  });

  it('fields besides Items, of every JSON type and before it, are passed over exactly', () => {
    const before =
      '"Note":"a, b} ]","Escaped":"q\\"}","List":[1, {"a":"]"}, [2]],"LastEvaluatedKey":{"pk":{"S":"x}\\"]"}},' +
      '"Flag":true,"Nothing":null,"Count":1 ,';
    const text = `{${before}"Items":[${A}],"ScannedCount":3}`;
    const page = scanPageText(text, ['pk'])!;
    expect(page.items.map((item) => item.text)).toEqual([A]);
    expect(page.scannedCount).toBe(3);
    expect(page.lastEvaluatedKey).toEqual({ pk: { S: 'x}"]' } });
  });

  it('empty sets (DynamoDB never sends one) are sized 0, as itemSize sizes them', () => {
    const text = '{"pk":{"S":"k"},"ss":{"SS":[]},"ns":{"NS":[ ]},"bs":{"BS":[]}}';
    const page = scanPageText(pageText([text]), ['pk'])!;
    expect(page.items[0]!.size).toBe(itemSize(JSON.parse(text) as Item));
    expect(page.items[0]!.size).toBe(2 + 1 + 2 + 2 + 2);
  });

  it('a key repeated in an item counts as its last value, as JSON.parse keeps it', () => {
    const page = scanPageText(pageText(['{"pk":{"S":"first"},"pk":{"S":"last"}}']), ['pk'])!;
    expect(textItemKey(page.items[0]!, ['pk'])).toEqual({ pk: { S: 'last' } });
  });

  it('key texts are equal exactly when the keys are', () => {
    const page = scanPageText(
      pageText([
        '{"pk":{"S":"a"},"sk":{"N":"1"}}',
        '{"sk":{"N":"1"},"pk":{"S":"a"},"x":{"S":"y"}}',
        '{"pk":{"S":"a"},"sk":{"N":"2"}}',
        '{"pk":{"S":"a1"},"sk":{"N":"1"}}',
      ]),
      ['pk', 'sk'],
    )!;
    const keyTexts = page.items.map((item) => item.keyText);
    expect(keyTexts[0]).toBe('[{"S":"a"},{"N":"1"}]');
    expect(keyTexts[1]).toBe(keyTexts[0]);
    expect(new Set(keyTexts).size).toBe(3);
  });

  it('a page without items, and one without an Items field (Select COUNT), read as empty', () => {
    expect(scanPageText('{"Items":[],"Count":0,"ScannedCount":0}', ['pk'])).toEqual({
      items: [],
      scannedCount: 0,
      lastEvaluatedKey: undefined,
      consumedCapacity: undefined,
    });
    expect(scanPageText('{"Count":3,"ScannedCount":3}', ['pk'])!.items).toEqual([]);
    expect(scanPageText('{}', ['pk'])!.items).toEqual([]);
  });

  it('the items go out in a BatchWriteItem body as exactly their texts', () => {
    const texts = ['{"pk":{"S":"a"},"v":{"N":"1.50"}}', '{"pk":{"S":"\\u00e9"}}'];
    const page = scanPageText(pageText(texts), ['pk'])!;
    expect(batchWriteJson('t', page.items)).toBe(
      `{"RequestItems":{"t":[{"PutRequest":{"Item":${texts[0]}}},{"PutRequest":{"Item":${texts[1]}}}]},"ReturnConsumedCapacity":"TOTAL"}`,
    );
  });
});

describe('what the text walk does not accept, it declines; the source then parses the page', () => {
  const malformed: [string, string][] = [
    ['truncated', `{"Items":[${A}`],
    ['an item cut short', '{"Items":[{"pk":{"S":"a"},"v":{"N":"1"}],"Count":1}'],
    ['a raw control character in a string', '{"Items":[{"pk":{"S":"a\u0001"}}]}'],
    ['a raw newline in a name', '{"Items":[{"p\nk":{"S":"a"}}]}'],
    ['a bad escape', '{"Items":[{"pk":{"S":"a\\x41"}}]}'],
    ['a short unicode escape', '{"Items":[{"pk":{"S":"\\u00e"}}]}'],
    ['trailing text', `{"Items":[${A}]}x`],
    ['a missing comma between items', `{"Items":[${A} ${A}]}`],
    ['a trailing comma', `{"Items":[${A},]}`],
    ['a missing colon', '{"Items":[{"pk" {"S":"a"}}]}'],
    ['a bare word for BOOL', '{"Items":[{"pk":{"S":"a"},"t":{"BOOL":yes}}]}'],
    ['broken JSON after the items', `{"Items":[${A}],"Count":}`],
    ['an unquoted name', '{"Items":[{pk:{"S":"a"}}]}'],
    ['a name without its opening quote', '{"Items":[{xpk":{"S":"a"}}]}'],
    ['a type tag without its opening quote', '{"Items":[{"pk":{XS":"a"}}]}'],
    ['a semicolon for a colon', '{"Items":[{"pk";{"S":"a"}}]}'],
    ['another character for a comma between items', `{"Items":[${A}x${A}]}`],
    ['another character for a comma between attributes', '{"Items":[{"pk":{"S":"a"}x"v":{"N":"1"}}]}'],
    [
      'another character for a comma in a map',
      '{"Items":[{"pk":{"S":"a"},"m":{"M":{"a":{"N":"1"}x"b":{"N":"2"}}}}]}',
    ],
    [
      'another character for a comma in a list',
      '{"Items":[{"pk":{"S":"a"},"l":{"L":[{"N":"1"}x{"N":"2"}]}}]}',
    ],
    ['another character for a comma in a set', '{"Items":[{"pk":{"S":"a"},"s":{"SS":["a"x"b"]}}]}'],
    ['cut inside a string', '{"Items":[{"pk":{"S":"ab'],
    ['cut inside a string of a field before Items', '{"Count":{"a":"b'],
    ['a set type tag without its closing quote', '{"Items":[{"pk":{"S":"a"},"v":{"NS1:["1"]}}]}'],
    ['a five-letter bare word for BOOL', '{"Items":[{"pk":{"S":"a"},"t":{"BOOL":maybe}}]}'],
  ];
  for (const [what, text] of malformed) {
    it(`${what}: declined, and reading the page throws as JSON.parse does`, () => {
      expect(scanPageText(text, ['pk'])).toBeUndefined();
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
      expect(() => readScanTextPage(text, ['pk'])).toThrow(SyntaxError);
    });
  }

  const unusual: [string, string][] = [
    ['a type newer than this code', '{"Items":[{"pk":{"S":"a"},"v":{"X":"1"}}]}'],
    [
      'a one-letter type newer than this code, holding a list',
      '{"Items":[{"pk":{"S":"a"},"v":{"X":[{"S":"a"}]}}]}',
    ],
    ['a two-letter type newer than this code', '{"Items":[{"pk":{"S":"a"},"v":{"NX":["1"]}}]}'],
    ['a set type newer than this code', '{"Items":[{"pk":{"S":"a"},"v":{"XS":["AA=="]}}]}'],
    ['a four-letter type newer than this code', '{"Items":[{"pk":{"S":"a"},"v":{"BOOM":true}}]}'],
    ['a BOOL that is null', '{"Items":[{"pk":{"S":"a"},"v":{"BOOL":null}}]}'],
    ['an attribute value with two types', '{"Items":[{"pk":{"S":"a","N":"1"}}]}'],
    ['an attribute value with no type', '{"Items":[{"pk":{"S":"a"},"v":{}}]}'],
    ['a number where a string belongs', '{"Items":[{"pk":{"S":"a"},"v":{"N":1}}]}'],
    ['a string where a list belongs', '{"Items":[{"pk":{"S":"a"},"v":{"L":"x"}}]}'],
    ['a number in a string set', '{"Items":[{"pk":{"S":"a"},"v":{"SS":[1]}}]}'],
    ['an item that is not an object', '{"Items":[["pk"]]}'],
    ['an item without its key', '{"Items":[{"v":{"S":"a"}}]}'],
    ['Items twice', `{"Items":[${A}],"Items":[${A}]}`],
    ['Items that is not a list', '{"Items":{"pk":{"S":"a"}}}'],
  ];
  for (const [what, text] of unusual) {
    it(`${what}: declined, and read as parsed items instead`, () => {
      expect(scanPageText(text, ['pk'])).toBeUndefined();
      const page = readScanTextPage(text, ['pk']);
      expect('texts' in page).toBe(false);
      expect('items' in page && page.items).toEqual((JSON.parse(text) as { Items: unknown }).Items);
    });
  }

  it('a page it accepts comes as text, with the page fields', () => {
    const page = readScanTextPage(
      `{"Items":[${A}],"Count":1,"ScannedCount":4,"LastEvaluatedKey":{"pk":{"S":"a"}},"ConsumedCapacity":{"CapacityUnits":2}}`,
      ['pk'],
    );
    expect(page).toEqual({
      texts: [new TextItem(A, A.length, 2 + 1 + 1 + 2, '[{"S":"a"}]')],
      scanned: 4,
      lastKey: { pk: { S: 'a' } },
      consumedRead: 2,
    });
  });
});
