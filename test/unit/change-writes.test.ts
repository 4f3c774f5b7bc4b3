/**
 * Stream records to target writes: puts of new images, deletes of keys, masks and a transform applied
 * to images and keys alike, KEYS_ONLY streams read again through getItem; then one write per target
 * key in batches BatchWriteItem takes.
 */
import { describe, expect, it } from 'vitest';
import { type ItemStage, itemStage } from '../../src/engine/copy/item-stage.js';
import {
  type ChangeContext,
  changeBatches,
  changeWrites,
  type KeyedWrite,
} from '../../src/engine/follow/change-writes.js';
import type { Item, Key } from '../../src/model/item.js';
import { keyString } from '../../src/model/item-key.js';
import type { ChangeRecord } from '../../src/model/stream.js';

const KEYS = ['pk', 'sk'];
let sequence = 100;
const seq = (): string => String(sequence++).padStart(21, '0');

const key = (pk: string, sk: string): Key => ({ pk: { S: pk }, sk: { N: sk } });

function change(
  eventName: ChangeRecord['eventName'],
  keys: Key,
  images: { newImage?: Item; oldImage?: Item } = {},
): ChangeRecord {
  return { eventName, sequenceNumber: seq(), createdAt: 1_700_000_000_000, keys, ...images };
}

function context(overrides: Partial<ChangeContext> = {}): ChangeContext {
  return {
    keyAttributes: KEYS,
    viewType: 'NEW_AND_OLD_IMAGES',
    keysChange: false,
    getItem: () => {
      throw new Error('getItem must not be called when records carry new images');
    },
    ...overrides,
  };
}

/** Masks that prefix the partition key and replace an `email` attribute: a function of the value. */
function maskStage(transform?: (item: Item) => Item | null, keysChange = false): ItemStage {
  return itemStage({
    keyAttributes: KEYS,
    masks: {
      apply: (item) => ({
        ...item,
        pk: { S: `masked-${item.pk!.S}` },
        ...(item.email ? { email: { S: 'x@example.com' } } : {}),
      }),
    },
    ...(transform ? { transform: { transform, onError: 'fail' as const } } : {}),
    keysChange,
  });
}

describe('changeWrites with new images', () => {
  it('INSERT and MODIFY put the exact new image; REMOVE deletes the keys', async () => {
    const big = '12345678901234567890123456789012345678';
    const inserted: Item = {
      pk: { S: 'a' },
      sk: { N: '1' },
      big: { N: big },
      tiny: { N: '-1E-130' },
      bytes: { B: new Uint8Array([0, 1, 254, 255]) },
      set: { NS: ['1', '10.50'] },
    };
    const modified: Item = { pk: { S: 'b' }, sk: { N: '2' }, nested: { M: { n: { N: '0.000' } } } };
    const records = [
      change('INSERT', key('a', '1'), { newImage: inserted }),
      change('MODIFY', key('b', '2'), { newImage: modified, oldImage: { ...modified, old: { BOOL: true } } }),
      change('REMOVE', key('c', '3'), { oldImage: { pk: { S: 'c' }, sk: { N: '3' } } }),
    ];
    const writes = await changeWrites(records, context());
    expect(writes).toEqual([
      { key: keyString(inserted, KEYS), write: { put: inserted } },
      { key: keyString(modified, KEYS), write: { put: modified } },
      { key: keyString(key('c', '3'), KEYS), write: { delete: key('c', '3') } },
    ]);
    // The very objects: nothing unmarshalled, numbers stay text, binary stays bytes.
    expect(writes[0]!.write.put).toBe(inserted);
    expect(writes[0]!.write.put!.big).toEqual({ N: big });
    expect(writes[0]!.write.put!.bytes!.B).toBeInstanceOf(Uint8Array);
    expect(writes[1]!.write.put).toBe(modified);
    expect(writes[2]!.write.delete).toBe(records[2]!.keys);
  });

  it('keeps record order and every write of a key (the batches pick the last)', async () => {
    const v = (n: string): Item => ({ pk: { S: 'a' }, sk: { N: '1' }, v: { S: n } });
    const records = [
      change('INSERT', key('a', '1'), { newImage: v('1') }),
      change('REMOVE', key('a', '1')),
      change('INSERT', key('a', '1'), { newImage: v('2') }),
    ];
    const writes = await changeWrites(records, context({ viewType: 'NEW_IMAGE' }));
    expect(writes.map((w) => w.write)).toEqual([{ put: v('1') }, { delete: key('a', '1') }, { put: v('2') }]);
    expect(new Set(writes.map((w) => w.key)).size).toBe(1);
  });

  it('a REMOVE is a delete even when the record carries an image', async () => {
    const image: Item = { ...key('a', '1'), v: { S: 'stale' } };
    const writes = await changeWrites(
      [change('REMOVE', key('a', '1'), { newImage: image, oldImage: image })],
      context({ viewType: 'NEW_IMAGE' }),
    );
    expect(writes).toEqual([{ key: keyString(key('a', '1'), KEYS), write: { delete: key('a', '1') } }]);
  });
});

