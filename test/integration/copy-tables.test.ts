/**
 * Copying a set of tables (`copy --tables 'prod-*' --rename prod-=staging-`) through the library, on
 * DynamoDB Local: two isolated "accounts" (access keys) on one server.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ListTablesCommand,
  TagResourceCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { RawOptions } from '../../src/runs/copy/options.js';
import { runCopyTables } from '../../src/runs/tables/copy-tables.js';
import { type TableSetOptions, validateTableSetOptions } from '../../src/runs/tables/options.js';
import { readPlanFile } from '../../src/runs/tables/read-plan-file.js';
import { type Item, variedItems } from '../fixtures/items.js';
import { hashOnlyTable, hashRangeTable, keyAttrsOf, richOnDemandTable } from '../fixtures/tables.js';
import { startFaultProxy } from '../harness/fault-proxy.js';
import {
  accountClient,
  createTableAndWait,
  itemsByKey,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

/** The set's options between two local accounts, validated as the command line's flags are. */
function setOptions(
  src: LocalAccount,
  dst: LocalAccount,
  flags: RawOptions,
  planFile?: Awaited<ReturnType<typeof readPlanFile>>,
): TableSetOptions {
  const options = validateTableSetOptions(
    {
      sourceRegion: src.region,
      targetRegion: dst.region,
      sourceEndpointUrl: src.endpoint,
      targetEndpointUrl: dst.endpoint,
      checkpoint: path.join(os.tmpdir(), `ddbcopy-set-${randomUUID()}.json`),
      ...flags,
    },
    'copy',
    planFile,
  );
  const keys = (account: LocalAccount) => ({
    accessKeyId: account.accessKeyId,
    secretAccessKey: account.secretAccessKey,
  });
  return {
    ...options,
    source: { ...options.source, credentials: keys(src) },
    target: { ...options.target, credentials: keys(dst) },
  };
}

/** The rich table's indexes without its stream: DynamoDB Local takes minutes to delete a streamed table. */
function indexedTable(name: string): CreateTableCommandInput {
  const { StreamSpecification: _stream, ...input } = richOnDemandTable(name);
  return input;
}

async function tableNames(client: DynamoDBClient): Promise<string[]> {
  return (await client.send(new ListTablesCommand({}))).TableNames ?? [];
}

/** What a copy must keep of a table's definition: keys, indexes (names, keys, projections), billing. */
async function shapeOf(client: DynamoDBClient, table: string): Promise<unknown> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
  const index = (i: { IndexName?: string; KeySchema?: unknown; Projection?: unknown }) => ({
    name: i.IndexName,
    keys: i.KeySchema,
    projection: i.Projection,
  });
  return {
    keys: Table?.KeySchema,
    attributes: [...(Table?.AttributeDefinitions ?? [])].sort((a, b) =>
      String(a.AttributeName).localeCompare(String(b.AttributeName)),
    ),
    gsi: (Table?.GlobalSecondaryIndexes ?? []).map(index),
    lsi: (Table?.LocalSecondaryIndexes ?? []).map(index),
    billing: Table?.BillingModeSummary?.BillingMode ?? 'PROVISIONED',
    ttl: ttl.TimeToLiveDescription?.AttributeName ?? null,
  };
}

async function expectSameItems(
  srcClient: DynamoDBClient,
  dstClient: DynamoDBClient,
  source: string,
  target: string,
  keys: string[],
): Promise<number> {
  const [from, to] = await Promise.all([scanAll(srcClient, source), scanAll(dstClient, target)]);
  expect(to.length).toBe(from.length);
  const byKey = itemsByKey(to, keys);
  for (const [key, item] of itemsByKey(from, keys)) expect(byKey.get(key), key).toEqual(item);
  return to.length;
}

