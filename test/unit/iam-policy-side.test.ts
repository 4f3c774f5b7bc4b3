/**
 * `ddbcopy iam-policy --side source|target|trust` (issue "the first hour", item 10): one pasteable
 * policy document on stdout and nothing else, flags that change no policy refused (exit 2, naming
 * the flag), and resources in the region and account the side's profile names when known. Runs the
 * CLI in-process; the profiles are real AWS config files in a temporary directory (AWS_CONFIG_FILE),
 * read as the SDK reads them. Nothing is asked of AWS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { copyPolicies, type PolicyDocument } from '../../src/plan/iam-policy.js';
import { validateCopyOptions } from '../../src/runs/copy/options.js';
import { profileDefaults } from '../../src/stores/dynamodb/profiles.js';
import { type MainResult, runMain } from '../harness/run-main.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-iam-side-'));
const configFile = path.join(dir, 'config');
const credentialsFile = path.join(dir, 'credentials');
const ENV_NAMES = [
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
] as const;
const saved: Partial<Record<(typeof ENV_NAMES)[number], string | undefined>> = {};

beforeAll(() => {
  writeFileSync(
    configFile,
    [
      '[default]',
      'region = us-west-2',
      '',
      '[profile prod]',
      'sso_session = corp',
      'sso_account_id = 111111111111',
      'sso_role_name = ReadOnly',
      'region = eu-west-1',
      '',
      '[profile staging]',
      'role_arn = arn:aws:iam::222222222222:role/admin',
      'source_profile = base',
      'region = eu-central-1',
      's3 =',
      '  max_concurrent_requests = 4',
      '',
      '[profile keys-only]',
      'region = ap-south-1',
      '',
      '[sso-session corp]',
      'sso_region = eu-west-1',
      'sso_start_url = https://corp.awsapps.com/start',
      '',
    ].join('\n'),
  );
  writeFileSync(
    credentialsFile,
    ['[base]', 'aws_access_key_id = AKIAEXAMPLE', 'aws_secret_access_key = secret', ''].join('\n'),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(() => {
  for (const name of ENV_NAMES) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
  process.env.AWS_CONFIG_FILE = configFile;
  process.env.AWS_SHARED_CREDENTIALS_FILE = credentialsFile;
});

afterEach(() => {
  for (const name of ENV_NAMES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

function run(args: string[]): Promise<MainResult> {
  return runMain(['iam-policy', ...args]);
}

const TABLES = ['--source', 'orders', '--target', 'orders'];

describe('iam-policy --side', () => {
  it('prints one policy document and nothing else: the same as that side of the full output', async () => {
    const flags = [...TABLES, '--source-region', 'eu-west-1', '--target-region', 'eu-central-1'];
    const whole = await run(flags);
    const all = JSON.parse(whole.stdout) as { source: PolicyDocument; target: PolicyDocument };
    for (const side of ['source', 'target'] as const) {
      const result = await run([...flags, '--side', side]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      const document = JSON.parse(result.stdout) as PolicyDocument;
      expect(Object.keys(document)).toEqual(['Version', 'Statement']);
      expect(document).toEqual(all[side]);
      expect(result.stdout).toBe(`${JSON.stringify(all[side], null, 2)}\n`);
    }
  });

  it('the flags that change a policy change it: --data-only, --follow, --sse-kms-key-id', async () => {
    const flags = [...TABLES, '--region', 'eu-west-1'];
    const dataOnly = JSON.parse((await run([...flags, '--data-only', '--side', 'target'])).stdout);
    expect(dataOnly.Statement[0].Action).toEqual(['dynamodb:DescribeTable', 'dynamodb:BatchWriteItem']);
    const follow = JSON.parse((await run([...flags, '--follow', '--side', 'source'])).stdout);
    expect(follow.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'ReadSourceTable',
      'ReadSourceStream',
      'ReadChangedItemsForKeysOnlyStreams',
    ]);
    const kms = JSON.parse((await run([...flags, '--sse-kms-key-id', 'k-1', '--side', 'target'])).stdout);
    expect(kms.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'ReplaceTargetTable',
      'UseTargetKmsKey',
    ]);
  });

  it.each([
    [['--yes'], '--yes'],
    [['-y'], '--yes'],
    [['--dry-run'], '--dry-run'],
    [['--segments', '4'], '--segments'],
    [['--concurrency', '8'], '--concurrency'],
    [['--write-rate', '500'], '--write-rate'],
    [['--read-rate', '50%'], '--read-rate'],
    [['--workers', '2'], '--workers'],
    [['--billing-mode', 'on-demand'], '--billing-mode'],
    [['--checkpoint', 'x.json'], '--checkpoint'],
    [['--target-endpoint-url', 'http://localhost:8000'], '--target-endpoint-url'],
    [['--filter-expression', 'a = :a'], '--filter-expression'],
    [['--mask', 'email:hash'], '--mask'],
    [['--json'], '--json'],
  ])('refuses %j, which changes no policy: exit 2, nothing on stdout', async (extra, flag) => {
    const result = await run([...TABLES, '--side', 'target', ...extra]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `${flag} does not change an IAM policy; iam-policy --side target refuses it.`,
    );
    expect(result.stderr).toContain(`Drop ${flag}`);
  });

  it('says why where it is not obvious: --exclude cannot narrow an IAM wildcard', async () => {
    const result = await run(['--tables', 'prod-*', '--exclude', 'prod-tmp*', '--side', 'source']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('IAM cannot leave tables out of a wildcard');
  });

  it('without --side, iam-policy takes the whole command line as before', async () => {
    const result = await run([...TABLES, '--region', 'eu-west-1', '-y', '--segments', '4']);
    expect(result.code, result.stderr).toBe(0);
    expect(Object.keys(JSON.parse(result.stdout))).toEqual(['source', 'target', 'trust']);
  });

  it('an unknown side is bad input', async () => {
    const result = await run([...TABLES, '--side', 'both']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--side must be source, target or trust, not 'both'.");
  });

  it("--side trust: the assumed role's trust policy, one document", async () => {
    const roles = [
      '--source-role-arn',
      'arn:aws:iam::111111111111:role/reader',
      '--source-external-id',
      'ext-1',
      '--principal',
      'arn:aws:iam::999999999999:role/runner',
    ];
    const one = await run([...TABLES, ...roles, '--side', 'trust']);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toEqual({
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
    });
    // Two roles with the same trust: still one document.
    const same = await run([
      ...TABLES,
      ...roles,
      '--target-role-arn',
      'arn:aws:iam::222222222222:role/writer',
      '--target-external-id',
      'ext-1',
      '--side',
      'trust',
    ]);
    expect(same.code, same.stderr).toBe(0);
    expect(JSON.parse(same.stdout)).toEqual(JSON.parse(one.stdout));
    // Two roles that need different trust policies: asked one at a time.
    const differ = await run([
      ...TABLES,
      ...roles,
      '--target-role-arn',
      'arn:aws:iam::222222222222:role/writer',
      '--side',
      'trust',
    ]);
    expect(differ.code).toBe(2);
    expect(differ.stdout).toBe('');
    expect(differ.stderr).toContain('need different trust policies');
    const none = await run([...TABLES, '--side', 'trust']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--source-role-arn or --target-role-arn');
  });
});

describe('iam-policy --side: region and account from the profile', () => {
  it("a profile's region, and the account of its role_arn or SSO account", async () => {
    const result = await run([
      ...TABLES,
      '--source-profile',
      'prod',
      '--target-profile',
      'staging',
      '--side',
      'target',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).Statement[0].Resource).toEqual([
      'arn:aws:dynamodb:eu-central-1:222222222222:table/orders',
    ]);
    const source = await run([...TABLES, '--profile', 'prod', '--side', 'source']);
    expect(JSON.parse(source.stdout).Statement[0].Resource).toEqual([
      'arn:aws:dynamodb:eu-west-1:111111111111:table/orders',
    ]);
  });

  it('what a profile does not name stays a wildcard; a flag wins over the profile', async () => {
    // Plain keys name no account; the region flag wins over the profile's.
    const keysOnly = await run([
      ...TABLES,
      '--profile',
      'keys-only',
      '--target-region',
      'us-east-2',
      '--side',
      'target',
    ]);
    expect(JSON.parse(keysOnly.stdout).Statement[0].Resource).toEqual([
      'arn:aws:dynamodb:us-east-2:*:table/orders',
    ]);
    // A profile that is not there: the placeholders, as without --side.
    const missing = await run([...TABLES, '--profile', 'nope', '--side', 'target']);
    expect(missing.code, missing.stderr).toBe(0);
    expect(JSON.parse(missing.stdout).Statement[0].Resource).toEqual(['arn:aws:dynamodb:*:*:table/orders']);
    // --expect-target-account names the account (a run refuses any other); --target-role-arn too.
    const expected = await run([
      ...TABLES,
      '--target-profile',
      'keys-only',
      '--expect-target-account',
      '333333333333',
      '--side',
      'target',
    ]);
    expect(JSON.parse(expected.stdout).Statement[0].Resource).toEqual([
      'arn:aws:dynamodb:ap-south-1:333333333333:table/orders',
    ]);
  });

  it('AWS_PROFILE is the profile of a side without one, and AWS_REGION wins over its region (as for a run)', async () => {
    process.env.AWS_PROFILE = 'staging';
    process.env.AWS_REGION = 'sa-east-1';
    expect(await profileDefaults(undefined)).toEqual({ region: 'sa-east-1', account: '222222222222' });
    const result = await run([...TABLES, '--side', 'target']);
    expect(JSON.parse(result.stdout).Statement[0].Resource).toEqual([
      'arn:aws:dynamodb:sa-east-1:222222222222:table/orders',
    ]);
  });

  it('a set: every selected table, in the profile region and account', async () => {
    const result = await run([
      '--tables',
      'prod-*',
      '--rename',
      'prod-=staging-',
      '--target-profile',
      'staging',
      '--side',
      'target',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).Statement[0].Resource).toEqual([
      'arn:aws:dynamodb:eu-central-1:222222222222:table/staging-*',
    ]);
  });

  it('without --side, nothing is looked up: the output is what it was', async () => {
    const result = await run([...TABLES, '--target-profile', 'staging']);
    const options = validateCopyOptions(
      { source: 'orders', target: 'orders', targetProfile: 'staging' },
      'policy',
    );
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(JSON.stringify(copyPolicies(options, undefined))));
    expect(JSON.parse(result.stdout).target.Statement[0].Resource).toEqual([
      'arn:aws:dynamodb:*:*:table/orders',
    ]);
  });
});
