/**
 * `ddbcopy export --out s3://...` and `ddbcopy import --from s3://...` as a user runs them: the built
 * CLI, named profiles per side, --s3-endpoint pointing at a local S3-compatible server (s3rver, in this
 * process), and an identical table at the end; malformed locations and misplaced flags exit 2.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type KeyAttrs, trickyItems } from '../fixtures/items.js';
import { hashRangeTable, PK, SK } from '../fixtures/tables.js';
import { assertBuilt, runCli, userEnv } from '../harness/cli.js';
import {
  accountClient,
  createTableAndWait,
  itemsByKey,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';
import { type LocalS3, startS3Server } from '../harness/s3-server.js';

const endpoint = inject('ddbEndpoint');
const dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-cli-s3-'));
let s3: LocalS3;
beforeAll(async () => {
  s3 = await startS3Server('cli-exports');
});
afterAll(async () => {
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ddbcopy export / import with s3:// (built CLI)', () => {
  it('round trip through a bucket with --s3-endpoint and per-side profiles', async () => {
    assertBuilt();
    const src = newAccount(endpoint, 'eu-west-1');
    const dst = newAccount(endpoint, 'us-west-2');
    s3.allow(src);
    s3.allow(dst);
    const env = userEnv(dir, { src, dst });
    const srcClient = accountClient(src);
    await createTableAndWait(srcClient, hashRangeTable('clis3', 'S', 'B'));
    const keyAttrs: KeyAttrs = { pk: { name: PK, type: 'S' }, sk: { name: SK, type: 'B' } };
    const items = trickyItems(keyAttrs);
    await putItems(srcClient, 'clis3', items);
    const location = `s3://${s3.bucket}/nightly/clis3`;

    const exported = await runCli(
      [
        ...['export', '--source', 'clis3', '--source-profile', 'src', '--source-endpoint-url', endpoint],
        ...['--out', location, '--s3-endpoint', s3.endpoint, '--json'],
      ],
      env,
    );
    expect(exported.code, exported.stderr).toBe(0);
    const exportSummary = JSON.parse(exported.stdout);
    expect(exportSummary).toMatchObject({
      command: 'export',
      status: 'completed',
      items: { written: items.length },
    });
    expect(exportSummary.export.dir).toBe(`${location}/AWSDynamoDB/${exportSummary.export.exportId}`);

    const imported = await runCli(
      [
        ...['import', '--from', location, '--target', 'copy', '--target-profile', 'dst'],
        ...['--target-endpoint-url', endpoint, '--s3-endpoint', s3.endpoint, '--yes', '--json'],
      ],
      env,
    );
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      command: 'import',
      status: 'completed',
      items: { written: items.length },
    });
    const left = itemsByKey(await scanAll(srcClient, 'clis3'), [PK, SK]);
    const right = itemsByKey(await scanAll(accountClient(dst), 'copy'), [PK, SK]);
    expect(right).toStrictEqual(left);

    const malformed = await runCli(
      ['export', '--source', 'clis3', '--source-profile', 'src', '--out', 's3://Not_A_Bucket/x'],
      env,
    );
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/not a valid S3 bucket name/);

    const misplaced = await runCli(
      [
        ...['import', '--from', path.join(dir, 'local'), '--target', 'copy', '--target-profile', 'dst'],
        ...['--s3-endpoint', s3.endpoint],
      ],
      env,
    );
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toMatch(/--s3-endpoint applies to s3:\/\/ locations/);
  });
});
