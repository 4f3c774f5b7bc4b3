/**
 * The IAM policies `iam-policy` prints and a run's plan names (src/plan/iam-policy.ts), as whole
 * documents: each option's actions, in order, and each resource's exact ARN. A policy is what a user
 * pastes into IAM, so an action too many leaks access and one too few fails the copy halfway.
 */
import { describe, expect, it } from 'vitest';
import {
  copyPolicies,
  type PolicyOptions,
  type PolicySideConfig,
  policyOfSide,
  sourceActions,
  tableArn,
  tableSetPolicies,
  targetActions,
  viaExportSourceActions,
  viaExportTargetActions,
} from '../../src/plan/iam-policy.js';
import type { SkippableSetting } from '../../src/plan/translate-schema.js';

const SRC = 'arn:aws:dynamodb:eu-west-1:111111111111:table/src';
const DST = 'arn:aws:dynamodb:us-east-1:222222222222:table/dst';

function options(overrides: Partial<PolicyOptions> = {}): PolicyOptions {
  return {
    source: { table: 'src', region: 'eu-west-1', expectAccount: '111111111111' },
    target: { table: 'dst', region: 'us-east-1', expectAccount: '222222222222' },
    mode: 'recreate',
    skip: new Set<SkippableSetting>(),
    verify: false,
    sseKmsKeyId: undefined,
    ...overrides,
  };
}

const skip = (...settings: SkippableSetting[]): ReadonlySet<SkippableSetting> => new Set(settings);

describe('sourceActions and targetActions', () => {
  it('recreate reads and writes every setting', () => {
    expect(sourceActions({ mode: 'recreate', skip: skip() })).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:Scan',
      'dynamodb:DescribeTimeToLive',
      'dynamodb:DescribeContinuousBackups',
      'dynamodb:ListTagsOfResource',
    ]);
    expect(targetActions({ mode: 'recreate', skip: skip() })).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:DeleteTable',
      'dynamodb:CreateTable',
      'dynamodb:BatchWriteItem',
      'dynamodb:UpdateTimeToLive',
      'dynamodb:UpdateContinuousBackups',
      'dynamodb:TagResource',
    ]);
  });

  it('schema-only neither scans nor writes items', () => {
    expect(sourceActions({ mode: 'schema-only', skip: skip() })).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:DescribeTimeToLive',
      'dynamodb:DescribeContinuousBackups',
      'dynamodb:ListTagsOfResource',
    ]);
    expect(targetActions({ mode: 'schema-only', skip: skip() })).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:DeleteTable',
      'dynamodb:CreateTable',
      'dynamodb:UpdateTimeToLive',
      'dynamodb:UpdateContinuousBackups',
      'dynamodb:TagResource',
    ]);
  });

  it('data-only reads and writes items only, whatever is skipped', () => {
    expect(sourceActions({ mode: 'data-only', skip: skip() })).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:Scan',
    ]);
    expect(targetActions({ mode: 'data-only', skip: skip() })).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:BatchWriteItem',
    ]);
  });

  it('each skipped setting drops its own action and no other', () => {
    expect(sourceActions({ mode: 'recreate', skip: skip('ttl') })).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:Scan',
      'dynamodb:DescribeContinuousBackups',
      'dynamodb:ListTagsOfResource',
    ]);
    expect(sourceActions({ mode: 'recreate', skip: skip('pitr') })).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:Scan',
      'dynamodb:DescribeTimeToLive',
      'dynamodb:ListTagsOfResource',
    ]);
    expect(sourceActions({ mode: 'recreate', skip: skip('tags') })).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:Scan',
      'dynamodb:DescribeTimeToLive',
      'dynamodb:DescribeContinuousBackups',
    ]);
    expect(targetActions({ mode: 'recreate', skip: skip('ttl', 'pitr', 'tags') })).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:DeleteTable',
      'dynamodb:CreateTable',
      'dynamodb:BatchWriteItem',
    ]);
    expect(targetActions({ mode: 'recreate', skip: skip('ttl') })).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:DeleteTable',
      'dynamodb:CreateTable',
      'dynamodb:BatchWriteItem',
      'dynamodb:UpdateContinuousBackups',
      'dynamodb:TagResource',
    ]);
    expect(targetActions({ mode: 'recreate', skip: skip('pitr') })).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:DeleteTable',
      'dynamodb:CreateTable',
      'dynamodb:BatchWriteItem',
      'dynamodb:UpdateTimeToLive',
      'dynamodb:TagResource',
    ]);
    expect(targetActions({ mode: 'recreate', skip: skip('tags') })).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:DeleteTable',
      'dynamodb:CreateTable',
      'dynamodb:BatchWriteItem',
      'dynamodb:UpdateTimeToLive',
      'dynamodb:UpdateContinuousBackups',
    ]);
  });

  it('--via-export: the export and import jobs, each skipped setting dropping its own action', () => {
    expect(viaExportSourceActions({ skip: skip() })).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:DescribeContinuousBackups',
      'dynamodb:ExportTableToPointInTime',
      'dynamodb:DescribeExport',
      'dynamodb:DescribeTimeToLive',
      'dynamodb:ListTagsOfResource',
    ]);
    expect(viaExportSourceActions({ skip: skip('ttl', 'pitr', 'tags') })).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:DescribeContinuousBackups',
      'dynamodb:ExportTableToPointInTime',
      'dynamodb:DescribeExport',
    ]);
    expect(viaExportTargetActions({ skip: skip() })).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:DeleteTable',
      'dynamodb:ImportTable',
      'dynamodb:DescribeImport',
      'dynamodb:UpdateTimeToLive',
      'dynamodb:UpdateContinuousBackups',
      'dynamodb:TagResource',
      'dynamodb:UpdateTable',
    ]);
    expect(viaExportTargetActions({ skip: skip('ttl', 'pitr', 'tags') })).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:DeleteTable',
      'dynamodb:ImportTable',
      'dynamodb:DescribeImport',
      'dynamodb:UpdateTable',
    ]);
  });
});

