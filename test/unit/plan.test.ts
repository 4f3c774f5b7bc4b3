import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  DeletionProtectedError,
  InvalidOptionError,
  SameTableError,
  SchemaMismatchError,
  TableNotFoundError,
} from '../../src/errors.js';
import {
  defaultSegments,
  isSameTable,
  type PlanInput,
  planCopy,
  type TableLocation,
} from '../../src/plan/copy-plan.js';
import { type RawOptions, validateCopyOptions } from '../../src/runs/copy/options.js';
import type { TableSnapshot } from '../../src/stores/types.js';

const MB = 1024 * 1024;

function table(overrides: Partial<TableDescription> = {}): TableDescription {
  return {
    TableName: 'orders',
    TableArn: 'arn:aws:dynamodb:eu-west-1:111111111111:table/orders',
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
    ],
    BillingModeSummary: { BillingMode: 'PROVISIONED' },
    ProvisionedThroughput: { ReadCapacityUnits: 100, WriteCapacityUnits: 40, NumberOfDecreasesToday: 0 },
    ItemCount: 1000,
    TableSizeBytes: 1000 * 200,
    ...overrides,
  };
}

const onDemand: Partial<TableDescription> = {
  BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
  ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0, NumberOfDecreasesToday: 0 },
};

function snapshot(description: TableDescription): TableSnapshot {
  return {
    table: description,
    timeToLive: { TimeToLiveStatus: 'ENABLED', AttributeName: 'expires' },
    continuousBackups: {
      ContinuousBackupsStatus: 'ENABLED',
      PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' },
    },
    tags: [{ Key: 'team', Value: 'shop' }],
  };
}

function location(overrides: Partial<TableLocation> = {}): TableLocation {
  return {
    tableName: 'orders',
    region: 'eu-west-1',
    endpoint: undefined,
    accessKeyId: 'AKIASOURCE',
    tableArn: 'arn:aws:dynamodb:eu-west-1:111111111111:table/orders',
    ...overrides,
  };
}

function input(
  flags: RawOptions = {},
  parts: {
    source?: TableDescription;
    target?: TableDescription;
    targetLocation?: Partial<TableLocation>;
  } = {},
): PlanInput {
  return {
    source: snapshot(parts.source ?? table()),
    sourceLocation: location(),
    target: parts.target,
    targetLocation: location({
      tableName: 'orders-copy',
      region: 'us-east-1',
      accessKeyId: 'AKIATARGET',
      tableArn: parts.target?.TableArn,
      ...parts.targetLocation,
    }),
    options: validateCopyOptions({ source: 'orders', target: 'orders-copy', ...flags }),
  };
}

const existingTarget = (overrides: Partial<TableDescription> = {}): TableDescription =>
  table({
    TableName: 'orders-copy',
    TableArn: 'arn:aws:dynamodb:us-east-1:222222222222:table/orders-copy',
    ...overrides,
  });

describe('planCopy: what happens to the target', () => {
  it('creates a missing target from the source, with late settings', () => {
    const plan = planCopy(input());
    expect(plan.mode).toBe('recreate');
    expect(plan.deleteTarget).toBe(false);
    expect(plan.createTable).toMatchObject({
      TableName: 'orders-copy',
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 100, WriteCapacityUnits: 40 },
    });
    expect(plan.lateSettings).toEqual([
      { kind: 'ttl', attributeName: 'expires' },
      { kind: 'tags', tags: [{ Key: 'team', Value: 'shop' }] },
    ]);
    expect(plan.copyItems).toBe(true);
    expect(plan.keyAttributes).toEqual(['pk', 'sk']);
    expect(plan.estimate).toMatchObject({ items: 1000, bytes: 200_000 });
  });

  it('deletes and recreates an existing target', () => {
    const plan = planCopy(input({}, { target: existingTarget() }));
    expect(plan.deleteTarget).toBe(true);
    expect(plan.createTable?.TableName).toBe('orders-copy');
  });

  it('refuses to delete a target with deletion protection', () => {
    const run = () => planCopy(input({}, { target: existingTarget({ DeletionProtectionEnabled: true }) }));
    expect(run).toThrow(DeletionProtectedError);
    expect(run).toThrow(/deletion protection/);
    expect(run).toThrow(
      expect.objectContaining({
        side: 'target',
        hint: expect.stringContaining('--no-deletion-protection-enabled'),
      }),
    );
  });

  it('puts items into a deletion-protected target with --data-only', () => {
    const plan = planCopy(
      input({ dataOnly: true }, { target: existingTarget({ DeletionProtectionEnabled: true }) }),
    );
    expect(plan).toMatchObject({
      mode: 'data-only',
      deleteTarget: false,
      createTable: undefined,
      lateSettings: [],
    });
    expect(plan.copyItems).toBe(true);
  });

  it('needs an existing target with --data-only', () => {
    expect(() => planCopy(input({ dataOnly: true }))).toThrow(TableNotFoundError);
  });

  it('needs the same key schema with --data-only', () => {
    const otherKeys = existingTarget({
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    });
    expect(() => planCopy(input({ dataOnly: true }, { target: otherKeys }))).toThrow(SchemaMismatchError);
    const otherType = existingTarget({
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
    });
    expect(() => planCopy(input({ dataOnly: true }, { target: otherType }))).toThrow(
      /pk \(S\) HASH, sk \(S\) RANGE/,
    );
  });

  it('copies no items with --schema-only', () => {
    const plan = planCopy(input({ schemaOnly: true }, { target: existingTarget() }));
    expect(plan).toMatchObject({ mode: 'schema-only', copyItems: false, deleteTarget: true });
    expect(plan.createTable).toBeDefined();
  });

  it('refuses to copy a table onto itself', () => {
    const same = input(
      {},
      {
        target: table(),
        targetLocation: { tableName: 'orders', region: 'eu-west-1', accessKeyId: 'AKIASOURCE' },
      },
    );
    expect(() => planCopy(same)).toThrow(SameTableError);
  });
});

