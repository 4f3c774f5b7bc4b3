/**
 * `ddbcopy verify` as a user runs it: the built CLI, two DynamoDB Local servers (two endpoints), two
 * named profiles in a temporary AWS config. Exit 0 on identical tables, 1 with the differences named
 * in the JSON document, 2 on bad input.
 */
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { trickyItems, variedItems } from '../fixtures/items.js';
import { keyAttrsOf, richOnDemandTable } from '../fixtures/tables.js';
import { runCli, type TwoEndpoints, twoEndpoints } from '../harness/cli.js';
import { accountClient, createTableAndWait, type LocalAccount, putItems } from '../harness/local-accounts.js';

describe('ddbcopy verify (built CLI, two endpoints, two profiles)', () => {
  let world: TwoEndpoints;
  let src: LocalAccount;
  let dst: LocalAccount;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    world = await twoEndpoints(inject('ddbEndpoint'), 'ddbcopy-e2e-verify-');
    ({ src, dst, env } = world);
  }, 120_000);

  afterAll(async () => {
    await world?.close();
  });

  it('exits 0 on identical tables and 1 once an item is missing, naming it in the JSON document', async () => {
    const definition = richOnDemandTable('orders');
    const srcClient = accountClient(src);
    const dstClient = accountClient(dst);
    await createTableAndWait(srcClient, definition);
    await createTableAndWait(dstClient, definition);
    const items = [
      ...variedItems(800, 5, keyAttrsOf(definition)),
      ...trickyItems({ pk: { name: 'pk', type: 'S' }, sk: { name: 'sk', type: 'S' } }),
    ];
    await putItems(srcClient, 'orders', items);
    await putItems(dstClient, 'orders', [...items].reverse());

    const args = ['verify', '--source', 'orders', '--target', 'orders'];
    args.push('--source-profile', 'src', '--target-profile', 'dst');
    args.push('--source-endpoint-url', src.endpoint, '--target-endpoint-url', dst.endpoint, '--json');
    const same = await runCli(args, env);
    expect(same.stderr).not.toMatch(/NodeVersionSupportWarning|DeprecationWarning|MaxListeners|\n\s+at /);
    expect(same.code, same.stderr).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({
      command: 'verify',
      status: 'identical',
      source: { table: 'orders', region: 'eu-west-1', endpoint: src.endpoint },
      target: { table: 'orders', region: 'us-west-2', endpoint: dst.endpoint },
      sourceItems: items.length,
      targetItems: items.length,
      missing: 0,
      extra: 0,
      different: 0,
      samples: { missing: [], extra: [], different: [] },
      schemaDifferences: [],
    });

    const gone = items[10]!;
    await dstClient.send(new DeleteItemCommand({ TableName: 'orders', Key: { pk: gone.pk!, sk: gone.sk! } }));
    const different = await runCli(args, env);
    expect(different.code, different.stderr).toBe(1);
    expect(JSON.parse(different.stdout)).toMatchObject({
      status: 'different',
      sourceItems: items.length,
      targetItems: items.length - 1,
      missing: 1,
      extra: 0,
      different: 0,
      samples: { missing: [{ pk: gone.pk, sk: gone.sk }], extra: [], different: [] },
    });

    // Without --json: the verdict and the key on stderr, nothing on stdout.
    const human = await runCli(args.slice(0, -1), env);
    expect(human.code).toBe(1);
    expect(human.stdout).toBe('');
    expect(human.stderr).toContain('Verify: DIFFERENT (1 missing, 0 extra, 0 different)');
    expect(human.stderr).toContain(JSON.stringify({ pk: gone.pk, sk: gone.sk }));
  });

  it.each([
    [['verify', '--target', 'x'], /--source is required/],
    [['verify', '--source', 'a', '--target', 'b', '--samples', 'lots'], /--samples must be/],
    [['verify', '--source', 'a', '--target', 'b', '--write-rate', '5'], /unknown option '--write-rate'/],
  ])('bad flags %j exit 2 with a clear message and no stack', async (args, message) => {
    const result = await runCli(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a table missing on the target side exits 2', async () => {
    await createTableAndWait(accountClient(src), richOnDemandTable('alone'));
    const args = ['verify', '--source', 'alone', '--target', 'alone', '--source-profile', 'src'];
    args.push(
      '--target-profile',
      'dst',
      '--source-endpoint-url',
      src.endpoint,
      '--target-endpoint-url',
      dst.endpoint,
    );
    const result = await runCli(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: The target table 'alone' does not exist/);
  });
});
