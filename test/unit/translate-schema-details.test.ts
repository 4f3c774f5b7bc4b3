/**
 * translateSchema's details (src/plan/translate-schema.ts) beyond schema.test.ts's scenarios: the
 * capacity refusals' messages, sides and hints, a capacity of exactly 1, the warnings' exact words,
 * streams without a view type, projections without a type, KMS states, vector indexes, and TTL
 * without an attribute name.
 */
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  type SchemaOptions,
  type SkippableSetting,
  translateSchema,
} from '../../src/plan/translate-schema.js';
import type { TableSnapshot } from '../../src/stores/types.js';

function table(extra: Partial<TableDescription> = {}): TableDescription {
  return {
    TableName: 't',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    BillingModeSummary: { BillingMode: 'PROVISIONED' },
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    ...extra,
  };
}

function snapshot(description: TableDescription, extra: Partial<TableSnapshot> = {}): TableSnapshot {
  return {
    table: description,
    timeToLive: { TimeToLiveStatus: 'DISABLED' },
    continuousBackups: { ContinuousBackupsStatus: 'ENABLED' },
    tags: [],
    ...extra,
  };
}

const options = (extra: Partial<SchemaOptions> = {}): SchemaOptions => ({
  targetTableName: 'copy',
  skip: new Set<SkippableSetting>(),
  ...extra,
});

/** The error `run` throws (asserted outside any catch). */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

const onDemand = table({
  BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
  ProvisionedThroughput: undefined,
});

describe('translateSchema: capacity options', () => {
  it('a capacity that is not a whole number of at least 1 is refused, naming the flag; 1 is taken', () => {
    for (const [flag, extra] of [
      ['--read-capacity', { readCapacity: 0 }],
      ['--write-capacity', { writeCapacity: 1.5 }],
    ] as const) {
      const value = Object.values(extra)[0];
      expect(thrown(() => translateSchema(snapshot(table()), options(extra)))).toMatchObject({
        message: `${flag} must be a whole number of at least 1, not ${value}`,
        side: 'target',
        hint: `Pass ${flag} with a positive integer.`,
      });
    }
    expect(
      translateSchema(snapshot(table()), options({ readCapacity: 1, writeCapacity: 1 })).createTable
        .ProvisionedThroughput,
    ).toEqual({ ReadCapacityUnits: 1, WriteCapacityUnits: 1 });
  });

  it('a capacity for an on-demand target: the hint depends on where on-demand comes from', () => {
    expect(
      thrown(() =>
        translateSchema(snapshot(table()), options({ billingMode: 'PAY_PER_REQUEST', readCapacity: 3 })),
      ),
    ).toMatchObject({
      message: '--read-capacity and --write-capacity need a provisioned target table',
      side: 'target',
      hint: 'Drop --read-capacity/--write-capacity, or use --billing-mode provisioned.',
    });
    expect(thrown(() => translateSchema(snapshot(onDemand), options({ writeCapacity: 3 })))).toMatchObject({
      side: 'target',
      hint: 'The source table is on-demand; add --billing-mode provisioned to give the target capacity.',
    });
  });

  it('a provisioned target from an on-demand source needs both capacities', () => {
    expect(
      thrown(() =>
        translateSchema(snapshot(onDemand), options({ billingMode: 'PROVISIONED', readCapacity: 3 })),
      ),
    ).toMatchObject({
      message: 'a provisioned target from an on-demand source needs both read and write capacity',
      side: 'target',
    });
  });

  it('a described capacity of exactly 1 is kept without a warning; none or 0 becomes 1 with one', () => {
    const one = translateSchema(
      snapshot(table({ ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } })),
      options(),
    );
    expect(one.createTable.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 1, WriteCapacityUnits: 1 });
    expect(one.warnings).toEqual([]);
    const broken = translateSchema(
      snapshot(table({ ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: undefined } })),
      options(),
    );
    expect(broken.warnings).toEqual([
      'source reports 0 read capacity for the table although it is provisioned; using 1 (set --read-capacity to choose)',
      'source reports no write capacity for the table although it is provisioned; using 1 (set --write-capacity to choose)',
    ]);
  });

  it('a described capacity that is not a whole number becomes 1', () => {
    const result = translateSchema(
      snapshot(table({ ProvisionedThroughput: { ReadCapacityUnits: 1.5, WriteCapacityUnits: 2 } })),
      options(),
    );
    expect(result.createTable.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 1, WriteCapacityUnits: 2 });
  });

  it('a description without key schemas or attribute definitions gives empty ones', () => {
    const result = translateSchema(
      snapshot(
        table({
          KeySchema: undefined,
          AttributeDefinitions: undefined,
          BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
          GlobalSecondaryIndexes: [{ IndexName: 'g', Projection: { ProjectionType: 'ALL' } }],
        }),
      ),
      options(),
    );
    expect(result.createTable.KeySchema).toStrictEqual([]);
    expect(result.createTable.AttributeDefinitions).toStrictEqual([]);
    expect(result.createTable.GlobalSecondaryIndexes![0]!.KeySchema).toStrictEqual([]);
  });

  it('without attribute definitions, a key element without a name gets no definition', () => {
    const result = translateSchema(
      snapshot(table({ KeySchema: [{ KeyType: 'HASH' } as never], AttributeDefinitions: undefined })),
      options(),
    );
    expect(result.createTable.AttributeDefinitions).toStrictEqual([]);
  });

  it('on-demand and warm throughput of exactly 1 are kept', () => {
    const result = translateSchema(
      snapshot(
        table({
          BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
          OnDemandThroughput: { MaxReadRequestUnits: 1, MaxWriteRequestUnits: 1 },
          WarmThroughput: { ReadUnitsPerSecond: 1, WriteUnitsPerSecond: 1, Status: 'ACTIVE' },
        }),
      ),
      options(),
    );
    expect(result.createTable.OnDemandThroughput).toEqual({
      MaxReadRequestUnits: 1,
      MaxWriteRequestUnits: 1,
    });
    expect(result.createTable.WarmThroughput).toEqual({ ReadUnitsPerSecond: 1, WriteUnitsPerSecond: 1 });
  });

  it('a provisioned target does not get the on-demand maxima', () => {
    const result = translateSchema(
      snapshot(table({ OnDemandThroughput: { MaxReadRequestUnits: 9, MaxWriteRequestUnits: 9 } })),
      options(),
    );
    expect(result.createTable).not.toHaveProperty('OnDemandThroughput');
  });
});