describe('isSameTable', () => {
  const localArn = 'arn:aws:dynamodb:ddblocal:000000000000:table/x';
  const local = (overrides: Partial<TableLocation> = {}): TableLocation =>
    location({
      tableName: 'x',
      region: 'us-east-1',
      endpoint: 'http://localhost:8000',
      accessKeyId: 'alice',
      tableArn: localArn,
      ...overrides,
    });

  it('trusts real ARNs: equal is the same table whatever the credentials', () => {
    expect(
      isSameTable(location(), location({ accessKeyId: 'AKIAOTHER', endpoint: 'https://vpce.example' })),
    ).toBe(true);
  });

  it('trusts real ARNs: different is another table', () => {
    const other = location({ tableArn: 'arn:aws:dynamodb:eu-west-1:222222222222:table/orders' });
    expect(isSameTable(location(), other)).toBe(false);
  });

  it('compares endpoint, region and signing key for DynamoDB Local ARNs', () => {
    expect(isSameTable(local(), local())).toBe(true);
    // One DynamoDB Local, two "accounts" (access keys): two tables although the ARNs are equal.
    expect(isSameTable(local(), local({ accessKeyId: 'bob' }))).toBe(false);
    expect(isSameTable(local(), local({ region: 'eu-west-1' }))).toBe(false);
    expect(isSameTable(local(), local({ endpoint: 'http://localhost:8001' }))).toBe(false);
    // localhost and 127.0.0.1 are one server; a trailing slash changes nothing.
    expect(isSameTable(local(), local({ endpoint: 'http://127.0.0.1:8000/' }))).toBe(true);
  });

  it('compares the locations when an ARN is missing', () => {
    const noArn = (overrides: Partial<TableLocation> = {}) => location({ tableArn: undefined, ...overrides });
    expect(isSameTable(noArn(), noArn())).toBe(true);
    expect(isSameTable(noArn(), noArn({ tableName: 'other' }))).toBe(false);
    expect(isSameTable(location(), noArn({ accessKeyId: 'AKIAOTHER' }))).toBe(false);
  });
});

describe('planCopy: rates', () => {
  it('takes an absolute rate as it is', () => {
    const plan = planCopy(input({ readRate: '250', writeRate: '75' }));
    expect(plan.readRate).toBe(250);
    expect(plan.writeRate).toBe(75);
  });

  it('has no cap without a rate', () => {
    const plan = planCopy(input());
    expect(plan.readRate).toBeUndefined();
    expect(plan.writeRate).toBeUndefined();
  });

  it('reads --read-rate P% as a share of a provisioned source', () => {
    expect(planCopy(input({ readRate: '50%' })).readRate).toBe(50);
    expect(planCopy(input({ readRate: '100%' })).readRate).toBe(100);
  });

  it('refuses --read-rate P% on an on-demand source without a maximum', () => {
    const run = () => planCopy(input({ readRate: '50%' }, { source: table(onDemand) }));
    expect(run).toThrow(InvalidOptionError);
    expect(run).toThrow(/--read-rate 50%.*on-demand/);
    expect(run).toThrow(expect.objectContaining({ side: 'source' }));
  });

  it('reads --read-rate P% of an on-demand maximum', () => {
    const source = table({
      ...onDemand,
      OnDemandThroughput: { MaxReadRequestUnits: 400, MaxWriteRequestUnits: -1 },
    });
    expect(planCopy(input({ readRate: '25%' }, { source })).readRate).toBe(100);
  });

  it('reads --write-rate P% from the capacity the target is created with', () => {
    expect(planCopy(input({ writeRate: '50%' })).writeRate).toBe(20);
    const overridden = planCopy(
      input(
        { writeRate: '25%', billingMode: 'provisioned', readCapacity: '10', writeCapacity: '200' },
        {
          source: table(onDemand),
        },
      ),
    );
    expect(overridden.createTable?.ProvisionedThroughput).toEqual({
      ReadCapacityUnits: 10,
      WriteCapacityUnits: 200,
    });
    expect(overridden.writeRate).toBe(50);
  });

  it('refuses --write-rate P% for an on-demand target without a maximum', () => {
    expect(() => planCopy(input({ writeRate: '50%' }, { source: table(onDemand) }))).toThrow(
      /--write-rate 50%/,
    );
  });

  it("reads --write-rate P% from the existing target's capacity with --data-only", () => {
    const target = existingTarget({
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 300, NumberOfDecreasesToday: 0 },
    });
    expect(planCopy(input({ dataOnly: true, writeRate: '10%' }, { target })).writeRate).toBe(30);
  });

  it('chooses writers from the write rate unless --concurrency says', () => {
    expect(planCopy(input()).writeConcurrency).toBe(16);
    expect(planCopy(input({ writeRate: '100' })).writeConcurrency).toBe(4);
    expect(planCopy(input({ writeRate: '10000' })).writeConcurrency).toBe(20);
    expect(planCopy(input({ writeRate: '1000000' })).writeConcurrency).toBe(64);
    expect(planCopy(input({ concurrency: '3', writeRate: '10000' })).writeConcurrency).toBe(3);
  });
});

