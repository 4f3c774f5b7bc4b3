/**
 * `ddbcopy iam-policy` lists exactly the actions a copy sends: copies run through one fault proxy per
 * side (which also emulates the tag and PITR APIs DynamoDB Local lacks), and the operations each
 * proxy saw must equal the actions of that side's policy for the same options, no more, no less.
 */
import {
  DynamoDBClient,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { copyPolicies, tableSetPolicies } from '../../src/plan/iam-policy.js';
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