describe('changeWrites through a stage', () => {
  it('masks: a put writes the masked item, a REMOVE deletes the masked key (targetKey)', async () => {
    const records = [
      change('INSERT', key('a', '1'), { newImage: { ...key('a', '1'), email: { S: 'ann@corp.com' } } }),
      change('REMOVE', key('b', '2'), { oldImage: { ...key('b', '2'), email: { S: 'bob@corp.com' } } }),
    ];
    const writes = await changeWrites(records, context({ stage: maskStage() }));
    expect(writes).toEqual([
      {
        key: keyString(key('masked-a', '1'), KEYS),
        write: { put: { pk: { S: 'masked-a' }, sk: { N: '1' }, email: { S: 'x@example.com' } } },
      },
      { key: keyString(key('masked-b', '2'), KEYS), write: { delete: key('masked-b', '2') } },
    ]);
  });

  it('masks without old images (NEW_IMAGE): a REMOVE still deletes the masked key', async () => {
    const writes = await changeWrites(
      [change('REMOVE', key('b', '2'))],
      context({ viewType: 'NEW_IMAGE', stage: maskStage() }),
    );
    expect(writes).toEqual([
      { key: keyString(key('masked-b', '2'), KEYS), write: { delete: key('masked-b', '2') } },
    ]);
  });

  it('a transform dropping a MODIFY (null) deletes the target key', async () => {
    const stage = maskStage((item) => (item.hidden?.BOOL ? null : item));
    const records = [
      change('MODIFY', key('a', '1'), {
        newImage: { ...key('a', '1'), hidden: { BOOL: true } },
        oldImage: { ...key('a', '1') },
      }),
      change('MODIFY', key('b', '2'), { newImage: { ...key('b', '2'), hidden: { BOOL: false } } }),
    ];
    const writes = await changeWrites(records, context({ stage }));
    expect(writes).toEqual([
      { key: keyString(key('masked-a', '1'), KEYS), write: { delete: key('masked-a', '1') } },
      {
        key: keyString(key('masked-b', '2'), KEYS),
        write: { put: { pk: { S: 'masked-b' }, sk: { N: '2' }, hidden: { BOOL: false } } },
      },
    ]);
  });

  it('a transform that moves the key: the old target key is deleted, the new one put', async () => {
    // The target's partition key is "<tier>#<pk>": a MODIFY of the tier moves the item.
    const byTier = (item: Item): Item => ({ ...item, pk: { S: `${item.tier!.S}#${item.pk!.S}` } });
    const stage = itemStage({
      keyAttributes: KEYS,
      transform: { transform: byTier, onError: 'fail' },
      keysChange: true,
    });
    const oldImage: Item = { ...key('a', '1'), tier: { S: 'gold' } };
    const newImage: Item = { ...key('a', '1'), tier: { S: 'silver' } };
    const same: Item = { ...key('b', '2'), tier: { S: 'gold' }, n: { N: '2' } };
    const records = [
      change('MODIFY', key('a', '1'), { oldImage, newImage }),
      change('MODIFY', key('b', '2'), { oldImage: { ...same, n: { N: '1' } }, newImage: same }),
      change('REMOVE', key('a', '1'), { oldImage: newImage }),
    ];
    const writes = await changeWrites(records, context({ stage, keysChange: true }));
    expect(writes).toEqual([
      { key: keyString(key('gold#a', '1'), KEYS), write: { delete: key('gold#a', '1') } },
      {
        key: keyString(key('silver#a', '1'), KEYS),
        write: { put: { pk: { S: 'silver#a' }, sk: { N: '1' }, tier: { S: 'silver' } } },
      },
      // Same target key before and after: only the put.
      {
        key: keyString(key('gold#b', '2'), KEYS),
        write: { put: { pk: { S: 'gold#b' }, sk: { N: '2' }, tier: { S: 'gold' }, n: { N: '2' } } },
      },
      // A REMOVE deletes where the old image went, not the source key.
      { key: keyString(key('silver#a', '1'), KEYS), write: { delete: key('silver#a', '1') } },
    ]);
  });

  it('a transform that moves keys, without an old image (NEW_IMAGE): a REMOVE deletes the key the stage maps it to', async () => {
    const byTier = (item: Item): Item => ({ ...item, pk: { S: `${item.tier?.S ?? 'none'}#${item.pk!.S}` } });
    const stage = itemStage({
      keyAttributes: KEYS,
      transform: { transform: byTier, onError: 'fail' },
      keysChange: true,
    });
    const writes = await changeWrites(
      [change('REMOVE', key('a', '1'))],
      context({ viewType: 'NEW_IMAGE', stage, keysChange: true }),
    );
    // Without the old image nothing says where the item went: the key the stage maps (none) is deleted.
    expect(writes).toEqual([{ key: keyString(key('a', '1'), KEYS), write: { delete: key('a', '1') } }]);
  });

  it('a transform that moves keys and leaves the old image out: a REMOVE deletes the mapped source key', async () => {
    const byTier = (item: Item): Item | null =>
      item.hidden?.BOOL ? null : { ...item, pk: { S: `${item.tier!.S}#${item.pk!.S}` } };
    const stage = itemStage({
      keyAttributes: KEYS,
      transform: { transform: byTier, onError: 'fail' },
      keysChange: true,
    });
    const writes = await changeWrites(
      [
        change('REMOVE', key('a', '1'), {
          oldImage: { ...key('a', '1'), tier: { S: 'gold' }, hidden: { BOOL: true } },
        }),
      ],
      context({ stage, keysChange: true }),
    );
    expect(writes).toEqual([{ key: keyString(key('a', '1'), KEYS), write: { delete: key('a', '1') } }]);
  });
});