describe('planCopy: the estimate reads the billing of each side', () => {
  it('the source for reads, the target as created for writes, and the regions for transfer', () => {
    // 1,000 items of 200 bytes from a provisioned source (100 RCU) into a target created on-demand.
    const plan = planCopy(input({ billingMode: 'on-demand', readRate: '10' }));
    expect(plan.estimate).toMatchObject({
      readUnits: 24.5,
      writeUnits: 1000,
      seconds: 2.45,
      limitedBy: 'read-rate',
    });
    expect(plan.estimate.cost.reads.mode).toBe('provisioned');
    expect(plan.estimate.cost.writes.mode).toBe('on-demand');
    // eu-west-1 to us-east-1.
    expect(plan.estimate.cost.transfer).not.toBeNull();
  });

  it('--data-only: the existing target bounds the writes; --schema-only costs nothing', () => {
    const target = existingTarget({ ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 4 } });
    const plan = planCopy(input({ dataOnly: true }, { target }));
    expect(plan.estimate).toMatchObject({ seconds: 250, limitedBy: 'target-write-capacity' });
    expect(planCopy(input({ schemaOnly: true })).estimate).toMatchObject({ readUnits: 0, writeUnits: 0 });
  });
});

describe('planCopy: segments and pages', () => {
  it('defaultSegments: 1 below 1 MB, at least 8 from 1 MB, 32 MB each, at most 1000', () => {
    expect(defaultSegments(0)).toBe(1);
    expect(defaultSegments(MB - 1)).toBe(1);
    expect(defaultSegments(MB)).toBe(8);
    expect(defaultSegments(8 * 32 * MB)).toBe(8);
    expect(defaultSegments(8 * 32 * MB + 1)).toBe(9);
    expect(defaultSegments(100 * 32 * MB)).toBe(100);
    expect(defaultSegments(1000 * 32 * MB)).toBe(1000);
    expect(defaultSegments(5000 * 32 * MB)).toBe(1000);
  });

  it('takes segments from the table size unless --segments says, and scans at most 8 at once', () => {
    const big = table({ TableSizeBytes: 64 * 32 * MB, ItemCount: 1_000_000 });
    expect(planCopy(input({}, { source: big }))).toMatchObject({ segments: 64, scanConcurrency: 8 });
    expect(planCopy(input({ segments: '3' }, { source: big }))).toMatchObject({
      segments: 3,
      scanConcurrency: 3,
    });
    expect(planCopy(input())).toMatchObject({ segments: 1, scanConcurrency: 1 });
  });

  it.each([
    ['tiny items', 1000, 1000 * 100, 2000],
    ['4 KB items', 1000, 1000 * 4096, 256],
    ['100 KB items', 1000, 1000 * 100 * 1024, 100],
    ['an empty table (1 KB assumed)', 0, 0, 1024],
  ])('sizes pages to about 1 MB for %s', (_name, items, bytes, scanLimit) => {
    const plan = planCopy(input({}, { source: table({ ItemCount: items, TableSizeBytes: bytes }) }));
    expect(plan.scanLimit).toBe(scanLimit);
  });

  it('estimates the read units of a page, twice as many for consistent reads', () => {
    const source = table({ ItemCount: 1000, TableSizeBytes: 1000 * 4096 });
    expect(planCopy(input({ segments: '1' }, { source })).readUnitsPerPage).toBe(128);
    expect(planCopy(input({ segments: '1', consistentRead: true }, { source })).readUnitsPerPage).toBe(256);
    // No page is bigger than its segment's share of the table: 4,096,000 bytes over 8 segments, 125 units.
    expect(planCopy(input({ segments: '8' }, { source })).readUnitsPerPage).toBe(62.5);
    const small = table({ ItemCount: 10, TableSizeBytes: 10 });
    expect(planCopy(input({}, { source: small })).readUnitsPerPage).toBeGreaterThanOrEqual(0.5);
  });
});
