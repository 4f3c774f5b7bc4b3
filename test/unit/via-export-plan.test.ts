/**
 * `copy --via-export`'s pure parts: the flags it takes and refuses, the plan of ExportTableToPointInTime
 * and ImportTable requests from a source description, and the IAM policy for it.
 */
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { TableLocation } from '../../src/plan/copy-plan.js';
import { copyPolicies } from '../../src/plan/iam-policy.js';
import { importKeyPrefix, importRequest, planViaExport } from '../../src/plan/via-export-plan.js';
import { type RawOptions, validateCopyOptions } from '../../src/runs/copy/options.js';
import type { TableSnapshot } from '../../src/stores/types.js';

const ARN = 'arn:aws:dynamodb:eu-west-1:111111111111:table/orders';

function table(overrides: Partial<TableDescription> = {}): TableDescription {
  return {
    TableName: 'orders',
    TableArn: ARN,
    TableStatus: 'ACTIVE',
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'status', AttributeType: 'S' },
      { AttributeName: 'createdAt', AttributeType: 'N' },
    ],
    BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    GlobalSecondaryIndexes: [
      {
        IndexName: 'byStatus',
        KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
        IndexStatus: 'ACTIVE',
      },
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: 'byCreatedAt',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'createdAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    TableClassSummary: { TableClass: 'STANDARD_INFREQUENT_ACCESS' },
    DeletionProtectionEnabled: true,
    SSEDescription: { Status: 'ENABLED', SSEType: 'KMS' },
    ItemCount: 1000,
    TableSizeBytes: 1_000_000,
    ...overrides,
  };
}

function snapshot(pitr: 'ENABLED' | 'DISABLED' = 'ENABLED', described = table()): TableSnapshot {
  return {
    table: described,
    timeToLive: { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' },
    continuousBackups: {
      ContinuousBackupsStatus: pitr,
      PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: pitr },
    },
    tags: [{ Key: 'team', Value: 'data' }],
  };
}

const location = (account: string): TableLocation => ({
  tableName: 'orders',
  region: 'eu-west-1',
  endpoint: undefined,
  accessKeyId: account,
  tableArn: undefined,
});

function options(flags: RawOptions = {}) {
  return validateCopyOptions({
    source: 'orders',
    target: 'orders',
    viaExport: 's3://transfer/ddbcopy/orders',
    ...flags,
  });
}

function plan(flags: RawOptions = {}, source = snapshot(), target?: TableDescription) {
  return planViaExport({
    source,
    sourceLocation: { ...location('AKIASOURCE'), tableArn: ARN },
    target,
    targetLocation: { ...location('AKIATARGET'), tableArn: target?.TableArn },
    options: options(flags),
  });
}

describe('--via-export flags', () => {
  it('parses the S3 URL into bucket and prefix, with or without slashes', () => {
    expect(options().viaExport).toEqual({ bucket: 'transfer', prefix: 'ddbcopy/orders' });
    expect(options({ viaExport: 's3://transfer/a/b/' }).viaExport).toEqual({
      bucket: 'transfer',
      prefix: 'a/b',
    });
    expect(options({ viaExport: 's3://transfer' }).viaExport).toEqual({ bucket: 'transfer', prefix: '' });
  });

  it.each([
    'transfer/prefix',
    'https://transfer.s3.amazonaws.com/x',
    's3://',
    's3://Upper_Case/x',
    's3://ab/x',
    's3://bucket//x',
  ])('refuses the malformed URL %s', (url) => {
    expect(() => options({ viaExport: url })).toThrow(/is not an S3 URL like s3:\/\/bucket\/prefix/);
  });

  it.each([
    [{ dataOnly: true }, '--data-only'],
    [{ schemaOnly: true }, '--schema-only'],
    [{ resume: true }, '--resume'],
    [{ workers: '4' }, '--workers'],
    [{ segments: '8' }, '--segments'],
    [{ readRate: '100' }, '--read-rate'],
    [{ checkpoint: '/tmp/x.json' }, '--checkpoint'],
    [{ verify: true }, '--verify'],
  ] as [RawOptions, string][])('refuses %o with a message naming %s', (flags, flag) => {
    expect(() => options(flags)).toThrow(`--via-export and ${flag} cannot be used together.`);
  });

  it('takes --drop-lsi and --s3-bucket-owner only with --via-export, and a 12-digit owner', () => {
    expect(() => validateCopyOptions({ source: 'a', target: 'b', dropLsi: true })).toThrow(
      '--drop-lsi only applies to --via-export.',
    );
    expect(() => validateCopyOptions({ source: 'a', target: 'b', s3BucketOwner: '123456789012' })).toThrow(
      '--s3-bucket-owner only applies to --via-export.',
    );
    expect(() => options({ s3BucketOwner: '1234' })).toThrow(/12-digit AWS account id/);
    expect(options({ s3BucketOwner: '123456789012', dropLsi: true })).toMatchObject({
      s3BucketOwner: '123456789012',
      dropLsi: true,
    });
  });
});