describe('tableArn', () => {
  it('an ARN is kept; a name gets the region and account known, else wildcards', () => {
    expect(tableArn({ table: 'arn:aws:dynamodb:eu-west-1:333333333333:table/t' })).toBe(
      'arn:aws:dynamodb:eu-west-1:333333333333:table/t',
    );
    expect(tableArn({ table: 't' })).toBe('arn:aws:dynamodb:*:*:table/t');
    expect(tableArn({ table: 't', region: 'eu-north-1', profileAccount: '444444444444' })).toBe(
      'arn:aws:dynamodb:eu-north-1:444444444444:table/t',
    );
    expect(
      tableArn({
        table: 't',
        roleArn: 'arn:aws-us-gov:iam::555555555555:role/r',
        profileAccount: '444444444444',
      }),
    ).toBe('arn:aws:dynamodb:*:555555555555:table/t');
    expect(
      tableArn({
        table: 't',
        expectAccount: '666666666666',
        roleArn: 'arn:aws:iam::555555555555:role/r',
        profileAccount: '444444444444',
      }),
    ).toBe('arn:aws:dynamodb:*:666666666666:table/t');
    // Not a role ARN from its start: no account from it.
    expect(tableArn({ table: 't', roleArn: 'xarn:aws:iam::555555555555:role/r' })).toBe(
      'arn:aws:dynamodb:*:*:table/t',
    );
    expect(tableArn({ table: 't', roleArn: 'arn:aws:iam::5555555555555:role/r' })).toBe(
      'arn:aws:dynamodb:*:*:table/t',
    );
  });
});

