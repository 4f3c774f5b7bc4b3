import { InvalidOptionError } from '../errors.js';
import type { SideConfig } from '../model/side-config.js';
import type { CopyMode, S3Location } from './option-values.js';
import type { SkippableSetting } from './translate-schema.js';
import { maskedExportPrefix } from './via-export-plan.js';

/**
 * Pure: the least-privilege IAM policies a copy needs, from the options it will run with. Every
 * action here is one the copy sends (the fault-proxy test checks the two lists against each other;
 * --follow's GetItem is sent only for a stream without new images), scoped to the one table on each
 * side.
 */
export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  /** Absent in trust policies, which name a principal instead. */
  Resource?: string[];
  Principal?: { AWS: string };
  Condition?: Record<string, Record<string, string>>;
}

/** An IAM policy document, as IAM takes it. */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/**
 * A side as the policies see it: its config, and the account its profile names when that was looked
 * up (`iam-policy --side`: the profile's role_arn, sso_account_id or aws_account_id).
 */
export type PolicySideConfig = Readonly<SideConfig> & { readonly profileAccount?: string | undefined };

/** What the policies are made from: a copy's options (the runs' validated CopyOptions are such options). */
export interface PolicyOptions {
  readonly source: PolicySideConfig;
  readonly target: PolicySideConfig;
  readonly mode: CopyMode;
  readonly skip: ReadonlySet<SkippableSetting>;
  /** --verify: both tables are read again after the copy. */
  readonly verify: boolean;
  readonly sseKmsKeyId: string | undefined;
  readonly viaExport?: S3Location | undefined;
  /** --mask, --mask-file, --transform: with --via-export, the export's files are masked in the bucket. */
  readonly masks?: readonly unknown[] | undefined;
  readonly maskFile?: string | undefined;
  readonly transform?: { readonly module: string } | undefined;
  /** --follow: after the copy, the source's stream is read and applied to the target. */
  readonly follow?: { readonly untilCaughtUp: boolean } | undefined;
  /** --prune: the target is scanned for its keys, the source asked which exist (BatchGetItem). */
  readonly prune?: boolean | undefined;
}

/** The least-privilege policies of a copy: the source role's, the target role's, and trust policies. */
export interface CopyPolicies {
  source: PolicyDocument;
  target: PolicyDocument;
  /** Trust policies for the roles named with --X-role-arn, letting `principal` assume them. */
  trust: { source?: PolicyDocument; target?: PolicyDocument };
}

/** What the copy reads on the source: the table, then each setting it copies. */
export function sourceActions(options: Pick<PolicyOptions, 'skip' | 'mode'>): string[] {
  const actions = ['dynamodb:DescribeTable'];
  if (options.mode !== 'schema-only') actions.push('dynamodb:Scan');
  if (options.mode === 'data-only') return actions;
  if (!options.skip.has('ttl')) actions.push('dynamodb:DescribeTimeToLive');
  if (!options.skip.has('pitr')) actions.push('dynamodb:DescribeContinuousBackups');
  if (!options.skip.has('tags')) actions.push('dynamodb:ListTagsOfResource');
  return actions;
}

/** What the copy does to the target: replace it, write items, apply the late settings. */
export function targetActions(options: Pick<PolicyOptions, 'skip' | 'mode'>): string[] {
  if (options.mode === 'data-only') return ['dynamodb:DescribeTable', 'dynamodb:BatchWriteItem'];
  const actions = ['dynamodb:DescribeTable', 'dynamodb:DeleteTable', 'dynamodb:CreateTable'];
  if (options.mode !== 'schema-only') actions.push('dynamodb:BatchWriteItem');
  if (!options.skip.has('ttl')) actions.push('dynamodb:UpdateTimeToLive');
  if (!options.skip.has('pitr')) actions.push('dynamodb:UpdateContinuousBackups');
  if (!options.skip.has('tags')) actions.push('dynamodb:TagResource');
  return actions;
}

/** `--verify` reads both tables again, as `ddbcopy verify` does: each side like a source. */
function verifyActions(options: Pick<PolicyOptions, 'skip'>): string[] {
  return sourceActions({ skip: options.skip, mode: 'recreate' });
}

