/**
 * planCopy's details (src/plan/copy-plan.ts) that the scenario tests in plan.test.ts do not pin:
 * the refusals' exact messages, sides and hints; what the plan says the existing target holds; when
 * two locations are one table; a page's read units on an empty table; and how a --X-rate percentage
 * finds the capacity it is a share of (provisioned or on-demand maximum, DynamoDB's 0 and -1 for
 * "none").
 */
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import {
  isSameTable,
  type PlanInput,
  planCopy,
  scanPaging,
  type TableLocation,
  tableRate,
} from '../../src/plan/copy-plan.js';
import { validateCopyOptions } from '../../src/runs/copy/options.js';
import type { TableSnapshot } from '../../src/stores/types.js';

function table(overrides: Partial<TableDescription> = {}): TableDescription {
  return {
    TableName: 'orders',
    TableArn: 'arn:aws:dynamodb:eu-west-1:111111111111:table/orders',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    BillingModeSummary: { BillingMode: 'PROVISIONED' },
    ProvisionedThroughput: { ReadCapacityUnits: 100, WriteCapacityUnits: 40 },
    ItemCount: 10,
    TableSizeBytes: 2000,
    ...overrides,
  };
}

const snapshot = (description: TableDescription): TableSnapshot => ({
  table: description,
  timeToLive: { TimeToLiveStatus: 'DISABLED' },
  continuousBackups: { ContinuousBackupsStatus: 'ENABLED' },
  tags: [],
});

function location(overrides: Partial<TableLocation> = {}): TableLocation {
  return {
    tableName: 'orders',
    region: 'eu-west-1',
    endpoint: undefined,
    accessKeyId: 'AKIA',
    tableArn: undefined,
    ...overrides,
  };
}

function input(
  flags: Record<string, unknown>,
  target: TableDescription | undefined,
  targetLocation = location({ tableName: 'copy' }),
): PlanInput {
  return {
    source: snapshot(table()),
    sourceLocation: location(),
    target,
    targetLocation,
    options: validateCopyOptions({ source: 'orders', target: 'copy', ...flags }),
  };
}