describe('copyPolicies', () => {
  it('a plain copy: one statement per side on its table, no trust policies', () => {
    expect(copyPolicies(options(), undefined)).toEqual({
      source: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ReadSourceTable',
            Effect: 'Allow',
            Action: [
              'dynamodb:DescribeTable',
              'dynamodb:Scan',
              'dynamodb:DescribeTimeToLive',
              'dynamodb:DescribeContinuousBackups',
              'dynamodb:ListTagsOfResource',
            ],
            Resource: [SRC],
          },
        ],
      },
      target: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ReplaceTargetTable',
            Effect: 'Allow',
            Action: [
              'dynamodb:DescribeTable',
              'dynamodb:DeleteTable',
              'dynamodb:CreateTable',
              'dynamodb:BatchWriteItem',
              'dynamodb:UpdateTimeToLive',
              'dynamodb:UpdateContinuousBackups',
              'dynamodb:TagResource',
            ],
            Resource: [DST],
          },
        ],
      },
      trust: {},
    });
  });

  it('--verify adds the reads of a source to each side, once each', () => {
    const policies = copyPolicies(options({ mode: 'data-only', verify: true }), undefined);
    expect(policies.source.Statement[0]!.Action).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:Scan',
      'dynamodb:DescribeTimeToLive',
      'dynamodb:DescribeContinuousBackups',
      'dynamodb:ListTagsOfResource',
    ]);
    expect(policies.target.Statement[0]!.Action).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:BatchWriteItem',
      'dynamodb:Scan',
      'dynamodb:DescribeTimeToLive',
      'dynamodb:DescribeContinuousBackups',
      'dynamodb:ListTagsOfResource',
    ]);
    const skipped = copyPolicies(options({ mode: 'data-only', verify: true, skip: skip('tags') }), undefined);
    expect(skipped.target.Statement[0]!.Action).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:BatchWriteItem',
      'dynamodb:Scan',
      'dynamodb:DescribeTimeToLive',
      'dynamodb:DescribeContinuousBackups',
    ]);
  });

  it('--prune adds BatchGetItem on the source and Scan on the target, once', () => {
    const policies = copyPolicies(options({ mode: 'data-only', prune: true }), undefined);
    expect(policies.source.Statement).toEqual([
      {
        Sid: 'ReadSourceTable',
        Effect: 'Allow',
        Action: ['dynamodb:DescribeTable', 'dynamodb:Scan', 'dynamodb:BatchGetItem'],
        Resource: [SRC],
      },
    ]);
    expect(policies.target.Statement).toEqual([
      {
        Sid: 'ReplaceTargetTable',
        Effect: 'Allow',
        Action: ['dynamodb:DescribeTable', 'dynamodb:BatchWriteItem', 'dynamodb:Scan'],
        Resource: [DST],
      },
    ]);
    const verified = copyPolicies(options({ mode: 'data-only', prune: true, verify: true }), undefined);
    expect(verified.target.Statement[0]!.Action).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:BatchWriteItem',
      'dynamodb:Scan',
      'dynamodb:DescribeTimeToLive',
      'dynamodb:DescribeContinuousBackups',
      'dynamodb:ListTagsOfResource',
    ]);
    expect(
      copyPolicies(options({ mode: 'data-only', prune: false }), undefined).source.Statement[0]!.Action,
    ).toEqual(['dynamodb:DescribeTable', 'dynamodb:Scan']);
  });

  it('--follow reads every stream of the source table and GetItem on it; the target gets nothing more', () => {
    const policies = copyPolicies(
      options({ mode: 'data-only', follow: { untilCaughtUp: false } }),
      undefined,
    );
    expect(policies.source.Statement).toEqual([
      {
        Sid: 'ReadSourceTable',
        Effect: 'Allow',
        Action: ['dynamodb:DescribeTable', 'dynamodb:Scan'],
        Resource: [SRC],
      },
      {
        Sid: 'ReadSourceStream',
        Effect: 'Allow',
        Action: ['dynamodb:DescribeStream', 'dynamodb:GetShardIterator', 'dynamodb:GetRecords'],
        Resource: [`${SRC}/stream/*`],
      },
      {
        Sid: 'ReadChangedItemsForKeysOnlyStreams',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem'],
        Resource: [SRC],
      },
    ]);
    expect(policies.target.Statement).toHaveLength(1);
  });

  it('a KMS key is granted on the target only when the copy creates its table', () => {
    const kms = {
      Sid: 'UseTargetKmsKey',
      Effect: 'Allow',
      Action: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'],
      Resource: ['arn:aws:kms:us-east-1:222222222222:key/1234-abcd'],
    };
    expect(copyPolicies(options({ sseKmsKeyId: '1234-abcd' }), undefined).target.Statement[1]).toEqual(kms);
    expect(
      copyPolicies(options({ sseKmsKeyId: 'alias/mine' }), undefined).target.Statement[1]!.Resource,
    ).toEqual(['arn:aws:kms:us-east-1:222222222222:key/*mine']);
    expect(
      copyPolicies(options({ sseKmsKeyId: 'arn:aws:kms:eu-west-1:1:key/k' }), undefined).target.Statement[1]!
        .Resource,
    ).toEqual(['arn:aws:kms:eu-west-1:1:key/k']);
    expect(
      copyPolicies(options({ sseKmsKeyId: 'key/alias/x', target: { table: 'dst' } }), undefined).target
        .Statement[1]!.Resource,
    ).toEqual(['arn:aws:kms:*:*:key/key/alias/x']);
    expect(
      copyPolicies(options({ mode: 'data-only', sseKmsKeyId: '1234-abcd' }), undefined).target.Statement,
    ).toHaveLength(1);
    expect(
      copyPolicies(options({ mode: 'schema-only', sseKmsKeyId: '1234-abcd' }), undefined).target.Statement[1],
    ).toEqual(kms);
    expect(copyPolicies(options({ sseKmsKeyId: '' }), undefined).target.Statement).toHaveLength(1);
  });

  it('a trust policy per assumed role, with its external ID as a condition', () => {
    const policies = copyPolicies(
      options({
        source: { table: 'src', roleArn: 'arn:aws:iam::111111111111:role/r', externalId: 'ext-1' },
        target: { table: 'dst', roleArn: 'arn:aws:iam::222222222222:role/w' },
      }),
      'arn:aws:iam::999999999999:role/runner',
    );
    expect(policies.trust).toEqual({
      source: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'LetDdbcopyAssumeThisRole',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::999999999999:role/runner' },
            Action: ['sts:AssumeRole'],
            Condition: { StringEquals: { 'sts:ExternalId': 'ext-1' } },
          },
        ],
      },
      target: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'LetDdbcopyAssumeThisRole',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::999999999999:role/runner' },
            Action: ['sts:AssumeRole'],
          },
        ],
      },
    });
    expect(policies.source.Statement[0]!.Resource).toEqual(['arn:aws:dynamodb:*:111111111111:table/src']);
    const placeholder = copyPolicies(
      options({ target: { table: 'dst', roleArn: 'arn:aws:iam::222222222222:role/w', externalId: '' } }),
      undefined,
    );
    expect(placeholder.trust.source).toBeUndefined();
    expect(placeholder.trust.target!.Statement[0]).toEqual({
      Sid: 'LetDdbcopyAssumeThisRole',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::RUNNER_ACCOUNT_ID:role/RUNNER_ROLE' },
      Action: ['sts:AssumeRole'],
    });
  });
});