/**
 * The least-privilege policies a copy with these options needs: the source role's, the target role's,
 * and, with a principal, each role's trust policy. `--via-export` adds the bucket's and the jobs' actions.
 */
export function copyPolicies(options: PolicyOptions, principal: string | undefined): CopyPolicies {
  if (options.viaExport) return viaExportPolicies(options, principal);
  const withVerify = (actions: string[]): string[] =>
    options.verify ? [...new Set([...actions, ...verifyActions(options)])] : actions;
  const source = document('ReadSourceTable', withVerify(sourceActions(options)), [tableArn(options.source)]);
  const target = document('ReplaceTargetTable', withVerify(targetActions(options)), [
    tableArn(options.target),
  ]);
  // --prune deletes with BatchWriteItem (granted already) after scanning the target's keys.
  if (options.prune) {
    source.Statement[0]!.Action = [...new Set([...source.Statement[0]!.Action, 'dynamodb:BatchGetItem'])];
    target.Statement[0]!.Action = [...new Set([...target.Statement[0]!.Action, 'dynamodb:Scan'])];
  }
  // The target needs nothing more: a follow writes puts and deletes with BatchWriteItem, already granted.
  if (options.follow) source.Statement.push(...followStatements([tableArn(options.source)]));
  return finishPolicies(source, target, options, principal, options.mode !== 'data-only');
}

/**
 * The policies of a copy of a set of tables: the one-table policies with every selected table's ARN
 * (IAM resources take the same `*` and `?` wildcards as --tables), and on the source ListTables (on
 * `*`: IAM scopes it to no table) to find the set, and ListTagsOfResource for --tables-tagged.
 */
export function tableSetPolicies(
  options: PolicyOptions,
  tables: { sources: readonly string[]; targets: readonly string[]; byTag: boolean },
  principal: string | undefined,
): CopyPolicies {
  const policies = copyPolicies(options, principal);
  const arns = (side: PolicySideConfig, names: readonly string[]): string[] => [
    ...new Set(names.map((table) => tableArn({ ...side, table }))),
  ];
  policies.source.Statement[0]!.Resource = arns(options.source, tables.sources);
  policies.target.Statement[0]!.Resource = arns(options.target, tables.targets);
  if (options.follow) {
    const followed = followStatements(arns(options.source, tables.sources));
    policies.source.Statement = policies.source.Statement.map(
      (statement) => followed.find((replacement) => replacement.Sid === statement.Sid) ?? statement,
    );
  }
  if (tables.byTag && !policies.source.Statement[0]!.Action.includes('dynamodb:ListTagsOfResource')) {
    policies.source.Statement[0]!.Action.push('dynamodb:ListTagsOfResource');
  }
  policies.source.Statement.push({
    Sid: 'ListSourceTables',
    Effect: 'Allow',
    Action: ['dynamodb:ListTables'],
    Resource: ['*'],
  });
  return policies;
}

/** What a follow reads of the source's stream: its shards, an iterator per shard, their records. */
const FOLLOW_STREAM_ACTIONS: readonly string[] = [
  'dynamodb:DescribeStream',
  'dynamodb:GetShardIterator',
  'dynamodb:GetRecords',
];

/**
 * --follow on the source: the stream's reads on every stream of each table (`table/NAME/stream/*`: a
 * re-enabled stream gets a new ARN, so no one ARN can be named ahead), and a consistent GetItem on the
 * table, which a follow sends for each changed key when the stream carries no new image (KEYS_ONLY,
 * OLD_IMAGE). Granted whatever the view type: iam-policy does not read the source.
 */
function followStatements(tables: readonly string[]): PolicyStatement[] {
  return [
    {
      Sid: 'ReadSourceStream',
      Effect: 'Allow',
      Action: [...FOLLOW_STREAM_ACTIONS],
      Resource: tables.map((table) => `${table}/stream/*`),
    },
    {
      Sid: 'ReadChangedItemsForKeysOnlyStreams',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem'],
      Resource: [...tables],
    },
  ];
}