/** The error `run` throws (asserted outside any catch). */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('planCopy: refusals', () => {
  it('the same table: its name, region and endpoint, the target at fault', () => {
    const at = location({ endpoint: 'http://localhost:8000' });
    expect(thrown(() => planCopy({ ...input({}, table(), at), sourceLocation: at }))).toMatchObject({
      message: "Source and target are the same table ('orders' in eu-west-1 at http://localhost:8000).",
      side: 'target',
      hint: 'Copying a table onto itself would delete it. Name another target table, account (profile/role) or region.',
    });
    expect(thrown(() => planCopy(input({}, table(), location())))).toMatchObject({
      message: "Source and target are the same table ('orders' in eu-west-1).",
    });
  });

  it('--data-only without a target, or with other keys', () => {
    expect(thrown(() => planCopy(input({ dataOnly: true }, undefined)))).toMatchObject({
      message: "The target table 'copy' does not exist; --data-only needs it.",
      side: 'target',
      hint: 'Drop --data-only to create it from the source, or check the target name, region and account.',
    });
    const otherKeys = table({
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    });
    expect(thrown(() => planCopy(input({ dataOnly: true }, otherKeys)))).toMatchObject({
      side: 'target',
      hint: 'Items cannot be put into a table with other keys. Drop --data-only to recreate the target.',
    });
  });

  it('a write rate percentage of a target with no capacity blames the target', () => {
    const onDemand = table({ BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' } });
    expect(thrown(() => planCopy(input({ dataOnly: true, writeRate: '50%' }, onDemand)))).toMatchObject({
      message:
        "--write-rate 50% needs the target table's write capacity, but it is on-demand with no maximum set.",
      side: 'target',
      hint: 'Give an absolute rate instead, e.g. --write-rate 1000 (capacity units per second).',
    });
  });
});

describe('planCopy: the plan', () => {
  it('no warnings, the existing target as described, negative or missing counts as 0, the sides carried', () => {
    const sides = {
      source: { region: 'eu-west-1' },
      target: { region: 'eu-west-1', account: '222222222222' },
    };
    const plan = planCopy({
      ...input({ dataOnly: true }, table({ ItemCount: 7, TableSizeBytes: 900 })),
      sides,
    });
    expect(plan.warnings).toEqual([]);
    expect(plan.existingTarget).toEqual({ items: 7, bytes: 900 });
    expect(plan.sides).toEqual(sides);
    const unknown = planCopy(input({ dataOnly: true }, table({ ItemCount: -5, TableSizeBytes: undefined })));
    expect(unknown.existingTarget).toEqual({ items: 0, bytes: 0 });
    expect(unknown).not.toHaveProperty('sides');
    expect(planCopy(input({}, undefined))).not.toHaveProperty('existingTarget');
  });
});

describe('planCopy: the estimate', () => {
  it("the source's read capacity bounds the time, not its write capacity", () => {
    const roomy = table({
      ProvisionedThroughput: { ReadCapacityUnits: 1_000_000, WriteCapacityUnits: 1_000_000 },
    });
    const plan = planCopy(input({ dataOnly: true }, roomy));
    expect(plan.estimate.limitedBy).toBe('source-read-capacity');
    expect(plan.estimate.seconds).toBe(plan.estimate.readUnits / 100);
  });

  it('an on-demand source is read on demand; a summary given as undefined is provisioned', () => {
    const onDemand = table({
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
      ProvisionedThroughput: undefined,
    });
    expect(planCopy({ ...input({}, undefined), source: snapshot(onDemand) }).estimate.cost.reads.mode).toBe(
      'on-demand',
    );
    const noSummary = table({ BillingModeSummary: undefined });
    expect(planCopy({ ...input({}, undefined), source: snapshot(noSummary) }).estimate.cost.reads.mode).toBe(
      'provisioned',
    );
  });

  it("every secondary index of the target may take each item's writes", () => {
    const indexed = (extra: Partial<TableDescription>) =>
      table({
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'g', AttributeType: 'S' },
        ],
        ...extra,
      });
    const gsi = (IndexName: string) => ({
      IndexName,
      KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' as const }],
      Projection: { ProjectionType: 'ALL' as const },
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
    });
    const lsi = {
      IndexName: 'l',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' as const },
        { AttributeName: 'g', KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    };
    const both = planCopy(
      input(
        { dataOnly: true },
        indexed({ GlobalSecondaryIndexes: [gsi('a'), gsi('b')], LocalSecondaryIndexes: [lsi] }),
      ),
    );
    expect(both.estimate.indexWriteUnitsAtMost).toBe(both.estimate.writeUnits * 3);
    const globalOnly = planCopy(
      input({ dataOnly: true }, indexed({ GlobalSecondaryIndexes: [gsi('a'), gsi('b')] })),
    );
    expect(globalOnly.estimate.indexWriteUnitsAtMost).toBe(globalOnly.estimate.writeUnits * 2);
    const localOnly = planCopy(input({ dataOnly: true }, indexed({ LocalSecondaryIndexes: [lsi] })));
    expect(localOnly.estimate.indexWriteUnitsAtMost).toBe(localOnly.estimate.writeUnits);
    expect(localOnly.estimate.writeUnits).toBeGreaterThan(0);
  });
});

describe('isSameTable', () => {
  const arn = 'arn:aws:dynamodb:eu-west-1:111111111111:table/orders';

  it('one ARN known and the other not: the locations decide', () => {
    expect(isSameTable(location({ tableArn: arn }), location())).toBe(true);
    expect(isSameTable(location(), location({ tableArn: arn }))).toBe(true);
  });

  it('an ARN of DynamoDB Local, by its region or by its account, is checked against the locations', () => {
    for (const local of [
      'arn:aws:dynamodb:ddblocal:111111111111:table/orders',
      'arn:aws:dynamodb:eu-west-1:000000000000:table/orders',
    ]) {
      expect(
        isSameTable(location({ tableArn: local }), location({ tableArn: local, accessKeyId: 'other' })),
      ).toBe(false);
      expect(isSameTable(location({ tableArn: local }), location({ tableArn: local }))).toBe(true);
    }
  });

  it('endpoints: other hosts are other servers; a trailing slash of a path changes nothing', () => {
    expect(
      isSameTable(
        location({ endpoint: 'http://a.example:8000' }),
        location({ endpoint: 'http://b.example:8000' }),
      ),
    ).toBe(false);
    expect(
      isSameTable(
        location({ endpoint: 'http://h.example:8000/x' }),
        location({ endpoint: 'http://h.example:8000/x/' }),
      ),
    ).toBe(true);
  });
});

describe('scanPaging', () => {
  it('an empty table: full 1 MB pages of 1 KB items are charged', () => {
    expect(scanPaging(table({ ItemCount: 0, TableSizeBytes: 0 }), false, 4)).toEqual({
      scanLimit: 1024,
      readUnitsPerPage: 128,
    });
    expect(scanPaging(table({ ItemCount: 0, TableSizeBytes: 0 }), true, 4)).toEqual({
      scanLimit: 1024,
      readUnitsPerPage: 256,
    });
  });
});

describe('tableRate', () => {
  const percent = (value: number) => ({ kind: 'percent' as const, percent: value });

  it('no rate is no cap, with or without a table', () => {
    expect(tableRate(undefined, 'target', 'write', undefined)).toBeUndefined();
    expect(() => tableRate(percent(50), 'target', 'write', undefined)).toThrow(InvalidOptionError);
  });

  it('an on-demand table: its maximum of that kind, whatever provisioned capacity it still shows', () => {
    const onDemand = table({
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
      ProvisionedThroughput: { ReadCapacityUnits: 100, WriteCapacityUnits: 40 },
      OnDemandThroughput: { MaxReadRequestUnits: 400, MaxWriteRequestUnits: 200 },
    });
    expect(tableRate(percent(50), 'source', 'read', onDemand)).toBe(200);
    expect(tableRate(percent(50), 'target', 'write', onDemand)).toBe(100);
    const created = {
      BillingMode: 'PAY_PER_REQUEST' as const,
      OnDemandThroughput: { MaxWriteRequestUnits: 60 },
    };
    expect(tableRate(percent(50), 'target', 'write', created as never)).toBe(30);
  });

  it('a described table without a billing summary is provisioned', () => {
    expect(tableRate(percent(10), 'source', 'read', table({ BillingModeSummary: undefined }))).toBe(10);
    expect(tableRate(percent(10), 'target', 'write', table({ BillingModeSummary: undefined }))).toBe(4);
  });

  it('no provisioned throughput, 0 or -1 capacity, a -1 or 0 maximum: no capacity to take a share of', () => {
    for (const description of [
      table({ ProvisionedThroughput: undefined }),
      table({ ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0 } }),
      table({ ProvisionedThroughput: { ReadCapacityUnits: -1, WriteCapacityUnits: -1 } }),
      table({
        BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
        OnDemandThroughput: { MaxReadRequestUnits: -1, MaxWriteRequestUnits: -1 },
      }),
      table({
        BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
        OnDemandThroughput: { MaxReadRequestUnits: 0, MaxWriteRequestUnits: 0 },
      }),
    ]) {
      expect(() => tableRate(percent(50), 'source', 'read', description)).toThrow(InvalidOptionError);
      expect(() => tableRate(percent(50), 'target', 'write', description)).toThrow(InvalidOptionError);
    }
  });

  it('0 provisioned capacity falls back to an on-demand maximum', () => {
    const description = table({
      ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
      OnDemandThroughput: { MaxReadRequestUnits: 80, MaxWriteRequestUnits: 60 },
    });
    expect(tableRate(percent(50), 'source', 'read', description)).toBe(40);
  });
});
