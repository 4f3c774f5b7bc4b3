/**
 * An item that carries the text it was read as (model/item-json.ts) is sent as that text, so the
 * text must never disagree with the item: not when a page's keys can only be matched by decoding
 * escapes, not when an item repeats a name (JSON.parse keeps the last), not when the item is changed
 * after it was parsed. Crafted Scan pages go through the source's own reader (readScanPage) and the
 * sink's own body builder (batchWriteJson); the 16 MB batching sums wireSizeUpperBound, which must be
 * the bytes of the text actually sent.
 */
import { describe, expect, it } from 'vitest';
import { itemStage } from '../../src/engine/copy/item-stage.js';
import { createMasker } from '../../src/engine/copy/masker.js';
import type { Item } from '../../src/model/item.js';
import { attachPageJson, itemJsonOf } from '../../src/model/item-json.js';
import { wireSizeUpperBound } from '../../src/model/item-size.js';
import { parseMaskRule } from '../../src/plan/mask-rules.js';
import { itemSlices } from '../../src/stores/dynamodb/item-slices.js';
import { readScanPage } from '../../src/stores/dynamodb/source.js';
import { batchWriteJson } from '../../src/stores/dynamodb/wire-client.js';

/** The items of the BatchWriteItem body that `batchWriteJson` sends for them, as DynamoDB parses it. */
function sent(items: Item[]): Item[] {
  const body = JSON.parse(batchWriteJson('t', items)) as {
    RequestItems: { t: { PutRequest: { Item: Item } }[] };
  };
  return body.RequestItems.t.map((request) => request.PutRequest.Item);
}

/** The exact text each item takes in the body (between `{"PutRequest":{"Item":` and `}}`). */
function sentTexts(items: Item[]): string[] {
  return items.map((item) => {
    const body = batchWriteJson('t', [item]);
    return body.slice(body.indexOf('"Item":') + 7, body.lastIndexOf('}}]}'));
  });
}

/** Bytes an item adds to the body beyond the envelope, as wireSizeUpperBound counts (one comma each). */
function bodyShare(item: Item): number {
  return (
    Buffer.byteLength(batchWriteJson('t', [item]), 'utf8') -
    Buffer.byteLength(batchWriteJson('t', []), 'utf8') +
    1
  );
}

const A = '{"pk":{"S":"a"},"v":{"N":"1"}}';
const B = '{"pk":{"S":"b"},"v":{"N":"2"}}';
const C = '{"pk":{"S":"c"},"v":{"N":"3"}}';
const D = '{"pk":{"S":"d"},"v":{"N":"4"}}';