describe('copyPolicies --via-export', () => {
  const viaExport = { bucket: 'bkt', prefix: 'exports/run' };

  it('without masks: the export writes the prefix, the import reads it and writes its logs', () => {
    expect(copyPolicies(options({ viaExport }), undefined)).toEqual({
      source: {
        Version: '2012-10-17',
        Statement: [
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
            Resource: [SRC, `${SRC}/export/*`],
          },
          {
            Sid: 'WriteExportToBucket',
            Effect: 'Allow',
            Action: ['s3:AbortMultipartUpload', 's3:PutObject', 's3:PutObjectAcl'],
            Resource: ['arn:aws:s3:::bkt/exports/run/*'],
          },
        ],
      },
      target: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ImportTargetTable',
            Effect: 'Allow',
            Action: [
              'dynamodb:DescribeTable',
              'dynamodb:DeleteTable',
              'dynamodb:ImportTable',
              'dynamodb:DescribeImport',
              'dynamodb:UpdateTimeToLive',
              'dynamodb:UpdateContinuousBackups',
              'dynamodb:TagResource',
              'dynamodb:UpdateTable',
            ],
            Resource: [DST, `${DST}/import/*`],
          },
          {
            Sid: 'ReadExportFromBucket',
            Effect: 'Allow',
            Action: ['s3:GetObject', 's3:ListBucket'],
            Resource: ['arn:aws:s3:::bkt', 'arn:aws:s3:::bkt/exports/run/*'],
          },
          {
            Sid: 'ImportTableLogs',
            Effect: 'Allow',
            Action: [
              'logs:CreateLogGroup',
              'logs:CreateLogStream',
              'logs:DescribeLogGroups',
              'logs:DescribeLogStreams',
              'logs:PutLogEvents',
              'logs:PutRetentionPolicy',
            ],
            Resource: ['arn:aws:logs:us-east-1:222222222222:log-group:/aws-dynamodb/*'],
          },
        ],
      },
      trust: {},
    });
  });

  it('without a prefix or a known target region and account: the whole bucket, wildcards', () => {
    const policies = copyPolicies(
      options({ viaExport: { bucket: 'bkt', prefix: '' }, target: { table: 'dst' } }),
      undefined,
    );
    expect(policies.source.Statement[1]!.Resource).toEqual(['arn:aws:s3:::bkt/*']);
    expect(policies.target.Statement[1]!.Resource).toEqual(['arn:aws:s3:::bkt', 'arn:aws:s3:::bkt/*']);
    expect(policies.target.Statement[2]!.Resource).toEqual(['arn:aws:logs:*:*:log-group:/aws-dynamodb/*']);
    const byArn = copyPolicies(
      options({ viaExport, target: { table: 'arn:aws:dynamodb:ap-south-1:777777777777:table/t' } }),
      undefined,
    );
    expect(byArn.target.Statement[2]!.Resource).toEqual([
      'arn:aws:logs:*:777777777777:log-group:/aws-dynamodb/*',
    ]);
    // An ARN too short to name an account: a wildcard for the user to fill in.
    const shortArn = copyPolicies(options({ viaExport, target: { table: 'arn:aws:dynamodb' } }), undefined);
    expect(shortArn.target.Statement[2]!.Resource).toEqual(['arn:aws:logs:*:*:log-group:/aws-dynamodb/*']);
  });

  const masking = [
    {
      Sid: 'ReadExportToMask',
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: ['arn:aws:s3:::bkt/exports/run/*'],
    },
    {
      Sid: 'WriteMaskedExportToBucket',
      Effect: 'Allow',
      Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject'],
      Resource: ['arn:aws:s3:::bkt/exports/run/masked/*'],
    },
  ];

  it.each([
    ['masks', { masks: [{}] }],
    ['a mask file', { maskFile: 'masks.json' }],
    ['a transform', { transform: { module: './t.mjs' } }],
  ])('with %s: the source masks the export under masked/, the target reads only that', (_name, extra) => {
    const policies = copyPolicies(options({ viaExport, ...extra }), undefined);
    expect(policies.source.Statement.slice(2)).toEqual(masking);
    expect(policies.target.Statement[1]!.Resource).toEqual([
      'arn:aws:s3:::bkt',
      'arn:aws:s3:::bkt/exports/run/masked/*',
    ]);
  });

  it('no masks (an empty list) changes no items', () => {
    const policies = copyPolicies(options({ viaExport, masks: [] }), undefined);
    expect(policies.source.Statement).toHaveLength(2);
    expect(policies.target.Statement[1]!.Resource).toEqual([
      'arn:aws:s3:::bkt',
      'arn:aws:s3:::bkt/exports/run/*',
    ]);
  });

  it('the KMS key is granted (the import creates the table)', () => {
    const policies = copyPolicies(options({ viaExport, mode: 'data-only', sseKmsKeyId: 'k' }), undefined);
    expect(policies.target.Statement[3]!.Sid).toBe('UseTargetKmsKey');
  });
});