describe('copy a set of tables (glob, exclude, rename by prefix)', () => {
  const endpoint = inject('ddbEndpoint');
  let src: LocalAccount;
  let dst: LocalAccount;
  let srcClient: DynamoDBClient;
  let dstClient: DynamoDBClient;
  const shapes: { name: string; input: CreateTableCommandInput; count: number }[] = [
    { name: 'prod-empty', input: hashOnlyTable('prod-empty', 'N'), count: 0 },
    { name: 'prod-events', input: hashRangeTable('prod-events', 'S', 'N'), count: 2_000 },
    { name: 'prod-indexed', input: indexedTable('prod-indexed'), count: 1_500 },
    { name: 'prod-sessions', input: hashOnlyTable('prod-sessions', 'S'), count: 500 },
    { name: 'prod-blobs', input: hashRangeTable('prod-blobs', 'B', 'B'), count: 1_000 },
    { name: 'prod-orders', input: hashOnlyTable('prod-orders', 'S'), count: 20_000 },
  ];
  const items = new Map<string, Item[]>();

  beforeAll(async () => {
    src = newAccount(endpoint, 'eu-west-1');
    dst = newAccount(endpoint, 'eu-west-1');
    srcClient = accountClient(src);
    dstClient = accountClient(dst);
    await Promise.all(
      [
        ...shapes.map((s) => s.input),
        hashOnlyTable('prod-orders-archive', 'S'),
        hashOnlyTable('other-table', 'S'),
      ].map((input) => createTableAndWait(srcClient, input)),
    );
    await srcClient.send(
      new UpdateTimeToLiveCommand({
        TableName: 'prod-sessions',
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' },
      }),
    );
    for (const [index, shape] of shapes.entries()) {
      const generated = variedItems(shape.count, 100 + index, keyAttrsOf(shape.input));
      items.set(shape.name, generated);
      await putItems(srcClient, shape.name, generated);
    }
    await putItems(srcClient, 'other-table', variedItems(10, 7, keyAttrsOf(hashOnlyTable('x', 'S'))));
  }, 180_000);

  it('copies every selected table identical in schema and items, renamed; the others are untouched', async () => {
    const options = setOptions(src, dst, {
      tables: 'prod-*',
      exclude: ['prod-*-archive'],
      rename: ['prod-=staging-'],
      yes: true,
    });
    const events: string[] = [];
    const outcome = await runCopyTables(options, {
      onEvent: (event) => {
        if (event.type !== 'table-event') events.push(event.type);
      },
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.exitCode).toBe(0);
    const { summary } = outcome;
    expect(summary.status).toBe('completed');
    // In the set's order (ListTables is alphabetical), one one-table summary per pair.
    expect(summary.tables.map((t) => [t.source.table, t.target.table, t.status])).toEqual(
      [...shapes.map((s) => s.name)]
        .sort()
        .map((name) => [name, name.replace(/^prod-/, 'staging-'), 'completed']),
    );
    expect(summary.totals).toMatchObject({ tables: 6, completed: 6, failed: 0, items: 25_000 });
    expect(events.filter((type) => type === 'table-started')).toHaveLength(6);

    expect((await tableNames(dstClient)).sort()).toEqual(
      shapes.map((s) => s.name.replace(/^prod-/, 'staging-')).sort(),
    );
    for (const shape of shapes) {
      const target = shape.name.replace(/^prod-/, 'staging-');
      expect(await shapeOf(dstClient, target), target).toEqual(await shapeOf(srcClient, shape.name));
      const keys = shape.input.KeySchema!.map((k) => k.AttributeName!);
      expect(await expectSameItems(srcClient, dstClient, shape.name, target, keys)).toBe(shape.count);
    }
    // The excluded and the unmatched table are neither copied nor changed.
    expect(await tableNames(srcClient)).toContain('other-table');
    expect((await scanAll(srcClient, 'other-table')).length).toBe(10);
  }, 240_000);

  it('one target refusing (deletion protection) fails alone: exit 1, the summary names it', async () => {
    const dst2 = newAccount(endpoint, 'eu-west-1');
    const dst2Client = accountClient(dst2);
    await createTableAndWait(dst2Client, hashOnlyTable('copy-sessions', 'S'));
    await dst2Client.send(
      new UpdateTableCommand({ TableName: 'copy-sessions', DeletionProtectionEnabled: true }),
    );
    const options = setOptions(src, dst2, {
      tables: 'prod-empty,prod-sessions,prod-blobs',
      rename: ['prod-=copy-'],
      yes: true,
    });
    const outcome = await runCopyTables(options);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.summary.status).toBe('failed');
    expect(outcome.error?.code).toBe('TABLES_FAILED');
    expect(outcome.error?.message).toContain('prod-sessions');
    const byTarget = new Map(outcome.summary.tables.map((t) => [t.target.table, t]));
    expect(byTarget.get('copy-sessions')).toMatchObject({
      status: 'failed',
      error: { code: 'DELETION_PROTECTED' },
    });
    expect(byTarget.get('copy-empty')?.status).toBe('completed');
    expect(byTarget.get('copy-blobs')?.status).toBe('completed');
    expect(outcome.summary.totals).toMatchObject({ completed: 2, failed: 1 });
    await expectSameItems(srcClient, dst2Client, 'prod-blobs', 'copy-blobs', ['pk', 'sk']);
    // The protected table is left as it was: still there, still empty.
    expect((await scanAll(dst2Client, 'copy-sessions')).length).toBe(0);
  }, 120_000);

  it('a YAML plan file: its pairs, defaults and per-table settings (data-only keeps a target)', async () => {
    const dst3 = newAccount(endpoint, 'eu-west-1');
    const dst3Client = accountClient(dst3);
    // staging-events exists with its own (provisioned) definition: data-only must keep it.
    await createTableAndWait(dst3Client, {
      ...hashRangeTable('kept-events', 'S', 'N'),
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 7 },
    });
    const file = path.join(os.tmpdir(), `ddbcopy-plan-${randomUUID()}.yaml`);
    writeFileSync(
      file,
      [
        'defaults:',
        '  write-rate: 5000',
        'tables:',
        '  - source: prod-events',
        '    target: kept-events',
        '    data-only: true',
        '  - source: prod-blobs   # target from --rename',
        '',
      ].join('\n'),
    );
    const outcome = await runCopyTables(
      setOptions(src, dst3, { plan: file, rename: ['prod-=plan-'], yes: true }, await readPlanFile(file)),
    );
    expect(outcome.error).toBeUndefined();
    expect(
      outcome.summary.tables.map((t) => [t.target.table, t.status, 'schema' in t ? t.schema.action : '']),
    ).toEqual([
      ['kept-events', 'completed', 'kept'],
      ['plan-blobs', 'completed', 'created'],
    ]);
    const { Table } = await dst3Client.send(new DescribeTableCommand({ TableName: 'kept-events' }));
    expect(Table?.ProvisionedThroughput?.WriteCapacityUnits).toBe(7);
    await expectSameItems(srcClient, dst3Client, 'prod-events', 'kept-events', ['pk', 'sk']);
    await expectSameItems(srcClient, dst3Client, 'prod-blobs', 'plan-blobs', ['pk', 'sk']);
  }, 120_000);

  it('LimitExceededException on CreateTable and DeleteTable is waited out, not fatal', async () => {
    const proxy = await startFaultProxy({ upstream: endpoint });
    try {
      const dst4 = newAccount(proxy.endpoint, 'eu-west-1');
      await createTableAndWait(accountClient(dst4), hashOnlyTable('limit-empty', 'N'));
      proxy.reset();
      proxy.limitExceeded('CreateTable', 2);
      proxy.limitExceeded('DeleteTable', 1);
      const outcome = await runCopyTables(
        setOptions(src, dst4, { tables: 'prod-empty,prod-sessions', rename: ['prod-=limit-'], yes: true }),
      );
      expect(outcome.error).toBeUndefined();
      expect(outcome.summary.totals).toMatchObject({ completed: 2, failed: 0 });
      // Every refused call came again: 2 + 1 refusals, then one call per table that needed it.
      expect(proxy.counts().requests.CreateTable).toBe(2 + 2);
      expect(proxy.counts().requests.DeleteTable).toBe(1 + 1);
      const throttled = outcome.summary.tables.reduce(
        (sum, t) => sum + ('retries' in t ? t.retries.throttled : 0),
        0,
      );
      expect(throttled).toBe(3);
      await expectSameItems(srcClient, accountClient(dst4), 'prod-sessions', 'limit-sessions', ['pk']);
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it('--tables-tagged selects by tag (tags emulated by the fault proxy); without tag support: a clear exit 2', async () => {
    const proxy = await startFaultProxy({ upstream: endpoint });
    try {
      // The same source account, reached through the proxy, which answers the tag API for it.
      const viaProxy = { ...src, endpoint: proxy.endpoint };
      const client = accountClient(viaProxy);
      for (const [table, team] of [
        ['prod-events', 'orders'],
        ['prod-blobs', 'orders'],
        ['prod-sessions', 'auth'],
      ] as const) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
        await client.send(
          new TagResourceCommand({ ResourceArn: Table!.TableArn, Tags: [{ Key: 'team', Value: team }] }),
        );
      }
      const dst5 = newAccount(endpoint, 'eu-west-1');
      const outcome = await runCopyTables(
        setOptions(viaProxy, dst5, {
          tables: 'prod-*',
          tablesTagged: 'team=orders',
          rename: ['prod-=tagged-'],
          yes: true,
          skip: 'tags,pitr',
        }),
      );
      expect(outcome.error).toBeUndefined();
      expect(outcome.summary.tables.map((t) => t.source.table)).toEqual(['prod-blobs', 'prod-events']);

      // DynamoDB Local itself has no tag API: the selection refuses, naming the flag, and touches nothing.
      const dst6 = newAccount(endpoint, 'eu-west-1');
      const refused = await runCopyTables(setOptions(src, dst6, { tablesTagged: 'team=orders', yes: true }));
      expect(refused.exitCode).toBe(2);
      expect(refused.error?.message).toMatch(/\btablesTagged\b/);
      expect(await tableNames(accountClient(dst6))).toEqual([]);
    } finally {
      await proxy.close();
    }
  }, 120_000);

  describe('bad input: exit 2, nothing touched', () => {
    const cases: [string, RawOptions, RegExp, 'other' | 'same'][] = [
      [
        'two sources renamed onto one target',
        { tables: 'prod-events,prod-blobs', rename: ['prod-events=staging-x', 'prod-blobs=staging-x'] },
        /staging-x/,
        'other',
      ],
      [
        'a rename onto a source table (same account)',
        { tables: 'prod-events,prod-blobs', rename: ['prod-events=prod-blobs'] },
        /prod-blobs/,
        'same',
      ],
      ['no rename on the same account', { tables: 'prod-blobs' }, /overwrite|source/, 'same'],
      [
        'an exclusion that empties the selection',
        { tables: 'prod-*', exclude: ['prod-*'] },
        /exclude/i,
        'other',
      ],
      ['a glob matching nothing', { tables: 'staging-*' }, /staging-\*/, 'other'],
      ['a table that does not exist', { tables: 'prod-nope' }, /prod-nope/, 'other'],
    ];
    for (const [name, flags, message, where] of cases) {
      it(name, async () => {
        const target = where === 'same' ? src : newAccount(endpoint, 'eu-west-1');
        const before = await tableNames(srcClient);
        const outcome = await runCopyTables(setOptions(src, target, { ...flags, yes: true }));
        expect(outcome.exitCode).toBe(2);
        expect(outcome.error?.message).toMatch(message);
        expect(outcome.summary.tables).toEqual([]);
        expect(await tableNames(srcClient)).toEqual(before);
        if (where === 'other') expect(await tableNames(accountClient(target))).toEqual([]);
      });
    }
  });
});
