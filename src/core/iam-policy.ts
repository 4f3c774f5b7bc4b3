import type { CopyOptions } from '../options.js';
import type { SideConfig } from '../stores/dynamodb/client.js';

/**
 * Pure: the least-privilege IAM policies a copy needs, from the options it will run with. Every
 * action here is one the copy sends (the fault-proxy test checks the two lists against each other),
 * scoped to the one table on each side.
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

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface CopyPolicies {
  source: PolicyDocument;
  target: PolicyDocument;
  /** Trust policies for the roles named with --X-role-arn, letting `principal` assume them. */
  trust: { source?: PolicyDocument; target?: PolicyDocument };
}

/** What the copy reads on the source: the table, then each setting it copies. */
export function sourceActions(options: Pick<CopyOptions, 'skip' | 'mode'>): string[] {
  const actions = ['dynamodb:DescribeTable'];
  if (options.mode !== 'schema-only') actions.push('dynamodb:Scan');
  if (options.mode === 'data-only') return actions;
  if (!options.skip.has('ttl')) actions.push('dynamodb:DescribeTimeToLive');
  if (!options.skip.has('pitr')) actions.push('dynamodb:DescribeContinuousBackups');
  if (!options.skip.has('tags')) actions.push('dynamodb:ListTagsOfResource');
  return actions;
}

/** What the copy does to the target: replace it, write items, apply the late settings. */
export function targetActions(options: Pick<CopyOptions, 'skip' | 'mode'>): string[] {
  if (options.mode === 'data-only') return ['dynamodb:DescribeTable', 'dynamodb:BatchWriteItem'];
  const actions = ['dynamodb:DescribeTable', 'dynamodb:DeleteTable', 'dynamodb:CreateTable'];
  if (options.mode !== 'schema-only') actions.push('dynamodb:BatchWriteItem');
  if (!options.skip.has('ttl')) actions.push('dynamodb:UpdateTimeToLive');
  if (!options.skip.has('pitr')) actions.push('dynamodb:UpdateContinuousBackups');
  if (!options.skip.has('tags')) actions.push('dynamodb:TagResource');
  return actions;
}

/** `--verify` reads both tables again, as `ddbcopy verify` does: each side like a source. */
function verifyActions(options: Pick<CopyOptions, 'skip'>): string[] {
  return sourceActions({ skip: options.skip, mode: 'recreate' });
}

export function copyPolicies(options: CopyOptions, principal: string | undefined): CopyPolicies {
  const withVerify = (actions: string[]): string[] =>
    options.verify ? [...new Set([...actions, ...verifyActions(options)])] : actions;
  const source = document('ReadSourceTable', withVerify(sourceActions(options)), [tableArn(options.source)]);
  const target = document('ReplaceTargetTable', withVerify(targetActions(options)), [
    tableArn(options.target),
  ]);
  if (options.sseKmsKeyId && options.mode !== 'data-only') {
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

function document(sid: string, actions: string[], resources: string[]): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: sid, Effect: 'Allow', Action: actions, Resource: resources }],
  };
}

/** The side's table ARN; unknown parts (region, account) are wildcards the user should fill in. */
export function tableArn(side: Readonly<SideConfig>): string {
  if (side.table.startsWith('arn:')) return side.table;
  const account = /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(side.roleArn ?? '')?.[1] ?? '*';
  return `arn:aws:dynamodb:${side.region ?? '*'}:${account}:table/${side.table}`;
}

function kmsKeyArn(key: string, side: Readonly<SideConfig>): string {
  if (key.startsWith('arn:')) return key;
  const account = /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(side.roleArn ?? '')?.[1] ?? '*';
  return `arn:aws:kms:${side.region ?? '*'}:${account}:key/${key.replace(/^alias\//, '*')}`;
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
