/**
 * `verify` against DynamoDB Local: a copied table is identical; deleted, added and changed items are
 * counted and named exactly; set order and number spelling are not differences; schema differences
 * are listed. Both sides are only ever read.
 */
import {
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { keyText } from '../../src/model/item-hash.js';
import { runCopy } from '../../src/runs/copy/run-copy.js';
import { runVerify } from '../../src/runs/verify/run-verify.js';
import type { Item } from '../fixtures/items.js';
import { variedItems } from '../fixtures/items.js';
import { hashOnlyTable, keyAttrsOf, richProvisionedTable } from '../fixtures/tables.js';
import { localCopyOptions } from '../harness/copy-options.js';
import {
  accountClient,
  createTableAndWait,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';
import { localVerifyOptions } from '../harness/verify-options.js';

const endpoint = inject('ddbEndpoint');

interface Pair {
  src: LocalAccount;
  dst: LocalAccount;
  srcClient: DynamoDBClient;
  dstClient: DynamoDBClient;
}

function pair(): Pair {
  const src = newAccount(endpoint, 'eu-west-1');
  const dst = newAccount(endpoint, 'eu-central-1');
  return { src, dst, srcClient: accountClient(src), dstClient: accountClient(dst) };
}

const KEYS = ['pk', 'sk'];
const keyOf = (item: Item) => JSON.parse(keyText(item, KEYS));

function verify(p: Pair, table: string, flags: Record<string, string | boolean> = {}, targetTable = table) {
  return runVerify(
    localVerifyOptions({ account: p.src, table }, { account: p.dst, table: targetTable }, flags),
  );
}

describe('verify', () => {
  it('finds a copy identical, then names exactly the 3 deleted, 2 added and 1 changed items', async () => {
    const p = pair();
    const definition = richProvisionedTable('orders');
    await createTableAndWait(p.srcClient, definition);
    const items = variedItems(1500, 7, keyAttrsOf(definition));
    await putItems(p.srcClient, 'orders', items);
    const copy = await runCopy(
      localCopyOptions({ account: p.src, table: 'orders' }, { account: p.dst, table: 'orders' }),
    );
    expect(copy.error).toBeUndefined();

    const untouched = await verify(p, 'orders', { segments: '4' });
    expect(untouched.error).toBeUndefined();
    expect(untouched.summary).toMatchObject({
      command: 'verify',
      status: 'identical',
      sourceItems: 1500,
      targetItems: 1500,
      missing: 0,
      extra: 0,
      different: 0,
      samples: { missing: [], extra: [], different: [] },
      schemaDifferences: [],
      mismatchedBuckets: 0,
      drillDownPasses: 0,
      segments: 4,
    });

    const deleted = [items[3]!, items[700]!, items[1499]!];
    for (const item of deleted) {
      await p.dstClient.send(
        new DeleteItemCommand({ TableName: 'orders', Key: { pk: item.pk!, sk: item.sk! } }),
      );
    }
    const added: Item[] = [
      { pk: { S: 'customer#intruder' }, sk: { S: 'order#1' }, note: { S: 'not in the source' } },
      { pk: { S: 'customer#intruder' }, sk: { S: 'order#2' }, n: { N: '2' } },
    ];
    await putItems(p.dstClient, 'orders', added);
    const changed = items[42]!;
    await p.dstClient.send(
      new UpdateItemCommand({
        TableName: 'orders',
        Key: { pk: changed.pk!, sk: changed.sk! },
        UpdateExpression: 'SET #a.#g.#l = :v',
        ExpressionAttributeNames: { '#a': 'address', '#g': 'geo', '#l': 'lat' },
        ExpressionAttributeValues: { ':v': { N: '12.345678' } },
      }),
    );
    expect(changed.address?.M?.geo?.M?.lat?.N).not.toBe('12.345678');

    const { summary, error } = await verify(p, 'orders');
    expect(error).toBeUndefined();
    expect(summary).toMatchObject({
      status: 'different',
      sourceItems: 1500,
      targetItems: 1499,
      missing: 3,
      extra: 2,
      different: 1,
      schemaDifferences: [],
    });
    const sorted = (keys: object[]) => [...keys].map((k) => JSON.stringify(k)).sort();
    expect(sorted(summary.samples.missing)).toEqual(sorted(deleted.map(keyOf)));
    expect(sorted(summary.samples.extra)).toEqual(sorted(added.map(keyOf)));
    expect(summary.samples.different).toEqual([keyOf(changed)]);
    expect(summary.drillDownPasses).toBe(1);
    // The source was only read.
    expect((await scanAll(p.srcClient, 'orders')).length).toBe(1500);
  });

  it('is identical when only the order of set members differs', async () => {
    const p = pair();
    for (const client of [p.srcClient, p.dstClient])
      await createTableAndWait(client, hashOnlyTable('sets', 'S'));
    await p.srcClient.send(
      new PutItemCommand({
        TableName: 'sets',
        Item: {
          pk: { S: 'a' },
          ss: { SS: ['zulu', 'alpha', 'mike'] },
          ns: { NS: ['30', '-1', '2.5'] },
          bs: { BS: [Uint8Array.of(9), Uint8Array.of(1, 2), Uint8Array.of(0)] },
        },
      }),
    );
    await p.dstClient.send(
      new PutItemCommand({
        TableName: 'sets',
        Item: {
          pk: { S: 'a' },
          ss: { SS: ['mike', 'zulu', 'alpha'] },
          ns: { NS: ['2.5', '30', '-1'] },
          bs: { BS: [Uint8Array.of(0), Uint8Array.of(9), Uint8Array.of(1, 2)] },
        },
      }),
    );
    const { summary } = await verify(p, 'sets');
    expect(summary).toMatchObject({ status: 'identical', sourceItems: 1, targetItems: 1, different: 0 });
  });

  it("is identical when a number was written '1.50' on one side and '1.5' on the other", async () => {
    const p = pair();
    for (const client of [p.srcClient, p.dstClient])
      await createTableAndWait(client, hashOnlyTable('nums', 'N'));
    await p.srcClient.send(
      new PutItemCommand({
        TableName: 'nums',
        Item: { pk: { N: '1.50' }, price: { N: '1.50' }, big: { N: '1E+3' } },
      }),
    );
    await p.dstClient.send(
      new PutItemCommand({
        TableName: 'nums',
        Item: { pk: { N: '1.5' }, price: { N: '1.5' }, big: { N: '1000' } },
      }),
    );
    const { summary } = await verify(p, 'nums');
    expect(summary).toMatchObject({ status: 'identical', missing: 0, extra: 0, different: 0 });

    await p.dstClient.send(
      new PutItemCommand({
        TableName: 'nums',
        Item: { pk: { N: '1.5' }, price: { N: '1.51' }, big: { N: '1000' } },
      }),
    );
    const changed = await verify(p, 'nums');
    expect(changed.summary).toMatchObject({
      status: 'different',
      different: 1,
      samples: { different: [{ pk: { N: '1.5' } }] },
    });
  });

  it('finds numbers that differ only beyond double precision, and not numbers spelled two ways', async () => {
    const p = pair();
    for (const client of [p.srcClient, p.dstClient])
      await createTableAndWait(client, hashOnlyTable('precise', 'S'));
    // [key, source item's attributes, target item's attributes]
    const rows: [string, Item, Item][] = [
      // Differ in the 38th significant digit.
      [
        'digit-38',
        { n: { N: '12345678901234567890123456789012345678' } },
        { n: { N: '12345678901234567890123456789012345679' } },
      ],
      // 2^53 + 1 and 2^53: one double.
      ['beyond-double', { n: { N: '9007199254740993' } }, { n: { N: '9007199254740992' } }],
      // The same, inside a number set nested in a map.
      [
        'nested-set',
        { m: { M: { ns: { NS: ['9007199254740993', '1'] } } } },
        { m: { M: { ns: { NS: ['1', '9007199254740992'] } } } },
      ],
      // Equal to DynamoDB: the same number spelled two ways.
      ['one', { n: { N: '1.0' } }, { n: { N: '1' } }],
      ['hundred', { n: { N: '1e2' } }, { n: { N: '100' } }],
      [
        'same-38',
        { n: { N: '1.2345678901234567890123456789012345678E+37' } },
        { n: { N: '12345678901234567890123456789012345678' } },
      ],
    ];
    await putItems(
      p.srcClient,
      'precise',
      rows.map(([pk, source]) => ({ pk: { S: pk }, ...source })),
    );
    await putItems(
      p.dstClient,
      'precise',
      rows.map(([pk, , target]) => ({ pk: { S: pk }, ...target })),
    );

    const { summary, error } = await verify(p, 'precise');
    expect(error).toBeUndefined();
    expect(summary).toMatchObject({
      status: 'different',
      sourceItems: rows.length,
      targetItems: rows.length,
      missing: 0,
      extra: 0,
      different: 3,
    });
    const keys = (names: string[]) => names.map((pk) => JSON.stringify({ pk: { S: pk } })).sort();
    expect(summary.samples.different.map((key) => JSON.stringify(key)).sort()).toEqual(
      keys(['digit-38', 'beyond-double', 'nested-set']),
    );
  });

  it('counts every item of an empty target as missing, exactly, naming the smallest keys', async () => {
    const p = pair();
    const definition = hashOnlyTable('empty', 'S');
    await createTableAndWait(p.srcClient, definition);
    await createTableAndWait(p.dstClient, definition);
    const items = variedItems(2000, 3, keyAttrsOf(definition));
    await putItems(p.srcClient, 'empty', items);
    const { summary } = await verify(p, 'empty', { samples: '3' });
    const smallest = items
      .map((item) => keyText(item, ['pk']))
      .sort()
      .slice(0, 3)
      .map((text) => JSON.parse(text));
    expect(summary).toMatchObject({
      status: 'different',
      sourceItems: 2000,
      targetItems: 0,
      missing: 2000,
      extra: 0,
      different: 0,
      samples: { missing: smallest, extra: [], different: [] },
    });
  });

  it('lists schema differences (a GSI missing on the target) and ignores settings named in --skip', async () => {
    const p = pair();
    const source = richProvisionedTable('shape');
    await createTableAndWait(p.srcClient, source);
    const target = richProvisionedTable('shape');
    target.GlobalSecondaryIndexes = target.GlobalSecondaryIndexes!.filter(
      (index) => index.IndexName !== 'byRegion',
    );
    delete target.StreamSpecification;
    await createTableAndWait(p.dstClient, target);

    const { summary } = await verify(p, 'shape');
    expect(summary.status).toBe('different');
    expect(summary.schemaDifferences).toEqual([
      "global secondary index 'byRegion': missing on the target",
      'stream: NEW_AND_OLD_IMAGES on the source, off on the target',
    ]);
    expect(summary).toMatchObject({ missing: 0, extra: 0, different: 0 });

    const skipped = await verify(p, 'shape', { skip: 'streams' });
    expect(skipped.summary.schemaDifferences).toEqual([
      "global secondary index 'byRegion': missing on the target",
    ]);
  });

  it('a missing target table is bad input (exit 2) naming the side', async () => {
    const p = pair();
    await createTableAndWait(p.srcClient, hashOnlyTable('lonely', 'S'));
    const { summary, error } = await verify(p, 'lonely');
    expect(error?.code).toBe('TABLE_NOT_FOUND');
    expect(error?.exitCode).toBe(EXIT.badInput);
    expect(error?.side).toBe('target');
    expect(summary.status).toBe('failed');
  });

  it('paces each side to --read-rate', async () => {
    const p = pair();
    const definition = hashOnlyTable('paced', 'S');
    for (const client of [p.srcClient, p.dstClient]) await createTableAndWait(client, definition);
    const items = variedItems(600, 5, keyAttrsOf(definition));
    await putItems(p.srcClient, 'paced', items);
    await putItems(p.dstClient, 'paced', items);
    const started = performance.now();
    const { summary } = await verify(p, 'paced', { readRate: '40' });
    const seconds = (performance.now() - started) / 1000;
    expect(summary.status).toBe('identical');
    // Each side reads its ~600 KB in ~75 units (eventually consistent); at 40 units/s that is over a second.
    expect(summary.consumedCapacity.source).toBeGreaterThan(40);
    expect(seconds).toBeGreaterThan(summary.consumedCapacity.source / 40 - 1);
  });
});
