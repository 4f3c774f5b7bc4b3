/**
 * Items of every type copied through the real engine between two DynamoDB Local accounts arrive
 * byte-identical: the target, scanned independently, equals the source item by item.
 */
import { describe, expect, inject, it } from 'vitest';
import { runCopy } from '../../src/runs/copy/run-copy.js';
import { type KeyAttrs, type KeyType, trickyItems, variedItems } from '../fixtures/items.js';
import { hashOnlyTable, hashRangeTable, PK, SK } from '../fixtures/tables.js';
import { localCopyOptions } from '../harness/copy-options.js';
import {
  accountClient,
  createTableAndWait,
  itemsByKey,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

const endpoint = inject('ddbEndpoint');

async function copyAndCompare(keyAttrs: KeyAttrs, items: ReturnType<typeof trickyItems>, flags = {}) {
  const src = newAccount(endpoint, 'eu-west-1');
  const dst = newAccount(endpoint, 'us-east-1');
  const srcClient = accountClient(src);
  const dstClient = accountClient(dst);
  const table = 'items';
  const definition = keyAttrs.sk
    ? hashRangeTable(table, keyAttrs.pk.type, keyAttrs.sk.type)
    : hashOnlyTable(table, keyAttrs.pk.type);
  await createTableAndWait(srcClient, definition);
  await putItems(srcClient, table, items);

  const outcome = await runCopy(localCopyOptions({ account: src, table }, { account: dst, table }, flags));
  expect(outcome.error).toBeUndefined();
  expect(outcome.summary.status).toBe('completed');
  expect(outcome.summary.items.written).toBe(items.length);

  const keys = keyAttrs.sk ? [PK, SK] : [PK];
  const sourceItems = itemsByKey(await scanAll(srcClient, table), keys);
  const targetItems = itemsByKey(await scanAll(dstClient, table), keys);
  expect(targetItems.size).toBe(sourceItems.size);
  for (const [key, item] of sourceItems) expect(targetItems.get(key), key).toStrictEqual(item);
  return outcome;
}

describe('copy: items arrive byte-identical', () => {
  for (const type of ['S', 'N', 'B'] as KeyType[]) {
    it(`hash-only ${type} key, tricky items`, async () => {
      const keyAttrs: KeyAttrs = { pk: { name: PK, type } };
      await copyAndCompare(keyAttrs, trickyItems(keyAttrs));
    });
  }

  for (const [pk, sk] of [
    ['S', 'N'],
    ['N', 'B'],
    ['B', 'S'],
  ] as [KeyType, KeyType][]) {
    it(`hash ${pk} + range ${sk} key, tricky items`, async () => {
      const keyAttrs: KeyAttrs = { pk: { name: PK, type: pk }, sk: { name: SK, type: sk } };
      await copyAndCompare(keyAttrs, trickyItems(keyAttrs));
    });
  }

  it('3,000 varied items over many segments and pages, with small writer pool', async () => {
    const keyAttrs: KeyAttrs = { pk: { name: PK, type: 'S' }, sk: { name: SK, type: 'N' } };
    const outcome = await copyAndCompare(keyAttrs, variedItems(3000, 7, keyAttrs), {
      segments: '7',
      concurrency: '3',
    });
    expect(outcome.summary.segments).toBe(7);
    expect(outcome.summary.consumedCapacity.write).toBeGreaterThan(0);
    expect(outcome.summary.bytes).toBeGreaterThan(0);
  });
});
