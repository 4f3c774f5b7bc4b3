/**
 * Checks the test harness itself: accounts are isolated, and the tricky fixtures are valid items
 * that survive a write and a scan unchanged (so a later copy test can blame only the copy).
 */
import {
  type AttributeValue,
  DescribeTableCommand,
  type DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Item } from '../fixtures/items.js';
import { trickyItems, variedItems } from '../fixtures/items.js';
import {
  hashOnlyTable,
  hashRangeTable,
  keyAttrsOf,
  richOnDemandTable,
  richProvisionedTable,
} from '../fixtures/tables.js';
import {
  accountClient,
  createTableAndWait,
  itemsByKey,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

const endpoint = inject('ddbEndpoint');

/** DynamoDB's item size rule, roughly: name and value bytes, plus a few bytes per container and number. */
function approximateItemBytes(item: Item): number {
  const utf8 = (text: string): number => Buffer.byteLength(text);
  const valueBytes = (value: AttributeValue): number => {
    if (value.S !== undefined) return utf8(value.S);
    if (value.N !== undefined) return Math.ceil(value.N.length / 2) + 1;
    if (value.B !== undefined) return value.B.length;
    if (value.SS) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
    if (value.NS) return value.NS.reduce((sum, n) => sum + Math.ceil(n.length / 2) + 1, 0);
    if (value.BS) return value.BS.reduce((sum, b) => sum + b.length, 0);
    if (value.L) return 3 + value.L.reduce((sum, v) => sum + 1 + valueBytes(v), 0);
    if (value.M) return 3 + approximateItemBytes(value.M) + Object.keys(value.M).length;
    return 1;
  };
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueBytes(value), 0);
}
const clients: DynamoDBClient[] = [];

function client(region?: string): DynamoDBClient {
  const created = accountClient(newAccount(endpoint, region));
  clients.push(created);
  return created;
}

afterAll(() => {
  for (const created of clients) created.destroy();
});

describe('local accounts', () => {
  it('keeps the tables of two accounts on one endpoint apart', async () => {
    const a = client();
    const b = client();
    await createTableAndWait(a, hashOnlyTable('shared_name', 'S'));

    expect((await a.send(new ListTablesCommand({}))).TableNames).toEqual(['shared_name']);
    expect((await b.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    await expect(b.send(new DescribeTableCommand({ TableName: 'shared_name' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );

    // The same name in the other account is a different table.
    await createTableAndWait(b, hashRangeTable('shared_name', 'N', 'S'));
    const describedA = await a.send(new DescribeTableCommand({ TableName: 'shared_name' }));
    expect(describedA.Table?.KeySchema).toHaveLength(1);
  });

  it('keeps regions of one access key apart', async () => {
    const account = newAccount(endpoint, 'eu-west-1');
    const west = accountClient(account);
    const east = accountClient({ ...account, region: 'us-east-1' });
    clients.push(west, east);
    await createTableAndWait(west, hashOnlyTable('regional', 'S'));
    expect((await east.send(new ListTablesCommand({}))).TableNames).toEqual([]);
  });
});

describe('tricky items round-trip unchanged', () => {
  const tables = [
    hashOnlyTable('tricky_s', 'S'),
    hashOnlyTable('tricky_n', 'N'),
    hashOnlyTable('tricky_b', 'B'),
    hashRangeTable('tricky_s_n', 'S', 'N'),
    hashRangeTable('tricky_n_b', 'N', 'B'),
    hashRangeTable('tricky_b_s', 'B', 'S'),
  ];

  it.each(tables.map((input) => [input.TableName, input] as const))('%s', async (table, input) => {
    const ddb = client();
    await createTableAndWait(ddb, input);
    const keyAttrs = keyAttrsOf(input);
    const keyNames = [keyAttrs.pk.name, ...(keyAttrs.sk ? [keyAttrs.sk.name] : [])];
    const items = trickyItems(keyAttrs);

    await putItems(ddb, table!, items);
    const scanned = await scanAll(ddb, table!);

    expect(scanned).toHaveLength(items.length);
    expect(itemsByKey(scanned, keyNames)).toEqual(itemsByKey(items, keyNames));
  });
});

describe('varied items', () => {
  it('are deterministic for a seed, about 1 KB each', () => {
    const keyAttrs = keyAttrsOf(richProvisionedTable('x_rich'));
    const first = variedItems(500, 42, keyAttrs);
    expect(variedItems(500, 42, keyAttrs)).toEqual(first);
    expect(variedItems(500, 43, keyAttrs)).not.toEqual(first);
    const averageBytes = first.reduce((sum, item) => sum + approximateItemBytes(item), 0) / first.length;
    expect(averageBytes).toBeGreaterThan(700);
    expect(averageBytes).toBeLessThan(1600);
  });

  it.each([
    ['provisioned', richProvisionedTable('varied_provisioned')],
    ['on-demand', richOnDemandTable('varied_on_demand')],
  ] as const)('fill the %s rich table and round-trip unchanged', async (_, input) => {
    const ddb = client();
    const created = await createTableAndWait(ddb, input);
    expect(created.GlobalSecondaryIndexes).toHaveLength(3);
    expect(created.LocalSecondaryIndexes).toHaveLength(1);
    const keyAttrs = keyAttrsOf(input);
    const items = variedItems(300, 7, keyAttrs);

    await putItems(ddb, input.TableName!, items);
    const scanned = await scanAll(ddb, input.TableName!);

    const keyNames = [keyAttrs.pk.name, keyAttrs.sk!.name];
    expect(itemsByKey(scanned, keyNames)).toEqual(itemsByKey(items, keyNames));
  });
});
