/**
 * The target is recreated from the source's definition, and every refusal leaves both tables as they
 * were. Everything runs against DynamoDB Local; the target is checked with its own DescribeTable.
 */
import {
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  PutItemCommand,
  type TableDescription,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { runCopy } from '../../src/runs/copy/run-copy.js';
import { connectSide, SOURCE_OPERATIONS } from '../../src/stores/dynamodb/client.js';
import { variedItems } from '../fixtures/items.js';
import { hashOnlyTable, keyAttrsOf, richOnDemandTable, richProvisionedTable } from '../fixtures/tables.js';
import { localCopyOptions } from '../harness/copy-options.js';
import {
  accountClient,
  createTableAndWait,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

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

async function describeTable(client: DynamoDBClient, table: string): Promise<TableDescription> {
  return (await client.send(new DescribeTableCommand({ TableName: table }))).Table!;
}

/** The parts of a description a copy must reproduce, in a stable order. */
function shape(table: TableDescription) {
  const sortByName = <T extends { IndexName?: string }>(xs: T[] = []) =>
    [...xs].sort((a, b) => (a.IndexName ?? '').localeCompare(b.IndexName ?? ''));
  return {
    keySchema: table.KeySchema,
    attributes: [...(table.AttributeDefinitions ?? [])].sort((a, b) =>
      (a.AttributeName ?? '').localeCompare(b.AttributeName ?? ''),
    ),
    billing: table.BillingModeSummary?.BillingMode ?? 'PROVISIONED',
    capacity: [
      table.ProvisionedThroughput?.ReadCapacityUnits,
      table.ProvisionedThroughput?.WriteCapacityUnits,
    ],
    gsis: sortByName(table.GlobalSecondaryIndexes).map((g) => ({
      name: g.IndexName,
      keys: g.KeySchema,
      projection: g.Projection,
      capacity: [g.ProvisionedThroughput?.ReadCapacityUnits, g.ProvisionedThroughput?.WriteCapacityUnits],
    })),
    lsis: sortByName(table.LocalSecondaryIndexes).map((l) => ({
      name: l.IndexName,
      keys: l.KeySchema,
      projection: l.Projection,
    })),
    stream: table.StreamSpecification,
  };
}

async function seedSource(p: Pair, definition: CreateTableCommandInput, items = 200): Promise<void> {
  await createTableAndWait(p.srcClient, definition);
  await putItems(p.srcClient, definition.TableName!, variedItems(items, 3, keyAttrsOf(definition)));
}

describe('copy: schema', () => {
  it('recreates a provisioned table with GSIs of distinct capacities, every projection, an LSI, a stream and TTL', async () => {
    const p = pair();
    const definition = richProvisionedTable('orders');
    await seedSource(p, definition);
    await p.srcClient.send(
      new UpdateTimeToLiveCommand({
        TableName: 'orders',
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
      }),
    );
    const outcome = await runCopy(
      localCopyOptions({ account: p.src, table: 'orders' }, { account: p.dst, table: 'orders' }),
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary.schema).toMatchObject({
      action: 'created',
      indexes: { global: 3, local: 1 },
      settings: ['ttl'],
    });
    expect(outcome.summary.schema.unsupportedSettings).toEqual([]);

    const source = await describeTable(p.srcClient, 'orders');
    const target = await describeTable(p.dstClient, 'orders');
    expect(shape(target)).toStrictEqual(shape(source));
    expect(shape(target).gsis.map((g) => g.capacity)).toEqual([
      [4, 1],
      [2, 3],
      [3, 2],
    ]);
    const ttl = await p.dstClient.send(new DescribeTimeToLiveCommand({ TableName: 'orders' }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
    expect((await scanAll(p.dstClient, 'orders')).length).toBe(200);
  });

  it('recreates an on-demand table without sending any throughput', async () => {
    const p = pair();
    await seedSource(p, richOnDemandTable('events'));
    const outcome = await runCopy(
      localCopyOptions({ account: p.src, table: 'events' }, { account: p.dst, table: 'events' }),
    );
    expect(outcome.error).toBeUndefined();
    const create = outcome.plan?.createTable;
    expect(create?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(create?.ProvisionedThroughput).toBeUndefined();
    for (const gsi of create?.GlobalSecondaryIndexes ?? []) expect(gsi.ProvisionedThroughput).toBeUndefined();
    expect(shape(await describeTable(p.dstClient, 'events'))).toStrictEqual(
      shape(await describeTable(p.srcClient, 'events')),
    );
  });

  it('replaces an existing target that has another schema, when confirmed with --yes', async () => {
    const p = pair();
    await seedSource(p, richOnDemandTable('orders'), 50);
    await createTableAndWait(p.dstClient, hashOnlyTable('orders', 'N'));
    await p.dstClient.send(
      new PutItemCommand({ TableName: 'orders', Item: { pk: { N: '1' }, stale: { BOOL: true } } }),
    );
    const outcome = await runCopy(
      localCopyOptions(
        { account: p.src, table: 'orders' },
        { account: p.dst, table: 'orders' },
        { yes: true },
      ),
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary.schema.action).toBe('recreated');
    const target = await describeTable(p.dstClient, 'orders');
    expect(shape(target)).toStrictEqual(shape(await describeTable(p.srcClient, 'orders')));
    const items = await scanAll(p.dstClient, 'orders');
    expect(items.length).toBe(50);
    expect(items.some((item) => item.stale)).toBe(false);
  });

  it('asks before deleting: a declined confirmation leaves the target untouched', async () => {
    const p = pair();
    await seedSource(p, hashOnlyTable('tbl', 'S'), 10);
    await createTableAndWait(p.dstClient, hashOnlyTable('tbl', 'N'));
    let asked = '';
    const outcome = await runCopy(
      localCopyOptions({ account: p.src, table: 'tbl' }, { account: p.dst, table: 'tbl' }),
      {
        confirmDeletion: async (question) => {
          asked = question.table;
          return false;
        },
      },
    );
    expect(asked).toBe('tbl');
    expect(outcome.error?.code).toBe('DELETION_NOT_CONFIRMED');
    expect(outcome.error?.exitCode).toBe(EXIT.badInput);
    expect((await describeTable(p.dstClient, 'tbl')).AttributeDefinitions).toEqual([
      { AttributeName: 'pk', AttributeType: 'N' },
    ]);
  });

  it('refuses to delete without --yes when nobody can be asked', async () => {
    const p = pair();
    await seedSource(p, hashOnlyTable('tbl', 'S'), 10);
    await createTableAndWait(p.dstClient, hashOnlyTable('tbl', 'N'));
    const outcome = await runCopy(
      localCopyOptions({ account: p.src, table: 'tbl' }, { account: p.dst, table: 'tbl' }),
    );
    expect(outcome.error?.code).toBe('DELETION_NOT_CONFIRMED');
    expect(outcome.error?.hint).toMatch(/\byes\b/);
    expect((await describeTable(p.dstClient, 'tbl')).KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
    ]);
  });

  it('refuses a target with deletion protection, and says how to turn it off', async () => {
    const p = pair();
    await seedSource(p, hashOnlyTable('tbl', 'S'), 10);
    await createTableAndWait(p.dstClient, { ...hashOnlyTable('tbl', 'N'), DeletionProtectionEnabled: true });
    const outcome = await runCopy(
      localCopyOptions({ account: p.src, table: 'tbl' }, { account: p.dst, table: 'tbl' }, { yes: true }),
    );
    expect(outcome.error?.code).toBe('DELETION_PROTECTED');
    expect(outcome.error?.exitCode).toBe(EXIT.badInput);
    expect(outcome.error?.hint).toContain('--no-deletion-protection-enabled');
    expect((await describeTable(p.dstClient, 'tbl')).DeletionProtectionEnabled).toBe(true);
  });

  it('refuses to copy a table onto itself', async () => {
    const p = pair();
    await seedSource(p, hashOnlyTable('tbl', 'S'), 10);
    const outcome = await runCopy(
      localCopyOptions({ account: p.src, table: 'tbl' }, { account: p.src, table: 'tbl' }, { yes: true }),
    );
    expect(outcome.error?.code).toBe('SAME_TABLE');
    expect((await scanAll(p.srcClient, 'tbl')).length).toBe(10);
  });

  it('copies the deletion-protection flag unless skipped', async () => {
    const p = pair();
    await seedSource(p, { ...hashOnlyTable('tbl', 'S'), DeletionProtectionEnabled: true }, 5);
    await runCopy(localCopyOptions({ account: p.src, table: 'tbl' }, { account: p.dst, table: 'tbl' }));
    expect((await describeTable(p.dstClient, 'tbl')).DeletionProtectionEnabled).toBe(true);
    const q = pair();
    await seedSource(q, { ...hashOnlyTable('tbl', 'S'), DeletionProtectionEnabled: true }, 5);
    await runCopy(
      localCopyOptions(
        { account: q.src, table: 'tbl' },
        { account: q.dst, table: 'tbl' },
        { skip: 'deletion-protection' },
      ),
    );
    expect((await describeTable(q.dstClient, 'tbl')).DeletionProtectionEnabled).toBe(false);
  });

  it('reports an unknown source table as bad input and creates nothing', async () => {
    const p = pair();
    const outcome = await runCopy(
      localCopyOptions({ account: p.src, table: 'nope' }, { account: p.dst, table: 'nope' }),
    );
    expect(outcome.error?.code).toBe('TABLE_NOT_FOUND');
    expect(outcome.error?.side).toBe('source');
    expect(outcome.error?.exitCode).toBe(EXIT.badInput);
    await expect(describeTable(p.dstClient, 'nope')).rejects.toThrow(/non-existent/);
  });

  it('--dry-run plans and changes nothing', async () => {
    const p = pair();
    await seedSource(p, richProvisionedTable('orders'), 20);
    await createTableAndWait(p.dstClient, hashOnlyTable('orders', 'N'));
    const outcome = await runCopy(
      localCopyOptions(
        { account: p.src, table: 'orders' },
        { account: p.dst, table: 'orders' },
        { dryRun: true, yes: true },
      ),
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary.status).toBe('planned');
    expect(outcome.plan?.deleteTarget).toBe(true);
    expect(outcome.plan?.createTable?.GlobalSecondaryIndexes).toHaveLength(3);
    expect((await describeTable(p.dstClient, 'orders')).AttributeDefinitions).toEqual([
      { AttributeName: 'pk', AttributeType: 'N' },
    ]);
  });

  it('--schema-only recreates the table and copies no item', async () => {
    const p = pair();
    await seedSource(p, richOnDemandTable('orders'), 20);
    const outcome = await runCopy(
      localCopyOptions(
        { account: p.src, table: 'orders' },
        { account: p.dst, table: 'orders' },
        { schemaOnly: true },
      ),
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary.items.written).toBe(0);
    expect(shape(await describeTable(p.dstClient, 'orders'))).toStrictEqual(
      shape(await describeTable(p.srcClient, 'orders')),
    );
    expect(await scanAll(p.dstClient, 'orders')).toEqual([]);
  });

  it('--data-only puts items over an existing table with the same keys and keeps its schema', async () => {
    const p = pair();
    await seedSource(p, richOnDemandTable('orders'), 30);
    await createTableAndWait(p.dstClient, {
      TableName: 'orders',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
    });
    await p.dstClient.send(
      new PutItemCommand({ TableName: 'orders', Item: { pk: { S: 'keep' }, sk: { S: 'me' } } }),
    );
    const outcome = await runCopy(
      localCopyOptions(
        { account: p.src, table: 'orders' },
        { account: p.dst, table: 'orders' },
        { dataOnly: true },
      ),
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary.schema.action).toBe('kept');
    expect((await describeTable(p.dstClient, 'orders')).GlobalSecondaryIndexes).toBeUndefined();
    expect((await scanAll(p.dstClient, 'orders')).length).toBe(31);

    // --verify sees the item the target had before: a difference, exit 1.
    const verified = await runCopy(
      localCopyOptions(
        { account: p.src, table: 'orders' },
        { account: p.dst, table: 'orders' },
        { dataOnly: true, verify: true },
      ),
    );
    expect(verified.exitCode).toBe(EXIT.failed);
    expect(verified.error?.code).toBe('VERIFICATION_FAILED');
    expect(verified.summary.verification).toMatchObject({
      status: 'different',
      missing: 0,
      extra: 1,
      different: 0,
    });
    expect(verified.summary.verification?.samples.extra).toEqual([{ pk: { S: 'keep' }, sk: { S: 'me' } }]);
  });

  it('--data-only refuses a target whose key schema differs, or that does not exist', async () => {
    const p = pair();
    await seedSource(p, hashOnlyTable('tbl', 'S'), 5);
    const missing = await runCopy(
      localCopyOptions(
        { account: p.src, table: 'tbl' },
        { account: p.dst, table: 'tbl' },
        { dataOnly: true },
      ),
    );
    expect(missing.error?.code).toBe('TABLE_NOT_FOUND');
    expect(missing.error?.side).toBe('target');
    await createTableAndWait(p.dstClient, hashOnlyTable('tbl', 'N'));
    const mismatch = await runCopy(
      localCopyOptions(
        { account: p.src, table: 'tbl' },
        { account: p.dst, table: 'tbl' },
        { dataOnly: true },
      ),
    );
    expect(mismatch.error?.code).toBe('SCHEMA_MISMATCH');
    expect(mismatch.error?.message).toContain('pk (N)');
    expect(await scanAll(p.dstClient, 'tbl')).toEqual([]);
  });

  it('the source side cannot send a write, even by mistake', async () => {
    const p = pair();
    await seedSource(p, hashOnlyTable('tbl', 'S'), 1);
    const conn = await connectSide(
      'source',
      { table: 'tbl', region: p.src.region, endpointUrl: endpoint, credentials: p.src },
      { maxSockets: 2, allowedOperations: SOURCE_OPERATIONS },
    );
    await expect(
      conn.client.send(new PutItemCommand({ TableName: 'tbl', Item: { pk: { S: 'intruder' } } })),
    ).rejects.toThrow(/only reads and describes/);
    conn.client.destroy();
    expect((await scanAll(p.srcClient, 'tbl')).length).toBe(1);
  });
});