describe('translateSchema: what is copied as described', () => {
  it('a stream without a view type, an index projection without a type', () => {
    const result = translateSchema(
      snapshot(
        table({
          BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
          StreamSpecification: { StreamEnabled: true },
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'g', AttributeType: 'S' },
          ],
          GlobalSecondaryIndexes: [
            { IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: {} },
            {
              IndexName: 'noProjection',
              KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
            },
          ],
        }),
      ),
      options(),
    );
    expect(result.createTable.StreamSpecification).toStrictEqual({ StreamEnabled: true });
    expect(result.createTable.GlobalSecondaryIndexes!.map((index) => index.Projection)).toStrictEqual([
      {},
      {},
    ]);
  });

  it('KMS encryption being disabled is not copied; enabling or updating is', () => {
    for (const Status of ['DISABLED', 'DISABLING'] as const) {
      const result = translateSchema(
        snapshot(table({ SSEDescription: { SSEType: 'KMS', Status } })),
        options(),
      );
      expect(result.createTable).not.toHaveProperty('SSESpecification');
    }
    for (const Status of ['ENABLED', 'ENABLING', 'UPDATING'] as const) {
      const result = translateSchema(
        snapshot(table({ SSEDescription: { SSEType: 'KMS', Status } })),
        options(),
      );
      expect(result.createTable.SSESpecification).toEqual({ Enabled: true, SSEType: 'KMS' });
    }
    const aes = translateSchema(
      snapshot(table({ SSEDescription: { SSEType: 'AES256', Status: 'ENABLED' } })),
      options(),
    );
    expect(aes.createTable).not.toHaveProperty('SSESpecification');
  });

  it("a source key's warning names the key and the alias the target uses", () => {
    const result = translateSchema(
      snapshot(
        table({
          SSEDescription: { SSEType: 'KMS', Status: 'ENABLED', KMSMasterKeyArn: 'arn:aws:kms:r:1:key/k' },
        }),
      ),
      options(),
    );
    expect(result.warnings).toEqual([
      'source is encrypted with KMS key arn:aws:kms:r:1:key/k, which belongs to the source account and cannot be used by ' +
        "the target; the target will use its account's AWS managed key (alias/aws/dynamodb). " +
        'Pass --sse-kms-key-id to choose a key of the target account.',
    ]);
  });
});

describe('translateSchema: warnings about what is not copied', () => {
  it('replicas and vector indexes, named; a name missing is a ?', () => {
    const result = translateSchema(
      snapshot(
        table({
          Replicas: [{ RegionName: 'eu-west-1' }, {}],
          VectorIndexes: [{ IndexName: 'vec' }, {}],
        } as Partial<TableDescription>),
      ),
      options(),
    );
    expect(result.warnings).toEqual([
      'source is a global table (replicas: eu-west-1, ?); the target is created as a single-Region table',
      'vector indexes are not copied: vec, ?',
    ]);
  });

  it('TTL enabled without an attribute name is not enabled, and says so', () => {
    const result = translateSchema(
      snapshot(table(), { timeToLive: { TimeToLiveStatus: 'ENABLED' } }),
      options(),
    );
    expect(result.lateSettings).toEqual([]);
    expect(result.warnings).toEqual([
      'source reports time to live enabled but no attribute name; it will not be enabled',
    ]);
  });

  it('reserved tags are named in the warning; the others are copied', () => {
    const result = translateSchema(
      snapshot(table(), {
        tags: [
          { Key: 'aws:cloudformation:stack-name', Value: 's' },
          { Key: 'aws:x', Value: 'y' },
          { Key: 'team', Value: 'a' },
        ],
      }),
      options(),
    );
    expect(result.warnings).toEqual([
      'tags reserved by AWS are not copied: aws:cloudformation:stack-name, aws:x',
    ]);
    expect(result.lateSettings).toEqual([{ kind: 'tags', tags: [{ Key: 'team', Value: 'a' }] }]);
  });
});
