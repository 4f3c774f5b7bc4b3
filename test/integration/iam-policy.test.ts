/**
 * `ddbcopy iam-policy` lists exactly the actions a copy sends: copies run through one fault proxy per
 * side (which also emulates the tag and PITR APIs DynamoDB Local lacks), and the operations each
 * proxy saw must equal the actions of that side's policy for the same options, no more, no less.
 */

import { PassThrough } from 'node:stream';
import {
  DynamoDBClient,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { copyPolicies, type PolicyStatement, tableSetPolicies } from '../../src/plan/iam-policy.js';
import { renamePattern } from '../../src/plan/table-selection.js';
import { validateCopyOptions } from '../../src/runs/copy/options.js';
import { runCopy } from '../../src/runs/copy/run-copy.js';
import { runCopyTables } from '../../src/runs/tables/copy-tables.js';
import { validateTableSetOptions } from '../../src/runs/tables/options.js';
import { variedItems } from '../fixtures/items.js';
import { hashRangeTable } from '../fixtures/tables.js';
import { localCopyOptions } from '../harness/copy-options.js';
import { type FaultProxy, startFaultProxy } from '../harness/fault-proxy.js';
import { createTableAndWait, type LocalAccount, newAccount, putItems } from '../harness/local-accounts.js';

const endpoint = inject('ddbEndpoint');
const KEYS = { pk: { name: 'pk', type: 'S' as const }, sk: { name: 'sk', type: 'N' as const } };

describe('iam-policy matches what a copy does', () => {
  let sourceProxy: FaultProxy;
  let targetProxy: FaultProxy;
  let src: LocalAccount;

  beforeAll(async () => {
    sourceProxy = await startFaultProxy({ upstream: endpoint });
    targetProxy = await startFaultProxy({ upstream: endpoint });
    src = newAccount(sourceProxy.endpoint, 'eu-west-1');
    const client = new DynamoDBClient({
      region: src.region,
      endpoint: sourceProxy.endpoint,
      credentials: src,
    });
    const table = await createTableAndWait(client, hashRangeTable('orders', 'S', 'N'));
    await putItems(client, 'orders', variedItems(50, 2, KEYS));
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: 'orders',
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' },
      }),
    );
    await client.send(
      new TagResourceCommand({ ResourceArn: table.TableArn, Tags: [{ Key: 'team', Value: 'a' }] }),
    );
    await client.send(
      new UpdateContinuousBackupsCommand({
        TableName: 'orders',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
  });

  afterAll(async () => {
    await sourceProxy?.close();
    await targetProxy?.close();
  });

  it.each([
    ['recreate, every setting', {}],
    ['recreate, --skip ttl,tags', { skip: 'ttl,tags' }],
    ['--data-only', { dataOnly: true }],
    ['--schema-only', { schemaOnly: true }],
    ['with --verify', { verify: true }],
  ])('%s', async (_name, flags) => {
    const dst = newAccount(targetProxy.endpoint, 'us-east-1');
    const options = localCopyOptions(
      { account: src, table: 'orders' },
      { account: dst, table: 'orders' },
      { yes: true, ...flags },
    );
    // An existing target: --data-only writes into it, the others delete it first, and the policy must say so.
    const client = new DynamoDBClient({
      region: dst.region,
      endpoint: targetProxy.endpoint,
      credentials: dst,
    });
    await createTableAndWait(client, hashRangeTable('orders', 'S', 'N'));
    sourceProxy.reset();
    targetProxy.reset();
    const outcome = await runCopy(options);
    expect(outcome.error).toBeUndefined();

    const seen = (proxy: FaultProxy) =>
      Object.keys(proxy.counts().requests)
        .map((operation) => `dynamodb:${operation}`)
        .sort();
    const policies = copyPolicies(options, undefined);
    expect(seen(sourceProxy)).toEqual([...policies.source.Statement[0]!.Action].sort());
    expect(seen(targetProxy)).toEqual([...policies.target.Statement[0]!.Action].sort());
  });

  // A follow replays the records made within its margin (5 minutes) before the scan: the items just
  // put are replayed, so a KEYS_ONLY stream makes the follow read each of them again with GetItem.
  it.each([
    // This table has no TTL, PITR or tags to copy: skipped, so the policy's late settings match.
    ['--follow, KEYS_ONLY stream (recreate)', 'KEYS_ONLY', { skip: 'ttl,pitr,tags' }],
    ['--follow, NEW_AND_OLD_IMAGES stream, --data-only', 'NEW_AND_OLD_IMAGES', { dataOnly: true }],
  ] as const)('%s', async (_name, viewType, flags) => {
    const table = `followed-${viewType.toLowerCase()}`;
    const sourceClient = new DynamoDBClient({
      region: src.region,
      endpoint: sourceProxy.endpoint,
      credentials: src,
    });
    await createTableAndWait(sourceClient, {
      ...hashRangeTable(table, 'S', 'N'),
      StreamSpecification: { StreamEnabled: true, StreamViewType: viewType },
    });
    await putItems(sourceClient, table, variedItems(30, 3, KEYS));
    const dst = newAccount(targetProxy.endpoint, 'us-east-1');
    await createTableAndWait(
      new DynamoDBClient({ region: dst.region, endpoint: targetProxy.endpoint, credentials: dst }),
      hashRangeTable(table, 'S', 'N'),
    );
    const options = localCopyOptions(
      { account: src, table },
      { account: dst, table },
      { yes: true, follow: true, untilCaughtUp: true, ...flags },
    );
    sourceProxy.reset();
    targetProxy.reset();
    const outcome = await runCopy(options);
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary.follow?.status).toBe('caught-up');
    expect(outcome.summary.follow?.records).toBe(30);

    const seen = (proxy: FaultProxy) =>
      Object.keys(proxy.counts().requests)
        .map((operation) => `dynamodb:${operation}`)
        .sort();
    const actions = (statements: PolicyStatement[]) =>
      [...new Set(statements.flatMap((s) => s.Action))].sort();
    const policies = copyPolicies(options, undefined);
    // GetItem is granted whatever the view type (iam-policy does not read the source), and sent
    // only for a stream without new images.
    const granted = actions(policies.source.Statement).filter(
      (action) => viewType === 'KEYS_ONLY' || action !== 'dynamodb:GetItem',
    );
    expect(seen(sourceProxy)).toEqual(granted);
    // The target gets puts and deletes through BatchWriteItem, which the copy's policy already has.
    expect(policies.target.Statement).toHaveLength(1);
    expect(seen(targetProxy)).toEqual(actions(policies.target.Statement));
    expect(seen(targetProxy)).toEqual(
      [...copyPolicies({ ...options, follow: undefined }, undefined).target.Statement[0]!.Action].sort(),
    );
  });

  it('a set (--tables, --rename): the policies add ListTables and cover every selected table', async () => {
    const dst = newAccount(targetProxy.endpoint, 'us-east-1');
    const flags = {
      tables: 'ord*',
      rename: ['ord=copy-ord'],
      sourceRegion: src.region,
      targetRegion: dst.region,
      sourceEndpointUrl: sourceProxy.endpoint,
      targetEndpointUrl: targetProxy.endpoint,
      checkpoint: `${process.env.TMPDIR ?? '/tmp'}/ddbcopy-iam-set-${dst.accessKeyId}.json`,
      yes: true,
    };
    const set = validateTableSetOptions(flags, 'copy');
    // An existing target, deleted first: the policy must allow that too.
    await createTableAndWait(
      new DynamoDBClient({ region: dst.region, endpoint: targetProxy.endpoint, credentials: dst }),
      hashRangeTable('copy-orders', 'S', 'N'),
    );
    const keys = (account: LocalAccount) => ({
      accessKeyId: account.accessKeyId,
      secretAccessKey: account.secretAccessKey,
    });
    sourceProxy.reset();
    targetProxy.reset();
    const outcome = await runCopyTables({
      ...set,
      source: { ...set.source, credentials: keys(src) },
      target: { ...set.target, credentials: keys(dst) },
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary.tables.map((t) => t.target.table)).toEqual(['copy-orders']);

    const base = validateCopyOptions({ ...set.tableFlags, source: 'x', target: 'y' });
    const policies = tableSetPolicies(
      { ...base, source: { ...set.source, table: 'x' }, target: { ...set.target, table: 'y' } },
      {
        sources: set.include,
        targets: set.include.map((glob) => renamePattern(glob, set.renames)),
        byTag: false,
      },
      undefined,
    );
    const actions = (statements: { Action: string[] }[]) =>
      [...new Set(statements.flatMap((s) => s.Action))].sort();
    const seen = (proxy: FaultProxy) =>
      Object.keys(proxy.counts().requests)
        .map((operation) => `dynamodb:${operation}`)
        .sort();
    expect(seen(sourceProxy)).toEqual(actions(policies.source.Statement));
    expect(seen(targetProxy)).toEqual(actions(policies.target.Statement));
    expect(policies.source.Statement[0]!.Resource).toEqual(['arn:aws:dynamodb:eu-west-1:*:table/ord*']);
    expect(policies.target.Statement[0]!.Resource).toEqual(['arn:aws:dynamodb:us-east-1:*:table/copy-ord*']);
  });
});

describe('iam-policy --follow', () => {
  const sides = {
    sourceRegion: 'eu-west-1',
    targetRegion: 'eu-central-1',
    sourceRoleArn: 'arn:aws:iam::111111111111:role/reader',
    targetRoleArn: 'arn:aws:iam::222222222222:role/writer',
  };
  const followStatements: PolicyStatement[] = [
    {
      Sid: 'ReadSourceStream',
      Effect: 'Allow',
      Action: ['dynamodb:DescribeStream', 'dynamodb:GetShardIterator', 'dynamodb:GetRecords'],
      Resource: ['arn:aws:dynamodb:eu-west-1:111111111111:table/orders/stream/*'],
    },
    {
      Sid: 'ReadChangedItemsForKeysOnlyStreams',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem'],
      Resource: ['arn:aws:dynamodb:eu-west-1:111111111111:table/orders'],
    },
  ];

  it("adds the stream's reads and GetItem to the source role, and nothing to the target role", () => {
    const flags = { source: 'orders', target: 'orders', ...sides };
    const without = copyPolicies(validateCopyOptions(flags, 'policy'), undefined);
    const withFollow = copyPolicies(validateCopyOptions({ ...flags, follow: true }, 'policy'), undefined);
    expect(withFollow.source.Statement).toEqual([...without.source.Statement, ...followStatements]);
    expect(withFollow.target).toEqual(without.target);
    const untilCaughtUp = copyPolicies(
      validateCopyOptions({ ...flags, follow: true, untilCaughtUp: true, dataOnly: true }, 'policy'),
      undefined,
    );
    expect(untilCaughtUp.source.Statement.slice(1)).toEqual(followStatements);
    expect(untilCaughtUp.target.Statement[0]!.Action).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:BatchWriteItem',
    ]);
  });

  it('the command line: `ddbcopy iam-policy --follow --until-caught-up` prints them', async () => {
    let stdout = '';
    const out = new PassThrough();
    out.on('data', (chunk) => {
      stdout += String(chunk);
    });
    const io = { stdin: new PassThrough(), stdout: out, stderr: new PassThrough() } as unknown as CliIO;
    const args = ['--source', 'orders', '--target', 'orders', '--source-region', 'eu-west-1'];
    const roles = ['--source-role-arn', sides.sourceRoleArn, '--target-role-arn', sides.targetRoleArn];
    const code = await main(
      ['iam-policy', ...args, '--target-region', 'eu-central-1', ...roles, '--follow', '--until-caught-up'],
      io,
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(code).toBe(0);
    const policies = JSON.parse(stdout) as { source: { Statement: PolicyStatement[] } };
    expect(policies.source.Statement.slice(1)).toEqual(followStatements);
  });

  it('no stream statement without --follow', () => {
    for (const extra of [{}, { dataOnly: true }, { verify: true }]) {
      const policies = copyPolicies(
        validateCopyOptions({ source: 'orders', target: 'orders', ...sides, ...extra }, 'policy'),
        undefined,
      );
      const all = [...policies.source.Statement, ...policies.target.Statement];
      expect(
        all.flatMap((s) => s.Action).filter((a) => /Stream|ShardIterator|GetRecords|GetItem/.test(a)),
      ).toEqual([]);
      expect(all.flatMap((s) => s.Resource ?? []).filter((r) => r.includes('/stream/'))).toEqual([]);
    }
  });

  it('a source named by its ARN: the stream resource is under that ARN (its partition and account)', () => {
    const arn = 'arn:aws-cn:dynamodb:cn-north-1:333333333333:table/orders';
    const policies = copyPolicies(
      validateCopyOptions(
        { source: arn, target: 'orders', targetRegion: 'cn-north-1', follow: true },
        'policy',
      ),
      undefined,
    );
    expect(policies.source.Statement.map((s) => [s.Sid, s.Resource])).toEqual([
      ['ReadSourceTable', [arn]],
      ['ReadSourceStream', [`${arn}/stream/*`]],
      ['ReadChangedItemsForKeysOnlyStreams', [arn]],
    ]);
  });

  it('a set: one stream resource per selected source glob, as IAM wildcards', () => {
    const set = validateTableSetOptions(
      { tables: 'prod-*,users', rename: ['prod-=staging-'], follow: true, untilCaughtUp: true, ...sides },
      'copy',
    );
    const base = validateCopyOptions({ ...set.tableFlags, source: 'x', target: 'y' }, 'policy');
    const policies = tableSetPolicies(
      { ...base, source: { ...set.source, table: 'x' }, target: { ...set.target, table: 'y' } },
      {
        sources: set.include,
        targets: set.include.map((glob) => renamePattern(glob, set.renames)),
        byTag: false,
      },
      undefined,
    );
    const bySid = new Map(policies.source.Statement.map((s) => [s.Sid, s]));
    expect(bySid.get('ReadSourceStream')?.Resource).toEqual([
      'arn:aws:dynamodb:eu-west-1:111111111111:table/prod-*/stream/*',
      'arn:aws:dynamodb:eu-west-1:111111111111:table/users/stream/*',
    ]);
    expect(bySid.get('ReadChangedItemsForKeysOnlyStreams')?.Resource).toEqual([
      'arn:aws:dynamodb:eu-west-1:111111111111:table/prod-*',
      'arn:aws:dynamodb:eu-west-1:111111111111:table/users',
    ]);
    expect(bySid.has('ListSourceTables')).toBe(true);
    expect(policies.target.Statement.map((s) => s.Sid)).toEqual(['ReplaceTargetTable']);
    expect(policies.target.Statement[0]!.Resource).toEqual([
      'arn:aws:dynamodb:eu-central-1:222222222222:table/staging-*',
      'arn:aws:dynamodb:eu-central-1:222222222222:table/users',
    ]);
  });
});