/** --via-export on the source: describe, then AWS's export (PITR must be readable: the preflight checks it). */
export function viaExportSourceActions(options: Pick<PolicyOptions, 'skip'>): string[] {
  const actions = [
    'dynamodb:DescribeTable',
    'dynamodb:DescribeContinuousBackups',
    'dynamodb:ExportTableToPointInTime',
    'dynamodb:DescribeExport',
  ];
  if (!options.skip.has('ttl')) actions.push('dynamodb:DescribeTimeToLive');
  if (!options.skip.has('tags')) actions.push('dynamodb:ListTagsOfResource');
  return actions;
}

/** --via-export on the target: replace it through ImportTable, then the settings it does not take. */
export function viaExportTargetActions(options: Pick<PolicyOptions, 'skip'>): string[] {
  const actions = [
    'dynamodb:DescribeTable',
    'dynamodb:DeleteTable',
    'dynamodb:ImportTable',
    'dynamodb:DescribeImport',
  ];
  if (!options.skip.has('ttl')) actions.push('dynamodb:UpdateTimeToLive');
  if (!options.skip.has('pitr')) actions.push('dynamodb:UpdateContinuousBackups');
  if (!options.skip.has('tags')) actions.push('dynamodb:TagResource');
  // Streams, table class and deletion protection: whichever the source has (not known here).
  actions.push('dynamodb:UpdateTable');
  return actions;
}

/**
 * --via-export's policies, as AWS documents them: the export needs s3:AbortMultipartUpload,
 * s3:PutObject and s3:PutObjectAcl on the bucket ("Requesting a table export in DynamoDB"); the import
 * needs s3:GetObject and s3:ListBucket, and CloudWatch Logs actions on the /aws-dynamodb/ log groups
 * it writes item errors to ("Requesting a table import in DynamoDB").
 *
 * With masks or a transform, ddbcopy itself reads the export's data files and writes their masked
 * copy between the two jobs, signed with the SOURCE's credentials (the account the unmasked data
 * belongs to): s3:GetObject on the export, and under `<prefix>/masked/` s3:PutObject,
 * s3:AbortMultipartUpload (a data file is a multipart upload) and s3:DeleteObject (a masking that
 * fails removes its partial copy). The target then reads only `<prefix>/masked/`: the account that
 * receives the masked table never needs to read the unmasked export. Nothing outside `masked/` is
 * written or deleted: AWS's export stays as it was.
 */
function viaExportPolicies(options: PolicyOptions, principal: string | undefined): CopyPolicies {
  const s3 = options.viaExport!;
  const sourceTable = tableArn(options.source);
  const targetTable = tableArn(options.target);
  const objects = `arn:aws:s3:::${s3.bucket}/${s3.prefix ? `${s3.prefix}/` : ''}*`;
  const source = document('ExportSourceTable', viaExportSourceActions(options), [
    sourceTable,
    `${sourceTable}/export/*`,
  ]);
  source.Statement.push({
    Sid: 'WriteExportToBucket',
    Effect: 'Allow',
    Action: ['s3:AbortMultipartUpload', 's3:PutObject', 's3:PutObjectAcl'],
    Resource: [objects],
  });
  const masked = `arn:aws:s3:::${s3.bucket}/${maskedExportPrefix(s3)}/*`;
  if (changesItems(options)) {
    source.Statement.push(
      { Sid: 'ReadExportToMask', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [objects] },
      {
        Sid: 'WriteMaskedExportToBucket',
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject'],
        Resource: [masked],
      },
    );
  }
  const target = document('ImportTargetTable', viaExportTargetActions(options), [
    targetTable,
    `${targetTable}/import/*`,
  ]);
  target.Statement.push(
    {
      Sid: 'ReadExportFromBucket',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:ListBucket'],
      // With masks, only the masked copy: the unmasked export stays the source account's.
      Resource: [`arn:aws:s3:::${s3.bucket}`, changesItems(options) ? masked : objects],
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
      Resource: [
        `arn:aws:logs:${options.target.region ?? '*'}:${accountOf(options.target)}:log-group:/aws-dynamodb/*`,
      ],
    },
  );
  return finishPolicies(source, target, options, principal, true);
}