describe('changeWrites without new images (KEYS_ONLY)', () => {
  it('reads each distinct key once: found → put of the current item, not found → delete', async () => {
    const current = new Map<string, Item>([
      [keyString(key('a', '1'), KEYS), { ...key('a', '1'), v: { S: 'now' } }],
      [keyString(key('c', '3'), KEYS), { ...key('c', '3'), v: { S: 'back' } }],
    ]);
    const asked: string[] = [];
    const getItem = async (k: Key): Promise<Item | undefined> => {
      asked.push(keyString(k, KEYS));
      return current.get(keyString(k, KEYS));
    };
    const records = [
      change('INSERT', key('a', '1')),
      change('MODIFY', key('b', '2')),
      change('MODIFY', key('a', '1')),
      // Removed, then created again since: the current item wins.
      change('REMOVE', key('c', '3')),
      change('REMOVE', key('b', '2')),
    ];
    const writes = await changeWrites(records, context({ viewType: 'KEYS_ONLY', getItem }));
    expect(asked.sort()).toEqual(
      [key('a', '1'), key('b', '2'), key('c', '3')].map((k) => keyString(k, KEYS)).sort(),
    );
    const a = current.get(keyString(key('a', '1'), KEYS))!;
    const c = current.get(keyString(key('c', '3'), KEYS))!;
    expect(writes.map((w) => w.write)).toEqual([
      { put: a },
      { delete: key('b', '2') },
      { put: a },
      { put: c },
      { delete: key('b', '2') },
    ]);
    expect(changeBatches(writes)).toEqual([[{ put: a }, { put: c }, { delete: key('b', '2') }]]);
  });

  it('OLD_IMAGE streams are read again too, and the current item goes through the masks', async () => {
    let calls = 0;
    const getItem = async (): Promise<Item | undefined> => {
      calls += 1;
      return { ...key('a', '1'), email: { S: 'ann@corp.com' } };
    };
    const writes = await changeWrites(
      [change('MODIFY', key('a', '1'), { oldImage: { ...key('a', '1'), email: { S: 'old@corp.com' } } })],
      context({ viewType: 'OLD_IMAGE', getItem, stage: maskStage() }),
    );
    expect(calls).toBe(1);
    expect(writes.map((w) => w.write)).toEqual([
      { put: { pk: { S: 'masked-a' }, sk: { N: '1' }, email: { S: 'x@example.com' } } },
    ]);
  });

  it('reads at most 16 keys at once, each once', async () => {
    let inFlight = 0;
    let peak = 0;
    const asked: string[] = [];
    const getItem = async (k: Key): Promise<Item | undefined> => {
      asked.push(k.pk!.S!);
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return undefined;
    };
    const records = Array.from({ length: 40 }, (_, i) => change('MODIFY', key(`k${i}`, '1')));
    const writes = await changeWrites(records, context({ viewType: 'KEYS_ONLY', getItem }));
    expect(peak).toBe(16);
    expect(asked).toEqual(Array.from({ length: 40 }, (_, i) => `k${i}`));
    expect(writes.map((w) => w.write)).toEqual(records.map((r) => ({ delete: r.keys })));
  });
});

