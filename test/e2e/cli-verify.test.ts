/**
 * `ddbcopy verify` as a user runs it: the built CLI, two DynamoDB Local servers (two endpoints), two
 * named profiles in a temporary AWS config. Exit 0 on identical tables, 1 with the differences named
 * in the JSON document, 2 on bad input.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalServer, startDynamoDbLocal } from '../../src/local/dynamodb-local.js';
import { trickyItems, variedItems } from '../fixtures/items.js';
import { keyAttrsOf, richOnDemandTable } from '../fixtures/tables.js';
import {
  accountClient,
  createTableAndWait,
  type LocalAccount,
  newAccount,
  putItems,
  writeAwsProfiles,
} from '../harness/local-accounts.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const bin = path.join(repoRoot, 'bin', 'ddbcopy.js');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function ddbcopy(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('ddbcopy verify (built CLI, two endpoints, two profiles)', () => {
  let secondServer: LocalServer;
  let dir: string;
  let src: LocalAccount;
  let dst: LocalAccount;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    if (!existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'))) {
      throw new Error('dist/ is missing: run `npm run build` (npm test does) before the e2e tests');
    }
    secondServer = await startDynamoDbLocal({
      cacheDir: path.join(repoRoot, '.cache', 'dynamodb-local'),
      heapMb: 512,
    });
    src = newAccount(inject('ddbEndpoint'), 'eu-west-1');
    dst = newAccount(secondServer.endpoint, 'us-west-2');
    dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-e2e-verify-'));
    const files = writeAwsProfiles(dir, { src, dst });
    env = {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_CONFIG_FILE: files.configFile,
      AWS_SHARED_CREDENTIALS_FILE: files.credentialsFile,
    };
  }, 120_000);

  afterAll(async () => {
    await secondServer?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
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
    const same = await ddbcopy(args, env);
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
    const different = await ddbcopy(args, env);
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
    const human = await ddbcopy(args.slice(0, -1), env);
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
    const result = await ddbcopy(args, env);
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
    const result = await ddbcopy(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: The target table 'alone' does not exist/);
  });
});