describe('a Scan page whose keys cannot be matched literally is sent serialized, never as another item’s text', () => {
  it('an escaped duplicate "Items" key (JSON.parse keeps the later array): no text, the parsed items go out', () => {
    for (const text of [
      `{"Items":[${A},${B}],"\\u0049tems":[${C},${D}],"Count":2}`,
      `{"\\u0049tems":[${A},${B}],"Items":[${C},${D}],"Count":2}`,
      `{"Item\\u0073":[${A},${B}],"Count":2,"Items":[${C},${D}]}`,
    ]) {
      expect(itemSlices(text)).toBeUndefined();
      const page = readScanPage(text);
      expect(page.Items!.map((item) => item.pk!.S)).toEqual(['c', 'd']);
      expect(page.Items!.map(itemJsonOf)).toEqual([undefined, undefined]);
      expect(sent(page.Items!)).toEqual([JSON.parse(C), JSON.parse(D)]);
    }
  });

  it('any other top-level name written with an escape: refused too (nothing is decoded to match)', () => {
    expect(itemSlices(`{"Items":[${A}],"C\\u006funt":1}`)).toBeUndefined();
    expect(itemSlices(`{"Items":[${A}],"Last\\"Key":1}`)).toBeUndefined();
    expect(itemSlices(`{"Items":[${A}],"Count":1}`)!.map((slice) => slice.text)).toEqual([A]);
  });

  it('an escaped "Items" key inside a string value is only text: each item gets its own text', () => {
    const evil = `{"pk":{"S":"x\\",\\"Items\\":[${D.replaceAll('"', '\\"')}],\\"y\\":\\"\\\\"}}`;
    const text = `{"Items":[${evil},${B}],"Count":2,"LastEvaluatedKey":{"pk":{"S":"\\"Items\\":[]"}}}`;
    const parsed = JSON.parse(text) as { Items: Item[] };
    expect(parsed.Items[0]!.pk!.S).toBe(`x","Items":[${D}],"y":"\\`);
    const page = readScanPage(text);
    expect(page.Items!.map((item) => itemJsonOf(item)?.text)).toEqual([evil, B]);
    expect(sentTexts(page.Items!)).toEqual([evil, B]);
    expect(sent(page.Items!)).toEqual(parsed.Items);
  });

  it('a duplicate attribute in one item (at any depth, or a repeated type): the whole page goes out serialized', () => {
    for (const twice of [
      '{"pk":{"S":"b"},"v":{"N":"1"},"v":{"N":"2"}}',
      '{"pk":{"S":"b"},"v":{"N":"1"},"\\u0076":{"N":"2"}}',
      '{"pk":{"S":"b"},"m":{"M":{"x":{"S":"1"},"x":{"S":"2"}}}}',
      '{"pk":{"S":"b"},"l":{"L":[{"M":{"x":{"S":"1"},"x":{"S":"2"}}}]}}',
      '{"pk":{"S":"b"},"v":{"S":"1","S":"2"}}',
    ]) {
      const text = `{"Items":[${A},${twice},${C}],"Count":3}`;
      // The splitter still finds three texts; matching them against the parsed items refuses.
      expect(itemSlices(text)!.map((slice) => slice.text)).toEqual([A, twice, C]);
      const page = readScanPage(text);
      expect(page.Items!.map(itemJsonOf)).toEqual([undefined, undefined, undefined]);
      const parsed = (JSON.parse(text) as { Items: Item[] }).Items;
      // What goes out is what JSON.parse made of the item (the last of each name), said once.
      expect(sent(page.Items!)).toEqual(parsed);
      expect(sentTexts(page.Items!)[1]).toBe(JSON.stringify(parsed[1]));
    }
  });

  it('parsed items and texts that differ in number, or an element that is not an object: none attached', () => {
    const slices = itemSlices(`{"Items":[${A},${B}]}`)!;
    const one = [JSON.parse(A) as Item];
    expect(attachPageJson(one, slices)).toBe(false);
    expect(itemJsonOf(one[0]!)).toBeUndefined();
    const three = [A, B, C].map((text) => JSON.parse(text) as Item);
    expect(attachPageJson(three, slices)).toBe(false);
    expect(three.map(itemJsonOf)).toEqual([undefined, undefined, undefined]);
    const withNull = [JSON.parse(A) as Item, null];
    expect(attachPageJson(withNull, slices)).toBe(false);
    expect(itemJsonOf(withNull[0]!)).toBeUndefined();
    const swapped = [JSON.parse(B) as Item, JSON.parse('{"pk":{"S":"a"}}') as Item];
    // Same count, but the second item has fewer pairs than its text: refused, the first one too.
    expect(attachPageJson(swapped, slices)).toBe(false);
    expect(swapped.map(itemJsonOf)).toEqual([undefined, undefined]);
  });

  it('an element that is null, a number or an array is refused even where its text has no pairs', () => {
    const empty = { text: '{}', bytes: 2, members: 0 };
    expect(attachPageJson([null], [empty])).toBe(false);
    expect(attachPageJson([5], [empty])).toBe(false);
    const array: unknown[] = [];
    expect(attachPageJson([array], [empty])).toBe(false);
    expect(Object.isFrozen(array)).toBe(false);
    const item: Item = {};
    expect(attachPageJson([item], [empty])).toBe(true);
    expect(itemJsonOf(item)).toEqual({ text: '{}', bytes: 2 });
  });
});

describe('unicode escapes and non-ASCII text: the text sent is the text counted', () => {
  const escaped = '{"p\\u006b":{"S":"caf\\u00e9 \\ud83d\\ude00 \\/ \\n"},"n":{"N":"1"}}';
  const raw = '{"pk":{"S":"café 😀 € ü"},"n":{"N":"2"}}';

  it('an item keeps its escaped text (6 bytes per \\u escape), and its size is that text', () => {
    const page = readScanPage(`{"Items":[${escaped},${raw}],"Count":2,"ScannedCount":2}`);
    const [first, second] = page.Items as [Item, Item];
    expect(first.pk!.S).toBe('café 😀 / \n');
    expect(itemJsonOf(first)).toEqual({ text: escaped, bytes: escaped.length });
    expect(itemJsonOf(second)).toEqual({ text: raw, bytes: Buffer.byteLength(raw, 'utf8') });
    expect(sentTexts([first, second])).toEqual([escaped, raw]);
    // The batcher's 16 MB sum counts exactly what goes out: the escaped text is longer than the
    // item serialized again would be, the raw one longer than its character count.
    expect(wireSizeUpperBound(first)).toBe(bodyShare(first));
    expect(wireSizeUpperBound(second)).toBe(bodyShare(second));
    expect(Buffer.byteLength(JSON.stringify(first))).toBeLessThan(escaped.length);
    expect(Buffer.byteLength(raw, 'utf8')).toBeGreaterThan(raw.length);
  });

  it('a refused page is sized by the items serialized, which is what goes out then', () => {
    const text = `{"Items":[${escaped},{"pk":{"S":"é"},"pk":{"S":"ü"}}]}`;
    const page = readScanPage(text);
    for (const item of page.Items!) {
      expect(itemJsonOf(item)).toBeUndefined();
      expect(wireSizeUpperBound(item)).toBeGreaterThanOrEqual(bodyShare(item));
    }
    expect(sentTexts(page.Items!)).toEqual(page.Items!.map((item) => JSON.stringify(item)));
  });
});