/** Whether the copy changes items (masks, a transform): with --via-export it rewrites the export's files. */
function changesItems(options: PolicyOptions): boolean {
  return (
    (options.masks?.length ?? 0) > 0 || options.maskFile !== undefined || options.transform !== undefined
  );
}

/**
 * The statements every policy set ends with: the target's KMS key when the new table is encrypted
 * with one (`createsTable`: only a created table is), and each assumed role's trust policy.
 */
function finishPolicies(
  source: PolicyDocument,
  target: PolicyDocument,
  options: PolicyOptions,
  principal: string | undefined,
  createsTable: boolean,
): CopyPolicies {
  if (options.sseKmsKeyId && createsTable) {
    target.Statement.push({
      Sid: 'UseTargetKmsKey',
      Effect: 'Allow',
      Action: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'],
      Resource: [kmsKeyArn(options.sseKmsKeyId, options.target)],
    });
  }
  const trust: CopyPolicies['trust'] = {};
  if (options.source.roleArn) trust.source = trustPolicy(principal, options.source.externalId);
  if (options.target.roleArn) trust.target = trustPolicy(principal, options.target.externalId);
  return { source, target, trust };
}

/**
 * The account a side's resources are in: the table ARN's; else --expect-X-account (a run refuses any
 * other); else the assumed role's; else the one the profile names; else `*` for the user to fill in.
 */
function accountOf(side: PolicySideConfig): string {
  if (side.table.startsWith('arn:')) return side.table.split(':')[4] ?? '*';
  return (
    side.expectAccount ??
    /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(side.roleArn ?? '')?.[1] ??
    side.profileAccount ??
    '*'
  );
}

function document(sid: string, actions: string[], resources: string[]): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: sid, Effect: 'Allow', Action: actions, Resource: resources }],
  };
}

/** The side's table ARN; unknown parts (region, account) are wildcards the user should fill in. */
export function tableArn(side: PolicySideConfig): string {
  if (side.table.startsWith('arn:')) return side.table;
  return `arn:aws:dynamodb:${side.region ?? '*'}:${accountOf(side)}:table/${side.table}`;
}

function kmsKeyArn(key: string, side: PolicySideConfig): string {
  if (key.startsWith('arn:')) return key;
  return `arn:aws:kms:${side.region ?? '*'}:${accountOf(side)}:key/${key.replace(/^alias\//, '*')}`;
}

function trustPolicy(principal: string | undefined, externalId: string | undefined): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'LetDdbcopyAssumeThisRole',
        Effect: 'Allow',
        Principal: { AWS: principal ?? 'arn:aws:iam::RUNNER_ACCOUNT_ID:role/RUNNER_ROLE' },
        Action: ['sts:AssumeRole'],
        ...(externalId ? { Condition: { StringEquals: { 'sts:ExternalId': externalId } } } : {}),
      },
    ],
  };
}

/** Which one policy document `iam-policy --side` prints. */
export type PolicySide = 'source' | 'target' | 'trust';

export const POLICY_SIDES: readonly PolicySide[] = ['source', 'target', 'trust'];

/**
 * The one document of `--side`: the source role's or the target role's policy, or the trust policy of
 * the role(s) named with --X-role-arn. Two roles whose trust policies differ (other external IDs)
 * cannot be one document: refused, saying how to ask for each.
 */
export function policyOfSide(policies: CopyPolicies, side: PolicySide): PolicyDocument {
  if (side !== 'trust') return policies[side];
  const trusts = [policies.trust.source, policies.trust.target].filter(
    (document): document is PolicyDocument => document !== undefined,
  );
  const [first] = trusts;
  if (!first) {
    throw new InvalidOptionError(
      '--side trust prints the trust policy of a role ddbcopy assumes; none is named.',
      {
        hint: 'Name the role with --source-role-arn or --target-role-arn (and its --X-external-id, if any).',
      },
    );
  }
  if (trusts.some((document) => JSON.stringify(document) !== JSON.stringify(first))) {
    throw new InvalidOptionError(
      'The source and target roles need different trust policies (their external IDs differ); --side trust prints one document.',
      {
        hint: 'Ask once per role: --side trust with only --source-role-arn and --source-external-id, then with only the target ones.',
      },
    );
  }
  return first;
}
