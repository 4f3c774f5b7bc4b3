import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { describeKeySchema, keyAttributeNames, keySchemasMatch } from '../../src/model/key-schema.js';
import {
  type SchemaOptions,
  SKIPPABLE_SETTINGS,
  type SkippableSetting,
  translateSchema,
} from '../../src/plan/translate-schema.js';
import type { TableSnapshot } from '../../src/stores/types.js';
import { UNSUPPORTED } from '../../src/stores/types.js';

function snapshot(table: TableDescription, extra: Partial<TableSnapshot> = {}): TableSnapshot {
  return {
    table,
    timeToLive: { TimeToLiveStatus: 'DISABLED' },
    continuousBackups: {
      ContinuousBackupsStatus: 'ENABLED',
      PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' },
    },
    tags: [],
    ...extra,
  };
}

function options(extra: Partial<SchemaOptions> = {}): SchemaOptions {
  return { targetTableName: 'target', skip: new Set<SkippableSetting>(), ...extra };
}

const provisionedTable: TableDescription = {
  TableName: 'orders',
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'N' },
    { AttributeName: 'g1', AttributeType: 'S' },
    { AttributeName: 'g2', AttributeType: 'B' },
  ],
  ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 5, NumberOfDecreasesToday: 0 },
  GlobalSecondaryIndexes: [
    {
      IndexName: 'byG1',
      KeySchema: [{ AttributeName: 'g1', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'ALL' },
      ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 3 },
    },
    {
      IndexName: 'byG2',
      KeySchema: [
        { AttributeName: 'g2', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
      ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 4 },
    },
  ],
};

const onDemandTable: TableDescription = {
  TableName: 'events',
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  AttributeDefinitions: [
    { AttributeName: 'id', AttributeType: 'S' },
    { AttributeName: 'kind', AttributeType: 'S' },
  ],
  BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
  // DescribeTable reports 0/0 for on-demand tables and their indexes.
  ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0, NumberOfDecreasesToday: 0 },
  GlobalSecondaryIndexes: [
    {
      IndexName: 'byKind',
      KeySchema: [{ AttributeName: 'kind', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['a', 'b'] },
      ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
    },
  ],
};

function hasKeyDeep(value: unknown, key: string): boolean {
  if (Array.isArray(value)) return value.some((element) => hasKeyDeep(element, key));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) => k === key || hasKeyDeep(v, key));
  }
  return false;
}