describe('tableSetPolicies', () => {
  const side = (table: string): PolicySideConfig => ({
    table,
    region: 'eu-west-1',
    expectAccount: '111111111111',
  });
  const arn = (table: string): string => `arn:aws:dynamodb:eu-west-1:111111111111:table/${table}`;

  it("every selected table's ARN once, ListTables on *, stream reads per table with --follow", () => {
    const policies = tableSetPolicies(
      options({ source: side('x'), target: side('y'), mode: 'data-only', follow: { untilCaughtUp: true } }),
      { sources: ['a', 'b*', 'a'], targets: ['c'], byTag: false },
      undefined,
    );
    expect(policies.source.Statement).toEqual([
      {
        Sid: 'ReadSourceTable',
        Effect: 'Allow',
        Action: ['dynamodb:DescribeTable', 'dynamodb:Scan'],
        Resource: [arn('a'), arn('b*')],
      },
      {
        Sid: 'ReadSourceStream',
        Effect: 'Allow',
        Action: ['dynamodb:DescribeStream', 'dynamodb:GetShardIterator', 'dynamodb:GetRecords'],
        Resource: [`${arn('a')}/stream/*`, `${arn('b*')}/stream/*`],
      },
      {
        Sid: 'ReadChangedItemsForKeysOnlyStreams',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem'],
        Resource: [arn('a'), arn('b*')],
      },
      { Sid: 'ListSourceTables', Effect: 'Allow', Action: ['dynamodb:ListTables'], Resource: ['*'] },
    ]);
    expect(policies.target.Statement[0]!.Resource).toEqual([arn('c')]);
  });

  it('--tables-tagged adds ListTagsOfResource when the copy does not read tags already, once', () => {
    const dataOnly = tableSetPolicies(
      options({ source: side('x'), target: side('y'), mode: 'data-only' }),
      { sources: ['a'], targets: ['a'], byTag: true },
      undefined,
    );
    expect(dataOnly.source.Statement[0]!.Action).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:Scan',
      'dynamodb:ListTagsOfResource',
    ]);
    expect(dataOnly.source.Statement).toHaveLength(2);
    const recreate = tableSetPolicies(
      options({ source: side('x'), target: side('y') }),
      { sources: ['a'], targets: ['a'], byTag: true },
      undefined,
    );
    expect(recreate.source.Statement[0]!.Action).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:Scan',
      'dynamodb:DescribeTimeToLive',
      'dynamodb:DescribeContinuousBackups',
      'dynamodb:ListTagsOfResource',
    ]);
    const notByTag = tableSetPolicies(
      options({ source: side('x'), target: side('y'), mode: 'data-only' }),
      { sources: ['a'], targets: ['a'], byTag: false },
      undefined,
    );
    expect(notByTag.source.Statement[0]!.Action).toEqual(['dynamodb:DescribeTable', 'dynamodb:Scan']);
  });
});