describe('an item changed after parsing never goes out as its old text', () => {
  const text = `{"Items":[{"pk":{"S":"a"},"secret":{"S":"s3cret"},"m":{"M":{"x":{"S":"1"}}},"l":{"L":[{"S":"e"}]},"ss":{"SS":["p"]}}],"Count":1}`;
  const read = () => readScanPage(text).Items![0]!;

  it('a change in place throws (the item and everything in it are frozen), so the text still says the item', () => {
    const item = read();
    expect(itemJsonOf(item)).toBeDefined();
    const changes: [string, () => void][] = [
      ['replace an attribute', () => Object.assign(item, { secret: { S: 'masked' } })],
      ['add an attribute', () => Object.assign(item, { extra: { S: 'new' } })],
      ['delete an attribute', () => delete item.secret],
      ['change a value', () => Object.assign(item.secret!, { S: 'masked' })],
      ['change inside a map', () => Object.assign(item.m!.M!.x!, { S: '2' })],
      ['add to a map', () => Object.assign(item.m!.M!, { y: { S: '2' } })],
      ['change a list element', () => Object.assign(item.l!.L!, { 0: { S: 'f' } })],
      ['add to a set', () => item.ss!.SS!.push('q')],
    ];
    for (const [what, change] of changes) expect(change, what).toThrow(TypeError);
    expect(Reflect.set(item, 'secret', { S: 'masked' })).toBe(false);
    expect(Reflect.set(item.secret!, 'S', 'masked')).toBe(false);
    // Whatever was tried, the body sends what the item holds.
    expect(sent([item])).toEqual([item]);
    expect(item.secret).toEqual({ S: 's3cret' });
    expect(item.ss!.SS).toEqual(['p']);
  });

  it('whatever a change in place does, the body says what the item holds then (masking in place included)', () => {
    const item = read();
    const tryTo = (change: () => void): void => {
      try {
        change();
      } catch {
        // Refused: the item is frozen. Either way, what matters is what goes out below.
      }
    };
    tryTo(() => Object.assign(item.secret!, { S: 'REDACTED' }));
    tryTo(() => Object.assign(item, { added: { S: 'x' } }));
    tryTo(() => delete item.m);
    const [out] = sent([item]);
    expect(out).toEqual(JSON.parse(JSON.stringify(item)));
    expect(wireSizeUpperBound(item)).toBe(bodyShare(item));
  });

  it('masks and a transform build new items without text; what goes out is what they made', async () => {
    const masks = createMasker(
      [parseMaskRule('secret=redact'), parseMaskRule('m.x=redact')],
      'correct horse battery staple',
      ['pk'],
    );
    const original = read();
    const stage = itemStage({
      keyAttributes: ['pk'],
      masks: { apply: (item) => masks.mask(item) },
      transform: {
        onError: 'fail',
        transform: (copy) => {
          // The transform's copy is its own, not frozen: it may change it in place.
          copy.l!.L!.push({ S: 'added' });
          copy.ss!.SS!.push('q');
          return copy;
        },
      },
    });
    const [out] = (await stage.page([original], 0)).items as [Item];
    expect(out).not.toBe(original);
    expect(itemJsonOf(out)).toBeUndefined();
    expect(sent([out])).toEqual([
      {
        pk: { S: 'a' },
        secret: { S: 'REDACTED' },
        m: { M: { x: { S: 'REDACTED' } } },
        l: { L: [{ S: 'e' }, { S: 'added' }] },
        ss: { SS: ['p', 'q'] },
      },
    ]);
    expect(JSON.stringify(sent([out]))).not.toContain('s3cret');
    // The item read stays as it was, with its own text.
    expect(sent([original])).toEqual([JSON.parse(text).Items[0]]);
    expect(itemJsonOf(original)?.text).toBe(JSON.stringify(JSON.parse(text).Items[0]));

    // Masks alone: a changed item is a new object without text, an unchanged one is the same object.
    const masked = masks.mask(original);
    expect(itemJsonOf(masked)).toBeUndefined();
    expect(sent([masked])[0]!.secret).toEqual({ S: 'REDACTED' });
    const untouched = read();
    const none = createMasker([parseMaskRule('other=redact')], 'correct horse battery staple', ['pk']);
    expect(none.mask(untouched)).toBe(untouched);
    expect(itemJsonOf(none.mask(untouched))).toBe(itemJsonOf(untouched));
  });
});
