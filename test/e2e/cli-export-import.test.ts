/**
 * `ddbcopy export` and `ddbcopy import` as a user runs them (the built CLI, named profiles): the JSON
 * summaries, the exit codes, and an identical table at the end; a damaged export exits 2 naming the file.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { type KeyAttrs, trickyItems } from '../fixtures/items.js';
import { hashRangeTable, PK, SK } from '../fixtures/tables.js';
import { AWS_ITEMS, lines, writeAwsExport } from '../harness/aws-export.js';
import { assertBuilt, runCli, twoEndpoints, userEnv } from '../harness/cli.js';
import {
  accountClient,
  createTableAndWait,
  itemsByKey,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

const endpoint = inject('ddbEndpoint');
const dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-cli-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ddbcopy export / import (built CLI)', () => {
  it('round trip into a second endpoint with --json; a damaged export exits 2 naming the file', async () => {
    // The source on the shared server, the target on a second DynamoDB Local: two "accounts" that
    // share nothing but the export directory.
    const world = await twoEndpoints(endpoint, 'ddbcopy-cli-export-');
    onTestFinished(() => world.close());
    const { src, dst, env } = world;
    const srcClient = accountClient(src);
    await createTableAndWait(srcClient, hashRangeTable('cli', 'S', 'B'));
    const keyAttrs: KeyAttrs = { pk: { name: PK, type: 'S' }, sk: { name: SK, type: 'B' } };
    const items = trickyItems(keyAttrs);
    await putItems(srcClient, 'cli', items);
    const out = path.join(dir, 'out');

    const exported = await runCli(
      [
        'export',
        '--source',
        'cli',
        '--source-profile',
        'src',
        '--source-endpoint-url',
        endpoint,
        '--out',
        out,
        '--json',
      ],
      env,
    );
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({
      command: 'export',
      status: 'completed',
      items: { written: items.length },
    });

    const importArgs = [
      'import',
      '--from',
      out,
      '--target',
      'copy',
      '--target-profile',
      'dst',
      '--target-endpoint-url',
      dst.endpoint,
      '--yes',
      '--json',
    ];
    const imported = await runCli(importArgs, env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      command: 'import',
      status: 'completed',
      items: { written: items.length },
    });
    const left = itemsByKey(await scanAll(srcClient, 'cli'), [PK, SK]);
    const right = itemsByKey(await scanAll(accountClient(dst), 'copy'), [PK, SK]);
    expect(right).toStrictEqual(left);

    // Damage one data file: the import refuses before touching the (existing) target.
    const [exportId] = readdirSync(path.join(out, 'AWSDynamoDB'));
    const data = path.join(out, 'AWSDynamoDB', exportId!, 'data');
    const [name] = readdirSync(data);
    writeFileSync(path.join(data, name!), 'not gzip at all');
    const damaged = await runCli(importArgs, env);
    expect(damaged.code).toBe(2);
    expect(JSON.parse(damaged.stdout)).toMatchObject({
      status: 'failed',
      error: { code: 'EXPORT_FILE_INVALID' },
    });
    expect(damaged.stderr).toContain(name);
    expect(itemsByKey(await scanAll(accountClient(dst), 'copy'), [PK, SK]).size).toBe(items.length);

    const missing = await runCli(['import', '--target', 'copy'], env);
    expect(missing.code).toBe(2);
  });

  it('an AWS export without a table definition imports with --key; a malformed --key exits 2', async () => {
    assertBuilt();
    const dst = newAccount(endpoint, 'us-west-2');
    const env = userEnv(dir, { dst });
    const made = writeAwsExport(path.join(dir, 'aws'), [lines(AWS_ITEMS)], false);
    const args = (key: string) => [
      'import',
      '--from',
      made.root,
      '--target',
      'products',
      '--target-profile',
      'dst',
      '--target-endpoint-url',
      endpoint,
      '--checkpoint',
      path.join(dir, `import-${key}.json`),
      '--key',
      key,
      '--yes',
      '--json',
    ];
    const bad = await runCli(args('pk'), env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--key: 'pk' is not NAME:TYPE.");
    const good = await runCli(args('pk:S,sk:N'), env);
    expect(good.code, good.stderr).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({
      status: 'completed',
      schema: { action: 'created', definition: 'key' },
      items: { written: AWS_ITEMS.length },
    });
    expect((await scanAll(accountClient(dst), 'products')).length).toBe(AWS_ITEMS.length);
  });
});