describe('translateSchema', () => {
  it('recreates a provisioned table with GSIs of distinct capacities', () => {
    const result = translateSchema(snapshot(provisionedTable), options());
    expect(result.createTable).toStrictEqual({
      TableName: 'target',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
        { AttributeName: 'g1', AttributeType: 'S' },
        { AttributeName: 'g2', AttributeType: 'B' },
      ],
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 5 },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byG1',
          KeySchema: [{ AttributeName: 'g1', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
          ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 3 },
        },
        {
          IndexName: 'byG2',
          KeySchema: [
            { AttributeName: 'g2', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
          ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 4 },
        },
      ],
    });
    expect(result.lateSettings).toStrictEqual([]);
    expect(result.warnings).toStrictEqual([]);
  });

  it('treats an absent BillingModeSummary as provisioned (DynamoDB Local)', () => {
    const result = translateSchema(snapshot(provisionedTable), options());
    expect(result.createTable.BillingMode).toBe('PROVISIONED');
  });

  it('recreates an on-demand table with no ProvisionedThroughput anywhere', () => {
    const result = translateSchema(snapshot(onDemandTable), options());
    expect(result.createTable).toStrictEqual({
      TableName: 'target',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        { AttributeName: 'kind', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byKind',
          KeySchema: [{ AttributeName: 'kind', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['a', 'b'] },
        },
      ],
    });
    expect(hasKeyDeep(result.createTable, 'ProvisionedThroughput')).toBe(false);
    expect(result.warnings).toStrictEqual([]);
  });

  it('copies on-demand maximums and warm throughput, dropping the -1 "no maximum" and Status', () => {
    const table: TableDescription = {
      ...onDemandTable,
      OnDemandThroughput: { MaxReadRequestUnits: 500, MaxWriteRequestUnits: -1 },
      WarmThroughput: { ReadUnitsPerSecond: 15000, WriteUnitsPerSecond: 5000, Status: 'ACTIVE' },
      GlobalSecondaryIndexes: [
        {
          ...onDemandTable.GlobalSecondaryIndexes![0]!,
          OnDemandThroughput: { MaxReadRequestUnits: 100, MaxWriteRequestUnits: 50 },
          WarmThroughput: { ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 4000, Status: 'ACTIVE' },
        },
      ],
    };
    const { createTable } = translateSchema(snapshot(table), options());
    expect(createTable.OnDemandThroughput).toStrictEqual({ MaxReadRequestUnits: 500 });
    expect(createTable.WarmThroughput).toStrictEqual({
      ReadUnitsPerSecond: 15000,
      WriteUnitsPerSecond: 5000,
    });
    expect(createTable.GlobalSecondaryIndexes![0]).toStrictEqual({
      IndexName: 'byKind',
      KeySchema: [{ AttributeName: 'kind', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['a', 'b'] },
      OnDemandThroughput: { MaxReadRequestUnits: 100, MaxWriteRequestUnits: 50 },
      WarmThroughput: { ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 4000 },
    });
  });

  it('omits an on-demand maximum of -1/-1 entirely', () => {
    const table = {
      ...onDemandTable,
      OnDemandThroughput: { MaxReadRequestUnits: -1, MaxWriteRequestUnits: -1 },
    };
    expect(translateSchema(snapshot(table), options()).createTable).not.toHaveProperty('OnDemandThroughput');
  });

  it('copies ALL, KEYS_ONLY and INCLUDE projections, with NonKeyAttributes only for INCLUDE', () => {
    const table: TableDescription = {
      ...onDemandTable,
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        { AttributeName: 'kind', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'all',
          KeySchema: [{ AttributeName: 'kind', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'keys',
          KeySchema: [{ AttributeName: 'kind', KeyType: 'HASH' }],
          // A stray NonKeyAttributes must not be sent with KEYS_ONLY: CreateTable rejects it.
          Projection: { ProjectionType: 'KEYS_ONLY', NonKeyAttributes: ['x'] },
        },
        {
          IndexName: 'include',
          KeySchema: [{ AttributeName: 'kind', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['x', 'y'] },
        },
      ],
    };
    const indexes = translateSchema(snapshot(table), options()).createTable.GlobalSecondaryIndexes!;
    expect(indexes.map((index) => index.Projection)).toStrictEqual([
      { ProjectionType: 'ALL' },
      { ProjectionType: 'KEYS_ONLY' },
      { ProjectionType: 'INCLUDE', NonKeyAttributes: ['x', 'y'] },
    ]);
  });

  it('recreates local secondary indexes and defines their sort keys', () => {
    const table: TableDescription = {
      ...onDemandTable,
      KeySchema: [
        { AttributeName: 'id', KeyType: 'HASH' },
        { AttributeName: 'ts', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        { AttributeName: 'ts', AttributeType: 'N' },
        { AttributeName: 'l1', AttributeType: 'S' },
        { AttributeName: 'unused', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: undefined,
      LocalSecondaryIndexes: [
        {
          IndexName: 'byL1',
          KeySchema: [
            { AttributeName: 'id', KeyType: 'HASH' },
            { AttributeName: 'l1', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['c'] },
          IndexSizeBytes: 10,
          ItemCount: 1,
          IndexArn: 'arn:aws:dynamodb:eu-west-1:111111111111:table/events/index/byL1',
        },
      ],
    };
    const { createTable } = translateSchema(snapshot(table), options());
    expect(createTable.LocalSecondaryIndexes).toStrictEqual([
      {
        IndexName: 'byL1',
        KeySchema: [
          { AttributeName: 'id', KeyType: 'HASH' },
          { AttributeName: 'l1', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['c'] },
      },
    ]);
    expect(createTable.AttributeDefinitions).toStrictEqual([
      { AttributeName: 'id', AttributeType: 'S' },
      { AttributeName: 'ts', AttributeType: 'N' },
      { AttributeName: 'l1', AttributeType: 'S' },
    ]);
    expect(createTable).not.toHaveProperty('GlobalSecondaryIndexes');
  });

  it('does not recreate a GSI the source is deleting, and says so', () => {
    const table: TableDescription = {
      ...provisionedTable,
      GlobalSecondaryIndexes: [
        { ...provisionedTable.GlobalSecondaryIndexes![0]!, IndexStatus: 'ACTIVE' },
        { ...provisionedTable.GlobalSecondaryIndexes![1]!, IndexStatus: 'DELETING' },
      ],
    };
    const result = translateSchema(snapshot(table), options());
    expect(result.createTable.GlobalSecondaryIndexes!.map((index) => index.IndexName)).toStrictEqual([
      'byG1',
    ]);
    expect(result.createTable.AttributeDefinitions!.map((d) => d.AttributeName)).toStrictEqual([
      'pk',
      'sk',
      'g1',
    ]);
    expect(result.warnings).toStrictEqual([
      'global secondary index byG2 is being deleted on the source; not created',
    ]);
  });

  describe('streams', () => {
    const streamed: TableDescription = {
      ...onDemandTable,
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      LatestStreamArn: 'arn:aws:dynamodb:eu-west-1:111111111111:table/events/stream/2026-01-01T00:00:00.000',
      LatestStreamLabel: '2026-01-01T00:00:00.000',
    };

    it('enables the stream with the same view type', () => {
      expect(translateSchema(snapshot(streamed), options()).createTable.StreamSpecification).toStrictEqual({
        StreamEnabled: true,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      });
    });

    it('leaves it out when skipped or disabled', () => {
      const skipped = translateSchema(snapshot(streamed), options({ skip: new Set(['streams']) }));
      expect(skipped.createTable).not.toHaveProperty('StreamSpecification');
      const disabled = { ...onDemandTable, StreamSpecification: { StreamEnabled: false } };
      expect(translateSchema(snapshot(disabled), options()).createTable).not.toHaveProperty(
        'StreamSpecification',
      );
    });
  });

  describe('late settings', () => {
    const full = snapshot(onDemandTable, {
      timeToLive: { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' },
      continuousBackups: {
        ContinuousBackupsStatus: 'ENABLED',
        PointInTimeRecoveryDescription: {
          PointInTimeRecoveryStatus: 'ENABLED',
          RecoveryPeriodInDays: 14,
          EarliestRestorableDateTime: new Date(0),
          LatestRestorableDateTime: new Date(0),
        },
      },
      tags: [
        { Key: 'team', Value: 'payments' },
        { Key: 'env', Value: 'prod' },
      ],
    });

    it('lists TTL, PITR and tags in that order', () => {
      const result = translateSchema(full, options());
      expect(result.lateSettings).toStrictEqual([
        { kind: 'ttl', attributeName: 'expiresAt' },
        { kind: 'pitr', recoveryPeriodInDays: 14 },
        {
          kind: 'tags',
          tags: [
            { Key: 'team', Value: 'payments' },
            { Key: 'env', Value: 'prod' },
          ],
        },
      ]);
      expect(result.warnings).toStrictEqual([]);
    });

    it('treats ENABLING TTL as enabled and PITR without a period as the default', () => {
      const result = translateSchema(
        snapshot(onDemandTable, {
          timeToLive: { TimeToLiveStatus: 'ENABLING', AttributeName: 'ttl' },
          continuousBackups: {
            ContinuousBackupsStatus: 'ENABLED',
            PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'ENABLED' },
          },
        }),
        options(),
      );
      expect(result.lateSettings).toStrictEqual([{ kind: 'ttl', attributeName: 'ttl' }, { kind: 'pitr' }]);
    });

    it('adds nothing for disabled TTL and PITR or no tags', () => {
      const result = translateSchema(
        snapshot(onDemandTable, {
          timeToLive: { TimeToLiveStatus: 'DISABLING', AttributeName: 'ttl' },
          continuousBackups: { ContinuousBackupsStatus: 'DISABLED' },
          tags: [],
        }),
        options(),
      );
      expect(result.lateSettings).toStrictEqual([]);
      expect(result.warnings).toStrictEqual([]);
    });

    it('skips what the skip set names', () => {
      expect(translateSchema(full, options({ skip: new Set(['ttl', 'tags']) })).lateSettings).toStrictEqual([
        { kind: 'pitr', recoveryPeriodInDays: 14 },
      ]);
      expect(
        translateSchema(full, options({ skip: new Set(SKIPPABLE_SETTINGS) })).lateSettings,
      ).toStrictEqual([]);
    });

    it('warns, without failing, when the source endpoint cannot report a setting', () => {
      const local = snapshot(onDemandTable, {
        timeToLive: UNSUPPORTED,
        continuousBackups: UNSUPPORTED,
        tags: UNSUPPORTED,
      });
      const result = translateSchema(local, options());
      expect(result.lateSettings).toStrictEqual([]);
      expect(result.warnings).toStrictEqual([
        'source endpoint does not report time to live; it will not be enabled',
        'source endpoint does not report point-in-time recovery; it will not be enabled',
        'source endpoint does not report tags; none will be copied',
      ]);
    });

    it('does not warn about an unsupported setting the user skipped', () => {
      const local = snapshot(onDemandTable, { continuousBackups: UNSUPPORTED, tags: UNSUPPORTED });
      const result = translateSchema(local, options({ skip: new Set(['pitr', 'tags']) }));
      expect(result.warnings).toStrictEqual([]);
    });

    it('does not copy tags reserved by AWS', () => {
      const result = translateSchema(
        snapshot(onDemandTable, {
          tags: [
            { Key: 'aws:cloudformation:stack-name', Value: 'stack' },
            { Key: 'team', Value: 'payments' },
          ],
        }),
        options(),
      );
      expect(result.lateSettings).toStrictEqual([
        { kind: 'tags', tags: [{ Key: 'team', Value: 'payments' }] },
      ]);
      expect(result.warnings).toStrictEqual([
        'tags reserved by AWS are not copied: aws:cloudformation:stack-name',
      ]);
    });
  });

  describe('server-side encryption', () => {
    const customerKey = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const kmsTable: TableDescription = {
      ...onDemandTable,
      SSEDescription: { Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: customerKey },
    };

    it('uses the target account AWS managed key for a KMS source, warning about the source key', () => {
      const result = translateSchema(snapshot(kmsTable), options());
      expect(result.createTable.SSESpecification).toStrictEqual({ Enabled: true, SSEType: 'KMS' });
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings[0]).toContain(customerKey);
      expect(result.warnings[0]).toContain('--sse-kms-key-id');
    });

    it('does not warn when the source key is the AWS managed alias', () => {
      const table: TableDescription = {
        ...onDemandTable,
        SSEDescription: {
          Status: 'ENABLED',
          SSEType: 'KMS',
          KMSMasterKeyArn: 'arn:aws:kms:eu-west-1:111111111111:alias/aws/dynamodb',
        },
      };
      const result = translateSchema(snapshot(table), options());
      expect(result.createTable.SSESpecification).toStrictEqual({ Enabled: true, SSEType: 'KMS' });
      expect(result.warnings).toStrictEqual([]);
    });

    it('uses --sse-kms-key-id for a KMS source, without a warning', () => {
      const result = translateSchema(snapshot(kmsTable), options({ sseKmsKeyId: 'alias/target-key' }));
      expect(result.createTable.SSESpecification).toStrictEqual({
        Enabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: 'alias/target-key',
      });
      expect(result.warnings).toStrictEqual([]);
    });

    it('uses --sse-kms-key-id for a source on the AWS owned key', () => {
      const result = translateSchema(snapshot(onDemandTable), options({ sseKmsKeyId: 'key-id' }));
      expect(result.createTable.SSESpecification).toStrictEqual({
        Enabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: 'key-id',
      });
    });

    it('leaves SSE out (AWS owned key) when the source does not use KMS', () => {
      expect(translateSchema(snapshot(onDemandTable), options()).createTable).not.toHaveProperty(
        'SSESpecification',
      );
      const aes = {
        ...onDemandTable,
        SSEDescription: { Status: 'ENABLED' as const, SSEType: 'AES256' as const },
      };
      expect(translateSchema(snapshot(aes), options()).createTable).not.toHaveProperty('SSESpecification');
    });
  });

  it('copies a non-standard table class only', () => {
    const ia = { ...onDemandTable, TableClassSummary: { TableClass: 'STANDARD_INFREQUENT_ACCESS' as const } };
    expect(translateSchema(snapshot(ia), options()).createTable.TableClass).toBe(
      'STANDARD_INFREQUENT_ACCESS',
    );
    const standard = { ...onDemandTable, TableClassSummary: { TableClass: 'STANDARD' as const } };
    expect(translateSchema(snapshot(standard), options()).createTable).not.toHaveProperty('TableClass');
  });

  it('copies deletion protection unless skipped', () => {
    const protectedTable = { ...onDemandTable, DeletionProtectionEnabled: true };
    expect(translateSchema(snapshot(protectedTable), options()).createTable.DeletionProtectionEnabled).toBe(
      true,
    );
    const skipped = translateSchema(
      snapshot(protectedTable),
      options({ skip: new Set(['deletion-protection']) }),
    );
    expect(skipped.createTable).not.toHaveProperty('DeletionProtectionEnabled');
    const unprotected = { ...onDemandTable, DeletionProtectionEnabled: false };
    expect(translateSchema(snapshot(unprotected), options()).createTable).not.toHaveProperty(
      'DeletionProtectionEnabled',
    );
  });

  it('warns and uses 1 when a provisioned source reports 0 or no capacity', () => {
    const table: TableDescription = {
      ...provisionedTable,
      ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 5 },
      GlobalSecondaryIndexes: [
        { ...provisionedTable.GlobalSecondaryIndexes![0]!, ProvisionedThroughput: undefined },
      ],
    };
    const result = translateSchema(snapshot(table), options());
    expect(result.createTable.ProvisionedThroughput).toStrictEqual({
      ReadCapacityUnits: 1,
      WriteCapacityUnits: 5,
    });
    expect(result.createTable.GlobalSecondaryIndexes![0]!.ProvisionedThroughput).toStrictEqual({
      ReadCapacityUnits: 1,
      WriteCapacityUnits: 1,
    });
    expect(result.warnings).toHaveLength(3);
    expect(result.warnings[0]).toContain('0 read capacity for the table');
    expect(result.warnings[1]).toContain('global secondary index byG1');
  });

  describe('capacity overrides', () => {
    it('PAY_PER_REQUEST drops every ProvisionedThroughput', () => {
      const result = translateSchema(snapshot(provisionedTable), options({ billingMode: 'PAY_PER_REQUEST' }));
      expect(result.createTable.BillingMode).toBe('PAY_PER_REQUEST');
      expect(hasKeyDeep(result.createTable, 'ProvisionedThroughput')).toBe(false);
      expect(result.createTable.GlobalSecondaryIndexes).toHaveLength(2);
    });

    it('PROVISIONED from an on-demand source applies the given capacity to the table and every GSI', () => {
      const result = translateSchema(
        snapshot(onDemandTable),
        options({ billingMode: 'PROVISIONED', readCapacity: 20, writeCapacity: 8 }),
      );
      expect(result.createTable.BillingMode).toBe('PROVISIONED');
      expect(result.createTable.ProvisionedThroughput).toStrictEqual({
        ReadCapacityUnits: 20,
        WriteCapacityUnits: 8,
      });
      expect(result.createTable.GlobalSecondaryIndexes![0]).toStrictEqual({
        IndexName: 'byKind',
        KeySchema: [{ AttributeName: 'kind', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['a', 'b'] },
        ProvisionedThroughput: { ReadCapacityUnits: 20, WriteCapacityUnits: 8 },
      });
      expect(result.warnings).toStrictEqual([]);
    });

    it('PROVISIONED from an on-demand source without both capacities is an option error', () => {
      for (const extra of [{}, { readCapacity: 5 }, { writeCapacity: 5 }]) {
        const attempt = () =>
          translateSchema(snapshot(onDemandTable), options({ billingMode: 'PROVISIONED', ...extra }));
        expect(attempt).toThrow(InvalidOptionError);
        expect(attempt).toThrow(
          expect.objectContaining({
            hint: expect.stringMatching(/--read-capacity.*--write-capacity/),
            exitCode: 2,
          }),
        );
      }
    });

    it('read/write capacity override a provisioned source table and its GSIs, one at a time', () => {
      const result = translateSchema(snapshot(provisionedTable), options({ readCapacity: 50 }));
      expect(result.createTable.ProvisionedThroughput).toStrictEqual({
        ReadCapacityUnits: 50,
        WriteCapacityUnits: 5,
      });
      expect(
        result.createTable.GlobalSecondaryIndexes!.map((index) => index.ProvisionedThroughput),
      ).toStrictEqual([
        { ReadCapacityUnits: 50, WriteCapacityUnits: 3 },
        { ReadCapacityUnits: 50, WriteCapacityUnits: 4 },
      ]);
      const both = translateSchema(
        snapshot(provisionedTable),
        options({ readCapacity: 50, writeCapacity: 60 }),
      );
      expect(
        both.createTable.GlobalSecondaryIndexes!.map((index) => index.ProvisionedThroughput),
      ).toStrictEqual([
        { ReadCapacityUnits: 50, WriteCapacityUnits: 60 },
        { ReadCapacityUnits: 50, WriteCapacityUnits: 60 },
      ]);
    });

    it('capacity with an on-demand target is an option error', () => {
      expect(() => translateSchema(snapshot(onDemandTable), options({ readCapacity: 5 }))).toThrow(
        InvalidOptionError,
      );
      expect(() =>
        translateSchema(
          snapshot(provisionedTable),
          options({ billingMode: 'PAY_PER_REQUEST', readCapacity: 5, writeCapacity: 5 }),
        ),
      ).toThrow(/provisioned target/);
    });

    it('rejects capacity that is not a positive whole number', () => {
      for (const readCapacity of [0, -1, 1.5, Number.NaN]) {
        expect(() => translateSchema(snapshot(provisionedTable), options({ readCapacity }))).toThrow(
          InvalidOptionError,
        );
      }
    });
  });

  it('builds the input from an allow-list: unknown and read-only fields never reach CreateTable', () => {
    const noisy = {
      TableName: 'orders',
      TableArn: 'arn:aws:dynamodb:eu-west-1:111111111111:table/orders',
      TableId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      TableStatus: 'ACTIVE',
      CreationDateTime: new Date(0),
      ItemCount: 42,
      TableSizeBytes: 4200,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH', Extra: 'x' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S', Extra: 'x' }],
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST', LastUpdateToPayPerRequestDateTime: new Date(0) },
      ProvisionedThroughput: {
        ReadCapacityUnits: 0,
        WriteCapacityUnits: 0,
        NumberOfDecreasesToday: 0,
        LastIncreaseDateTime: new Date(0),
      },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL', Extra: 'x' },
          IndexStatus: 'ACTIVE',
          Backfilling: false,
          ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0, NumberOfDecreasesToday: 0 },
          IndexSizeBytes: 1,
          ItemCount: 1,
          IndexArn: 'arn:aws:dynamodb:eu-west-1:111111111111:table/orders/index/gsi',
          MadeUpIndexField: { nested: true },
        },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY', Extra: 'x' },
      LatestStreamLabel: 'label',
      LatestStreamArn: 'arn:aws:dynamodb:eu-west-1:111111111111:table/orders/stream/label',
      GlobalTableVersion: '2019.11.21',
      Replicas: [{ RegionName: 'us-east-1', ReplicaStatus: 'ACTIVE' }],
      RestoreSummary: { SourceTableArn: 'arn', RestoreDateTime: new Date(0), RestoreInProgress: false },
      SSEDescription: {
        Status: 'ENABLED',
        SSEType: 'KMS',
        KMSMasterKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/abc',
        InaccessibleEncryptionDateTime: new Date(0),
      },
      ArchivalSummary: { ArchivalReason: 'x' },
      TableClassSummary: { TableClass: 'STANDARD', LastUpdateDateTime: new Date(0) },
      DeletionProtectionEnabled: false,
      DisassociationProtectionEnabled: true,
      MultiRegionConsistency: 'EVENTUAL',
      MadeUpTableField: 'surprise',
    } as unknown as TableDescription;

    const result = translateSchema(snapshot(noisy), options());
    expect(result.createTable).toStrictEqual({
      TableName: 'target',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
      SSESpecification: { Enabled: true, SSEType: 'KMS' },
    });
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings[0]).toContain('arn:aws:kms:eu-west-1:111111111111:key/abc');
    expect(result.warnings[1]).toBe(
      'source is a global table (replicas: us-east-1); the target is created as a single-Region table',
    );
  });

  it('does not share arrays or objects with the source description', () => {
    const source = snapshot(onDemandTable, { tags: [{ Key: 'a', Value: 'b' }] });
    const result = translateSchema(source, options());
    const gsi = result.createTable.GlobalSecondaryIndexes![0]!;
    expect(gsi.Projection!.NonKeyAttributes).not.toBe(
      onDemandTable.GlobalSecondaryIndexes![0]!.Projection!.NonKeyAttributes,
    );
    expect(gsi.KeySchema![0]).not.toBe(onDemandTable.GlobalSecondaryIndexes![0]!.KeySchema![0]);
    const tags = result.lateSettings[0]!;
    expect(tags.kind === 'tags' && tags.tags[0]).not.toBe((source.tags as unknown[])[0]);
  });
});