describe('planViaExport', () => {
  it('plans a full DYNAMODB_JSON export of the table ARN into the bucket and prefix', () => {
    const p = plan({ dropLsi: true, s3BucketOwner: '222222222222' });
    expect(p.export).toEqual({
      TableArn: ARN,
      S3Bucket: 'transfer',
      S3Prefix: 'ddbcopy/orders',
      S3BucketOwner: '222222222222',
      ExportFormat: 'DYNAMODB_JSON',
      ExportType: 'FULL_EXPORT',
    });
  });

  it('gives ImportTable only the fields TableCreationParameters takes, without the LSI or its attributes', () => {
    const p = plan({ dropLsi: true });
    expect(p.import).toEqual({
      S3BucketSource: { S3Bucket: 'transfer' },
      InputFormat: 'DYNAMODB_JSON',
      InputCompressionType: 'GZIP',
      TableCreationParameters: {
        TableName: 'orders',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'status', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byStatus',
            KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        SSESpecification: { Enabled: true, SSEType: 'KMS' },
      },
    });
    expect(p.droppedLocalIndexes).toEqual(['byCreatedAt']);
    expect(p.warnings).toContain(
      'local secondary indexes are not created on the target (--drop-lsi): byCreatedAt',
    );
  });

  it('applies what ImportTable cannot take afterwards: TTL, PITR, tags, then stream, table class, protection last', () => {
    const p = plan({ dropLsi: true });
    expect(p.lateSettings.map((s) => s.kind)).toEqual(['ttl', 'pitr', 'tags']);
    expect(p.tableUpdates).toEqual([
      { kind: 'streams', streamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } },
      { kind: 'table-class', tableClass: 'STANDARD_INFREQUENT_ACCESS' },
      { kind: 'deletion-protection' },
    ]);
    expect(plan({ dropLsi: true, skip: 'streams,deletion-protection,pitr' }).tableUpdates).toEqual([
      { kind: 'table-class', tableClass: 'STANDARD_INFREQUENT_ACCESS' },
    ]);
  });

  it('builds the ImportTable request for the export AWS named: the data/ folder under the prefix', () => {
    const p = plan({ dropLsi: true, s3BucketOwner: '222222222222' });
    const exportArn = `${ARN}/export/01700000000000-a1b2c3d4`;
    expect(importKeyPrefix(p.s3, exportArn)).toBe('ddbcopy/orders/AWSDynamoDB/01700000000000-a1b2c3d4/data/');
    expect(importKeyPrefix({ bucket: 'b', prefix: '' }, exportArn)).toBe(
      'AWSDynamoDB/01700000000000-a1b2c3d4/data/',
    );
    expect(importRequest(p, exportArn, 'token').S3BucketSource).toEqual({
      S3Bucket: 'transfer',
      S3BucketOwner: '222222222222',
      S3KeyPrefix: 'ddbcopy/orders/AWSDynamoDB/01700000000000-a1b2c3d4/data/',
    });
  });

  it('refuses a source without PITR, with the command that enables it', () => {
    expect(() => plan({ dropLsi: true }, snapshot('DISABLED'))).toThrow(
      expect.objectContaining({
        code: 'PITR_REQUIRED',
        exitCode: 2,
        hint: expect.stringContaining(
          'aws dynamodb update-continuous-backups --table-name orders --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true',
        ),
      }),
    );
    expect(() => plan({ dropLsi: true }, { ...snapshot(), continuousBackups: 'unsupported' })).toThrow(
      /does not offer point-in-time recovery/,
    );
  });

  it('refuses local secondary indexes without --drop-lsi, suggesting the direct copy', () => {
    expect(() => plan()).toThrow(
      expect.objectContaining({
        code: 'VIA_EXPORT_UNSUPPORTED',
        message: expect.stringContaining('local secondary indexes (byCreatedAt)'),
        hint: expect.stringContaining('Drop --via-export to copy directly'),
      }),
    );
  });

  it('refuses a protected target without suggesting --data-only, and a target that is the source', () => {
    const protectedTarget = table({ TableArn: 'arn:aws:dynamodb:eu-west-1:222222222222:table/orders' });
    expect(() => plan({ dropLsi: true }, snapshot(), protectedTarget)).toThrow(
      expect.objectContaining({
        code: 'DELETION_PROTECTED',
        hint: expect.not.stringContaining('--data-only'),
      }),
    );
    expect(() => plan({ dropLsi: true }, snapshot(), table({ DeletionProtectionEnabled: false }))).toThrow(
      expect.objectContaining({ code: 'SAME_TABLE' }),
    );
  });

  it('reports CreateTable fields ImportTable does not take instead of sending them', () => {
    const p = plan(
      { dropLsi: true },
      snapshot('ENABLED', table({ WarmThroughput: { ReadUnitsPerSecond: 12000 } })),
    );
    expect(p.warnings).toContain(
      'ImportTable does not take WarmThroughput; the target is created without it',
    );
    expect(p.import.TableCreationParameters).not.toHaveProperty('WarmThroughput');
  });
});

