import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { compareSchemas } from '../../src/plan/schema-compare.js';
import type { SkippableSetting } from '../../src/plan/translate-schema.js';
import { type TableSnapshot, UNSUPPORTED } from '../../src/stores/types.js';

function table(extra: Partial<TableDescription> = {}): TableDescription {
  return {
    TableName: 'orders',
    TableArn: 'arn:aws:dynamodb:eu-west-1:111111111111:table/orders',
    TableStatus: 'ACTIVE',
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'status', AttributeType: 'S' },
    ],
    BillingModeSummary: { BillingMode: 'PROVISIONED' },
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5, NumberOfDecreasesToday: 0 },
    GlobalSecondaryIndexes: [
      {
        IndexName: 'byStatus',
        IndexStatus: 'ACTIVE',
        KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['total', 'email'] },
        ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 2 },
      },
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: 'bySk2',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'status', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    DeletionProtectionEnabled: false,
    ...extra,
  };
}

function snapshot(description: TableDescription, extra: Partial<TableSnapshot> = {}): TableSnapshot {
  return {
    table: description,
    timeToLive: { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' },
    continuousBackups: {
      ContinuousBackupsStatus: 'ENABLED',
      PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'ENABLED', RecoveryPeriodInDays: 35 },
    },
    tags: [{ Key: 'team', Value: 'orders' }],
    ...extra,
  };
}

const none = new Set<SkippableSetting>();

describe('compareSchemas', () => {
  it('finds nothing between a table and its copy, whatever read-only fields, -1 maxima or index order say', () => {
    const source = table({
      OnDemandThroughput: { MaxReadRequestUnits: -1, MaxWriteRequestUnits: -1 },
      ItemCount: 10,
    });
    const gsi = source.GlobalSecondaryIndexes![0]!;
    const target = table({
      TableArn: 'arn:aws:dynamodb:us-east-1:222222222222:table/orders',
      TableId: 'other',
      CreationDateTime: new Date(),
      LatestStreamArn: 'arn:stream',
      AttributeDefinitions: [...source.AttributeDefinitions!].reverse(),
      GlobalSecondaryIndexes: [
        { ...gsi, Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['email', 'total'] } },
      ],
    });
    expect(compareSchemas(snapshot(source), snapshot(target), none)).toEqual({
      differences: [],
      notCompared: [],
    });
  });

  it('names each difference with both values', () => {
    const source = table();
    const target = table({
      BillingModeSummary: { BillingMode: 'PROVISIONED' },
      ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 5 },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStatus',
          KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
          ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 2 },
        },
        {
          IndexName: 'extraIndex',
          KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
          ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
        },
      ],
      LocalSecondaryIndexes: [],
      StreamSpecification: { StreamEnabled: false },
      DeletionProtectionEnabled: true,
    });
    const result = compareSchemas(
      snapshot(source),
      snapshot(target, {
        timeToLive: { TimeToLiveStatus: 'DISABLED' },
        continuousBackups: {
          ContinuousBackupsStatus: 'ENABLED',
          PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' },
        },
        tags: [{ Key: 'team', Value: 'payments' }],
      }),
      none,
    );
    expect(result.differences).toEqual([
      'capacity of the table: 5 read / 5 write units on the source, 10 read / 5 write units on the target',
      "global secondary index 'byStatus' projection: INCLUDE (email, total) on the source, ALL on the target",
      "global secondary index 'extraIndex': only on the target",
      "local secondary index 'bySk2': missing on the target",
      'stream: NEW_IMAGE on the source, off on the target',
      'deletion protection: off on the source, on on the target',
      "time to live: on 'expiresAt' on the source, off on the target",
      'point-in-time recovery: on (35 days) on the source, off on the target',
      'tags: team=orders on the source, team=payments on the target',
    ]);
  });

  it('reports a GSI missing on the target and other key schemas', () => {
    const source = table();
    const target = table({
      GlobalSecondaryIndexes: [],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
        { AttributeName: 'status', AttributeType: 'S' },
      ],
    });
    expect(compareSchemas(snapshot(source), snapshot(target), none).differences).toEqual([
      'key schema: pk (S) HASH, sk (S) RANGE on the source, pk (S) HASH, sk (N) RANGE on the target',
      "global secondary index 'byStatus': missing on the target",
    ]);
  });

  it('compares billing modes, and capacities only where both sides have the same mode', () => {
    const target = table({
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
      ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
      GlobalSecondaryIndexes: [{ ...table().GlobalSecondaryIndexes![0]!, ProvisionedThroughput: undefined }],
    });
    expect(compareSchemas(snapshot(table()), snapshot(target), none).differences).toEqual([
      'billing mode: PROVISIONED on the source, PAY_PER_REQUEST on the target',
    ]);
  });

  it('does not report settings named in --skip', () => {
    const target = table({ StreamSpecification: undefined, DeletionProtectionEnabled: true });
    const skip = new Set<SkippableSetting>(['streams', 'deletion-protection', 'ttl', 'pitr', 'tags']);
    const result = compareSchemas(
      snapshot(table(), { timeToLive: UNSUPPORTED, continuousBackups: UNSUPPORTED, tags: UNSUPPORTED }),
      snapshot(target, { timeToLive: UNSUPPORTED, continuousBackups: UNSUPPORTED, tags: UNSUPPORTED }),
      skip,
    );
    expect(result).toEqual({ differences: [], notCompared: [] });
  });

  it('does not compare what one endpoint does not report, and says so', () => {
    const result = compareSchemas(
      snapshot(table()),
      snapshot(table(), { continuousBackups: UNSUPPORTED, tags: UNSUPPORTED }),
      none,
    );
    expect(result).toEqual({ differences: [], notCompared: ['point-in-time recovery', 'tags'] });
  });
});
