/**
 * Who each side is, through the built CLI as a user runs it (issue "the first hour", items 4 and 10):
 * two profiles in a temporary AWS config, DynamoDB Local for the tables, and the fake STS
 * (test/harness/fake-sts.ts) found through AWS_ENDPOINT_URL_STS, which maps each profile's keys to a
 * 12-digit account (DynamoDB Local has neither STS nor accounts). A "staging" profile that resolves to
 * another account is refused, exit 2, the target untouched; --dry-run names both accounts; and
 * `iam-policy --side` prints one document.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { variedItems } from '../fixtures/items.js';
import { hashOnlyTable, keyAttrsOf } from '../fixtures/tables.js';
import { assertBuilt, runCli, userEnv } from '../harness/cli.js';
import { type FakeSts, startFakeSts } from '../harness/fake-sts.js';
import {
  accountClient,
  createTableAndWait,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

describe('who each side is (built CLI, two profiles, fake STS)', () => {
  let sts: FakeSts;
  let src: LocalAccount;
  let dst: LocalAccount;
  let home: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    assertBuilt();
    const endpoint = inject('ddbEndpoint');
    src = newAccount(endpoint, 'eu-west-1');
    dst = newAccount(endpoint, 'eu-west-1');
    sts = await startFakeSts({
      roles: {},
      users: {
        [src.accessKeyId]: { account: '111111111111', name: 'ci' },
        [dst.accessKeyId]: { account: '999999999999', name: 'ci' },
      },
    });
    home = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-e2e-whoami-'));
    env = { ...userEnv(home, { prod: src, staging: dst }), AWS_ENDPOINT_URL_STS: sts.endpoint };
    const table = hashOnlyTable('orders', 'S');
    await createTableAndWait(accountClient(src), table);
    await putItems(accountClient(src), 'orders', variedItems(50, 1, keyAttrsOf(table)));
    await createTableAndWait(accountClient(dst), table);
    await putItems(accountClient(dst), 'orders', variedItems(7, 2, keyAttrsOf(table)));
  }, 120_000);

  afterAll(async () => {
    await sts?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const copy = () => [
    'copy',
    ...[
      '--source',
      'orders',
      '--target',
      'orders',
      '--source-profile',
      'prod',
      '--target-profile',
      'staging',
    ],
    ...['--endpoint-url', src.endpoint],
  ];

  it('--expect-target-account: a profile that resolves to another account is refused, exit 2, nothing touched', async () => {
    const result = await runCli([...copy(), '--expect-target-account', '222222222222', '--yes'], env);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      'error: The target credentials, profile staging, belong to account 999999999999, not 222222222222 as --expect-target-account says.',
    );
    expect(result.stderr).toContain("'aws sts get-caller-identity --profile staging'");
    expect(result.stderr).not.toContain('[2/');
    expect((await scanAll(accountClient(dst), 'orders')).length).toBe(7);
  });

  it('--dry-run names each side with its account and profile, and what the target holds', async () => {
    const result = await runCli([...copy(), '--dry-run'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `  source     'orders' in eu-west-1 at ${src.endpoint}, account 111111111111, profile prod`,
    );
    expect(result.stdout).toContain(
      `  target     'orders' in eu-west-1 at ${dst.endpoint}, account 999999999999, profile staging; holds ~7 items`,
    );
    expect(result.stdout).toContain("  action     DELETE the existing 'orders', then create it anew");
  });

  it('the right accounts: the copy runs and its --json summary names them', async () => {
    const result = await runCli(
      [
        ...copy(),
        '--expect-source-account',
        '111111111111',
        '--expect-target-account',
        '9999-9999-9999',
        '--yes',
        '--json',
      ],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: 'completed',
      source: { table: 'orders', account: '111111111111' },
      target: { table: 'orders', account: '999999999999' },
    });
    expect((await scanAll(accountClient(dst), 'orders')).length).toBe(50);
  });

  it('iam-policy --side target: one document on stdout; a flag that changes no policy is refused', async () => {
    const args = ['iam-policy', '--source', 'orders', '--target', 'orders', '--target-profile', 'staging'];
    const document = await runCli([...args, '--side', 'target'], env);
    expect(document.code, document.stderr).toBe(0);
    const policy = JSON.parse(document.stdout);
    expect(Object.keys(policy)).toEqual(['Version', 'Statement']);
    // The profile's region; its plain keys name no account.
    expect(policy.Statement[0].Resource).toEqual(['arn:aws:dynamodb:eu-west-1:*:table/orders']);
    const refused = await runCli([...args, '--side', 'target', '--write-rate', '500'], env);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('--write-rate does not change an IAM policy');
  });
});