describe('changeBatches', () => {
  const put = (k: string, v: number): KeyedWrite => ({
    key: k,
    write: { put: { pk: { S: k }, sk: { N: '0' }, v: { N: String(v) } } },
  });

  it('60 writes over 30 keys: the last write per key, in the order of those last writes, ≤25 per batch', () => {
    const writes = Array.from({ length: 60 }, (_, i) => put(`k${i % 30}`, i));
    const batches = changeBatches(writes);
    expect(batches.map((b) => b.length)).toEqual([25, 5]);
    const flat = batches.flat().map((w) => [w.put!.pk!.S, w.put!.v!.N]);
    expect(flat).toEqual(Array.from({ length: 30 }, (_, j) => [`k${j}`, String(30 + j)]));
    for (const batch of batches) {
      expect(new Set(batch.map((w) => w.put!.pk!.S)).size).toBe(batch.length);
    }
  });

  it("a key's final write moves to where it happened; a delete can be the final write", () => {
    const del: KeyedWrite = { key: 'a', write: { delete: { pk: { S: 'a' }, sk: { N: '0' } } } };
    const batches = changeBatches([put('a', 1), put('b', 2), put('c', 3), del, put('b', 4)]);
    expect(batches).toEqual([[put('c', 3).write, del.write, put('b', 4).write]]);
  });

  it('honours a smaller batch size and gives no batch for no writes', () => {
    const writes = Array.from({ length: 7 }, (_, i) => put(`k${i}`, i));
    expect(changeBatches(writes, 3).map((b) => b.map((w) => w.put!.v!.N))).toEqual([
      ['0', '1', '2'],
      ['3', '4', '5'],
      ['6'],
    ]);
    expect(changeBatches([])).toEqual([]);
  });

  it('exactly 25 distinct keys make one full batch', () => {
    const writes = Array.from({ length: 25 }, (_, i) => put(`k${i}`, i));
    expect(changeBatches(writes).map((b) => b.length)).toEqual([25]);
  });
});