describe('key schema helpers', () => {
  it('describes the key schema hash first', () => {
    expect(describeKeySchema(provisionedTable)).toBe('pk (S) HASH, sk (N) RANGE');
    expect(describeKeySchema(onDemandTable)).toBe('id (S) HASH');
    const reversed = { ...provisionedTable, KeySchema: [...provisionedTable.KeySchema!].reverse() };
    expect(describeKeySchema(reversed)).toBe('pk (S) HASH, sk (N) RANGE');
  });

  it('lists key attribute names hash first', () => {
    expect(keyAttributeNames(provisionedTable)).toStrictEqual(['pk', 'sk']);
    expect(
      keyAttributeNames({ ...provisionedTable, KeySchema: [...provisionedTable.KeySchema!].reverse() }),
    ).toStrictEqual(['pk', 'sk']);
  });

  it('matches key schemas on names, key types and attribute types only', () => {
    const other: TableDescription = {
      TableName: 'elsewhere',
      KeySchema: [
        { AttributeName: 'sk', KeyType: 'RANGE' },
        { AttributeName: 'pk', KeyType: 'HASH' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'sk', AttributeType: 'N' },
        { AttributeName: 'pk', AttributeType: 'S' },
      ],
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    };
    expect(keySchemasMatch(provisionedTable, other)).toBe(true);

    const wrongType = {
      ...other,
      AttributeDefinitions: [
        { AttributeName: 'sk', AttributeType: 'S' as const },
        { AttributeName: 'pk', AttributeType: 'S' as const },
      ],
    };
    expect(keySchemasMatch(provisionedTable, wrongType)).toBe(false);

    const swappedRoles = {
      ...other,
      KeySchema: [
        { AttributeName: 'sk', KeyType: 'HASH' as const },
        { AttributeName: 'pk', KeyType: 'RANGE' as const },
      ],
    };
    expect(keySchemasMatch(provisionedTable, swappedRoles)).toBe(false);

    const hashOnly = { ...other, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }] };
    expect(keySchemasMatch(provisionedTable, hashOnly)).toBe(false);
    expect(keySchemasMatch(provisionedTable, { ...provisionedTable, TableName: 'copy' })).toBe(true);
    expect(keySchemasMatch({}, {})).toBe(false);
  });
});
