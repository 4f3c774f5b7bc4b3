/**
 * compareSchemas (src/plan/schema-compare.ts), one setting at a time: each difference's exact
 * sentence, each --skip hiding its own setting and no other, and an endpoint that does not report a
 * setting on either side. The table fixtures are plain TableDescriptions, as DescribeTable returns them.
 */
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { compareSchemas } from '../../src/plan/schema-compare.js';
import type { SkippableSetting } from '../../src/plan/translate-schema.js';
import { type TableSnapshot, UNSUPPORTED } from '../../src/stores/types.js';

function table(extra: Partial<TableDescription> = {}): TableDescription {
  return {
    TableName: 't',
    TableStatus: 'ACTIVE',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
      { AttributeName: 'g', AttributeType: 'S' },
    ],
    BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
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

const none = new Set<SkippableSetting>();
const differences = (source: TableSnapshot, target: TableSnapshot, skip = none): string[] =>
  compareSchemas(source, target, skip).differences;

const gsi = (name: string, extra: Record<string, unknown> = {}) => ({
  IndexName: name,
  KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' as const }],
  Projection: { ProjectionType: 'ALL' as const },
  ...extra,
});

describe('compareSchemas, setting by setting', () => {
  it('key schemas list the hash key first, whatever order they are described in', () => {
    const source = table({
      KeySchema: [
        { AttributeName: 'sk', KeyType: 'RANGE' },
        { AttributeName: 'pk', KeyType: 'HASH' },
      ],
    });
    const target = table({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'g', KeyType: 'RANGE' },
      ],
    });
    expect(differences(snapshot(source), snapshot(target))).toEqual([
      'key schema: pk (S) HASH, sk (N) RANGE on the source, pk (S) HASH, g (S) RANGE on the target',
    ]);
    const same = table({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
    expect(differences(snapshot(source), snapshot(same))).toEqual([]);
    expect(differences(snapshot(same), snapshot(source))).toEqual([]);
  });

  it('the on-demand maxima of the table and of an index', () => {
    const source = table({
      OnDemandThroughput: { MaxReadRequestUnits: 100 },
      GlobalSecondaryIndexes: [gsi('byG', { OnDemandThroughput: { MaxWriteRequestUnits: 7 } })],
    });
    const target = table({
      OnDemandThroughput: { MaxReadRequestUnits: 100, MaxWriteRequestUnits: 50 },
      GlobalSecondaryIndexes: [gsi('byG')],
    });
    expect(differences(snapshot(source), snapshot(target))).toEqual([
      'on-demand maximum of the table: 100 read / no write request units on the source, 100 read / 50 write request units on the target',
      "global secondary index 'byG' on-demand maximum: no read / 7 write request units on the source, no read / no write request units on the target",
    ]);
  });

  it("an index's capacity and keys", () => {
    const provisioned = {
      BillingModeSummary: { BillingMode: 'PROVISIONED' as const },
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
    };
    const source = table({
      ...provisioned,
      GlobalSecondaryIndexes: [
        gsi('byG', { ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 3 } }),
      ],
    });
    const target = table({
      ...provisioned,
      GlobalSecondaryIndexes: [
        gsi('byG', {
          KeySchema: [{ AttributeName: 'sk', KeyType: 'HASH' }],
          ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 9 },
        }),
      ],
    });
    expect(differences(snapshot(source), snapshot(target))).toEqual([
      "global secondary index 'byG' keys: g (S) HASH on the source, sk (N) HASH on the target",
      "global secondary index 'byG' capacity: 4 read / 3 write units on the source, 4 read / 9 write units on the target",
    ]);
  });

  it('indexes are reported in the order of their names, on both sides', () => {
    const source = table({ GlobalSecondaryIndexes: [gsi('c'), gsi('a'), gsi('b')] });
    const target = table({ GlobalSecondaryIndexes: [gsi('z'), gsi('x'), gsi('y'), gsi('b')] });
    expect(differences(snapshot(source), snapshot(target))).toEqual([
      "global secondary index 'a': missing on the target",
      "global secondary index 'c': missing on the target",
      "global secondary index 'x': only on the target",
      "global secondary index 'y': only on the target",
      "global secondary index 'z': only on the target",
    ]);
  });

  it('projections: the type alone, or with its attributes sorted', () => {
    const source = table({
      GlobalSecondaryIndexes: [gsi('byG', { Projection: { ProjectionType: 'KEYS_ONLY' } })],
    });
    const target = table({
      GlobalSecondaryIndexes: [
        gsi('byG', { Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['b', 'a'] } }),
      ],
    });
    expect(differences(snapshot(source), snapshot(target))).toEqual([
      "global secondary index 'byG' projection: KEYS_ONLY on the source, INCLUDE (a, b) on the target",
    ]);
  });

  it('table class, encryption, stream view type', () => {
    const source = table({
      TableClassSummary: { TableClass: 'STANDARD_INFREQUENT_ACCESS' },
      SSEDescription: { Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: 'arn:aws:kms:eu-west-1:1:key/k' },
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
    });
    const target = table({
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    expect(differences(snapshot(source), snapshot(target))).toEqual([
      'stream: KEYS_ONLY on the source, NEW_AND_OLD_IMAGES on the target',
      'table class: STANDARD_INFREQUENT_ACCESS on the source, STANDARD on the target',
      'encryption: KMS key on the source, AWS owned key on the target',
    ]);
  });

  it('point-in-time recovery without a period, time to live, several tags sorted', () => {
    const source = snapshot(table(), {
      timeToLive: { TimeToLiveStatus: 'ENABLED', AttributeName: 'exp' },
      continuousBackups: {
        ContinuousBackupsStatus: 'ENABLED',
        PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'ENABLED' },
      },
      tags: [
        { Key: 'z', Value: '1' },
        { Key: 'a', Value: '2' },
      ],
    });
    const target = snapshot(table(), { tags: [] });
    expect(differences(source, target)).toEqual([
      "time to live: on 'exp' on the source, off on the target",
      'point-in-time recovery: on on the source, off on the target',
      'tags: a=2, z=1 on the source, none on the target',
    ]);
  });

  it('each --skip hides its own setting and no other', () => {
    const source = snapshot(
      table({
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
        DeletionProtectionEnabled: true,
      }),
      {
        timeToLive: { TimeToLiveStatus: 'ENABLED', AttributeName: 'exp' },
        continuousBackups: {
          ContinuousBackupsStatus: 'ENABLED',
          PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'ENABLED', RecoveryPeriodInDays: 7 },
        },
        tags: [{ Key: 'k', Value: 'v' }],
      },
    );
    const target = snapshot(table());
    const all = [
      'stream: KEYS_ONLY on the source, off on the target',
      'deletion protection: on on the source, off on the target',
      "time to live: on 'exp' on the source, off on the target",
      'point-in-time recovery: on (7 days) on the source, off on the target',
      'tags: k=v on the source, none on the target',
    ];
    expect(differences(source, target)).toEqual(all);
    const settings: SkippableSetting[] = ['streams', 'deletion-protection', 'ttl', 'pitr', 'tags'];
    settings.forEach((setting, i) => {
      expect(differences(source, target, new Set([setting]))).toEqual(all.filter((_, j) => j !== i));
    });
  });

  it("a setting one side's endpoint does not report is not compared, whichever side", () => {
    const source = snapshot(table(), { timeToLive: UNSUPPORTED });
    const target = snapshot(table(), { timeToLive: { TimeToLiveStatus: 'ENABLED', AttributeName: 'exp' } });
    expect(compareSchemas(source, target, none)).toEqual({ differences: [], notCompared: ['time to live'] });
    expect(compareSchemas(target, source, none)).toEqual({ differences: [], notCompared: ['time to live'] });
    expect(compareSchemas(source, target, new Set(['ttl']))).toEqual({ differences: [], notCompared: [] });
  });

  it('defaults: a projection without a type is ALL, a stream without a view type is on, a key without a definition is ?', () => {
    const source = table({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'ts', KeyType: 'RANGE' },
      ],
      StreamSpecification: { StreamEnabled: true },
      GlobalSecondaryIndexes: [gsi('byG', { Projection: {} })],
    });
    const target = table({
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      GlobalSecondaryIndexes: [gsi('byG', { Projection: { ProjectionType: 'KEYS_ONLY' } })],
      SSEDescription: { Status: 'ENABLED', SSEType: 'KMS' },
    });
    expect(differences(snapshot(source), snapshot(target))).toEqual([
      'key schema: pk (S) HASH, ts (?) RANGE on the source, pk (S) HASH on the target',
      "global secondary index 'byG' projection: ALL on the source, KEYS_ONLY on the target",
      'stream: on on the source, NEW_IMAGE on the target',
      'encryption: AWS owned key on the source, KMS key on the target',
    ]);
  });

  it('a billing mode not described is provisioned', () => {
    const source = table({
      BillingModeSummary: undefined,
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
    });
    expect(differences(snapshot(source), snapshot(table()))).toEqual([
      'billing mode: PROVISIONED on the source, PAY_PER_REQUEST on the target',
    ]);
  });
});