describe('iam-policy --via-export', () => {
  it('grants the export, the import and their S3 and CloudWatch Logs actions, as AWS documents them', () => {
    const policies = copyPolicies(
      validateCopyOptions({
        source: 'orders',
        target: 'orders',
        sourceRegion: 'eu-west-1',
        targetRegion: 'eu-central-1',
        sourceRoleArn: 'arn:aws:iam::111111111111:role/reader',
        targetRoleArn: 'arn:aws:iam::222222222222:role/writer',
        viaExport: 's3://transfer/ddbcopy',
      }),
      undefined,
    );
    expect(policies.source.Statement).toEqual([
      {
        Sid: 'ExportSourceTable',
        Effect: 'Allow',
        Action: [
          'dynamodb:DescribeTable',
          'dynamodb:DescribeContinuousBackups',
          'dynamodb:ExportTableToPointInTime',
          'dynamodb:DescribeExport',
          'dynamodb:DescribeTimeToLive',
          'dynamodb:ListTagsOfResource',
        ],
        Resource: [
          'arn:aws:dynamodb:eu-west-1:111111111111:table/orders',
          'arn:aws:dynamodb:eu-west-1:111111111111:table/orders/export/*',
        ],
      },
      {
        Sid: 'WriteExportToBucket',
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:PutObject', 's3:PutObjectAcl'],
        Resource: ['arn:aws:s3:::transfer/ddbcopy/*'],
      },
    ]);
    const target = policies.target.Statement;
    expect(target[0]!.Action).toEqual(
      expect.arrayContaining([
        'dynamodb:ImportTable',
        'dynamodb:DescribeImport',
        'dynamodb:DeleteTable',
        'dynamodb:UpdateTable',
      ]),
    );
    expect(target[0]!.Action).not.toContain('dynamodb:BatchWriteItem');
    expect(target[0]!.Resource).toContain('arn:aws:dynamodb:eu-central-1:222222222222:table/orders/import/*');
    expect(target[1]).toMatchObject({
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: ['arn:aws:s3:::transfer', 'arn:aws:s3:::transfer/ddbcopy/*'],
    });
    expect(target[2]).toMatchObject({
      Action: expect.arrayContaining(['logs:CreateLogGroup', 'logs:PutLogEvents', 'logs:PutRetentionPolicy']),
      Resource: ['arn:aws:logs:eu-central-1:222222222222:log-group:/aws-dynamodb/*'],
    });
  });
});
