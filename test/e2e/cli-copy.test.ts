/**
 * The built CLI, as a user runs it: two DynamoDB Local servers (two endpoints), two named profiles in
 * a temporary AWS config, `--yes --json`. The target is then scanned independently and compared.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { trickyItems, variedItems } from '../fixtures/items.js';
import { keyAttrsOf, richProvisionedTable } from '../fixtures/tables.js';
import { copyArgs, runCli, type TwoEndpoints, twoEndpoints } from '../harness/cli.js';
import {
  accountClient,
  createTableAndWait,
  itemsByKey,
  type LocalAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

describe('ddbcopy copy (built CLI, two endpoints, two profiles)', () => {
  let world: TwoEndpoints;
  let src: LocalAccount;
  let dst: LocalAccount;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    world = await twoEndpoints(inject('ddbEndpoint'), 'ddbcopy-e2e-');
    ({ src, dst, env } = world);
  }, 120_000);

  afterAll(async () => {
    await world?.close();
  });

  // About 30 s on an idle machine (seeding 1,500 items into a table with indexes, then the copy): the
  // default 60 s timed out once in CI while other runs loaded the cores to a load average of 30.
  it('recreates the table and copies every item; the JSON summary adds up', async () => {
    const definition = richProvisionedTable('orders');
    const srcClient = accountClient(src);
    const dstClient = accountClient(dst);
    await createTableAndWait(srcClient, definition);
    const items = [
      ...variedItems(1500, 11, keyAttrsOf(definition)),
      ...trickyItems({ pk: { name: 'pk', type: 'S' }, sk: { name: 'sk', type: 'S' } }),
    ];
    await putItems(srcClient, 'orders', items);
    await srcClient.send(
      new UpdateTimeToLiveCommand({
        TableName: 'orders',
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' },
      }),
    );

    const args = [...copyArgs('orders', src.endpoint, dst.endpoint), '--yes', '--json'];
    const result = await runCli([...args, '--verbose'], env);
    expect(result.stderr).not.toMatch(/NodeVersionSupportWarning|DeprecationWarning|MaxListeners|\n\s+at /);
    // No secret in any output or in the checkpoint, even with --verbose.
    const checkpoint = readdirSync(path.join(env.HOME!, '.ddbcopy')).map((f) =>
      readFileSync(path.join(env.HOME!, '.ddbcopy', f), 'utf8'),
    );
    for (const text of [result.stdout, result.stderr, ...checkpoint]) {
      expect(text).not.toContain(src.secretAccessKey);
      expect(text).not.toContain(dst.secretAccessKey);
    }
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({
      command: 'copy',
      status: 'completed',
      source: { table: 'orders', region: 'eu-west-1', endpoint: src.endpoint },
      target: { table: 'orders', region: 'us-west-2', endpoint: dst.endpoint },
      schema: { action: 'created', indexes: { global: 3, local: 1 }, settings: ['ttl'] },
      items: { scanned: items.length, written: items.length },
      resumed: false,
    });
    expect(summary.bytes).toBeGreaterThan(0);
    expect(summary.consumedCapacity.write).toBeGreaterThan(0);
    expect(summary.retries).toEqual({ unprocessedItems: 0, throttled: 0, errors: 0, expiredCredentials: 0 });
    expect(summary.durationMs).toBeGreaterThan(0);

    const source = itemsByKey(await scanAll(srcClient, 'orders'), ['pk', 'sk']);
    const target = itemsByKey(await scanAll(dstClient, 'orders'), ['pk', 'sk']);
    expect(target.size).toBe(items.length);
    for (const [key, item] of source) expect(target.get(key), key).toStrictEqual(item);

    // Run again: the target now exists and is replaced (the copy is repeatable, e.g. a nightly refresh).
    // ... and with --verify it proves the result itself.
    const again = await runCli([...args, '--verify', '--workers', '2'], env);
    expect(again.code, again.stderr).toBe(0);
    const verified = JSON.parse(again.stdout);
    expect(verified.schema.action).toBe('recreated');
    expect(again.stderr).toContain('on 2 threads');
    expect(verified.verification).toMatchObject({
      status: 'identical',
      sourceItems: items.length,
      targetItems: items.length,
      missing: 0,
      extra: 0,
      different: 0,
    });
  }, 180_000);

  it('without --yes and without a terminal, refuses to delete the existing target (exit 2)', async () => {
    const srcClient = accountClient(src);
    await createTableAndWait(srcClient, { ...richProvisionedTable('keepme') });
    await createTableAndWait(accountClient(dst), { ...richProvisionedTable('keepme') });
    const args = copyArgs('keepme', src.endpoint, dst.endpoint);
    const result = await runCli([...args, '--verbose'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: The target table 'keepme' exists and would be deleted");
    expect(result.stderr).not.toContain(src.secretAccessKey);
    expect(result.stderr).toContain('hint: Pass --yes');
  });

  it.each([
    [['copy', '--target', 'x'], /--source is required/],
    [['copy', '--source', 'a', '--target', 'b', '--bogus'], /unknown option '--bogus'/],
    [['copy', '--source', 'abc', '--target', 'abc', '--write-rate', 'fast'], /--write-rate must be/],
    [['copy', '--source', 'abc', '--target', 'abc', '--segments', '0'], /--segments must be a whole number/],
    [
      ['copy', '--source', 'arn:aws:dynamodb:eu-west-1:12:table/x', '--target', 'abc'],
      /not a valid DynamoDB table ARN/,
    ],
    [['copy', '--source', 'abc', '--target', 'abc', '--skip', 'ttl,colour'], /unknown setting 'colour'/],
    [['copy', '--target', 'abc', '--source'], /option '--source <table>' argument missing/],
    [
      [
        'copy',
        '--source',
        'arn:aws:dynamodb:eu-west-1:123456789012:table/abc',
        '--source-region',
        'us-east-1',
        '--target',
        'abc',
      ],
      /--source-region us-east-1 disagrees with the region in the table ARN \(eu-west-1\)/,
    ],
    [['copy', '--source', 'abc', '--target', 'abc', '--source-role-arn', 'reader'], /is not an IAM role ARN/],
    [
      ['copy', '--source', 'abc', '--target', 'abc', '--resume', '--restart'],
      /--resume and --restart cannot be used together/,
    ],
    [
      ['copy', '--source', 'abc', '--target', 'abc', '--data-only', '--billing-mode', 'provisioned'],
      /--data-only keeps the existing one/,
    ],
  ])('bad flags %j exit 2 with a clear message and no stack', async (args, message) => {
    const result = await runCli(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown profile is named as such, with the profiles that exist (exit 2)', async () => {
    const result = await runCli(
      [
        'copy',
        '--source',
        'orders',
        '--target',
        'orders',
        '--source-profile',
        'nosuch',
        '--source-endpoint-url',
        src.endpoint,
        '--source-region',
        'eu-west-1',
      ],
      env,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /error: The source profile 'nosuch' does not exist in the shared AWS config/,
    );
    expect(result.stderr).toMatch(/hint: Profiles found: dst, src\./);
  });
});