describe('policyOfSide', () => {
  const role = (externalId?: string): PolicySideConfig => ({
    table: 't',
    roleArn: 'arn:aws:iam::111111111111:role/r',
    ...(externalId ? { externalId } : {}),
  });

  it('source and target are their documents; trust is the one trust policy', () => {
    const policies = copyPolicies(options({ source: role('e'), target: role('e') }), 'p');
    expect(policyOfSide(policies, 'source')).toBe(policies.source);
    expect(policyOfSide(policies, 'target')).toBe(policies.target);
    expect(policyOfSide(policies, 'trust')).toEqual(policies.trust.source);
    const targetOnly = copyPolicies(options({ target: role('e') }), 'p');
    expect(policyOfSide(targetOnly, 'trust')).toBe(targetOnly.trust.target);
  });

  it('refuses trust with no role, or with two roles of different trust policies', () => {
    expect(() => policyOfSide(copyPolicies(options(), 'p'), 'trust')).toThrow(/none is named/);
    expect(() =>
      policyOfSide(copyPolicies(options({ source: role('e'), target: role('f') }), 'p'), 'trust'),
    ).toThrow(/external IDs differ/);
    const differing = copyPolicies(options({ source: role('e'), target: role('f') }), 'p');
    let error: unknown;
    try {
      policyOfSide(differing, 'trust');
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({
      hint: 'Ask once per role: --side trust with only --source-role-arn and --source-external-id, then with only the target ones.',
    });
  });
});
