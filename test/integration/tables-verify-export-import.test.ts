/**
 * Verify, export and import over a set of tables (`--tables`, `--rename`) through the library, on
 * DynamoDB Local: two isolated "accounts" (access keys) on one server. The tests run in order on one
 * set: exported to a directory, imported from it under new names, then verified (identical, and after
 * one item is changed on the target, different). The refusals are also checked through the command
 * line in-process (exit 2 before any request).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  type CreateTableCommandInput,
  type DynamoDBClient,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { RawOptions } from '../../src/runs/copy/options.js';
import { runImport } from '../../src/runs/import/run-import.js';
import { runExportTables } from '../../src/runs/tables/export-tables.js';
import { runImportTables } from '../../src/runs/tables/import-tables.js';
import {
  type TableSetCommand,
  type TableSetOptions,
  validateTableSetOptions,
} from '../../src/runs/tables/options.js';
import { runVerifyTables } from '../../src/runs/tables/verify-tables.js';
import { type Item, variedItems } from '../fixtures/items.js';
import { hashOnlyTable, hashRangeTable, keyAttrsOf } from '../fixtures/tables.js';
import { localSideConfig } from '../harness/copy-options.js';
import {
  accountClient,
  createTableAndWait,
  itemsByKey,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';
import { startS3Server } from '../harness/s3-server.js';

const endpoint = inject('ddbEndpoint');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-tables-eio-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A set's options between two local accounts, validated as the command line's flags are. */
function setOptions(
  command: TableSetCommand,
  src: LocalAccount,
  dst: LocalAccount,
  flags: RawOptions,
): TableSetOptions {
  const options = validateTableSetOptions(
    {
      sourceRegion: src.region,
      targetRegion: dst.region,
      sourceEndpointUrl: src.endpoint,
      targetEndpointUrl: dst.endpoint,
      checkpoint: path.join(scratch, `set-${randomUUID()}.json`),
      ...flags,
    },
    command,
  );
  const keys = (account: LocalAccount) => ({
    accessKeyId: account.accessKeyId,
    secretAccessKey: account.secretAccessKey,
  });
  return {
    ...options,
    source: { ...options.source, credentials: keys(src) },
    target: { ...options.target, credentials: keys(dst) },
  };
}

async function tableNames(client: DynamoDBClient): Promise<string[]> {
  return ((await client.send(new ListTablesCommand({}))).TableNames ?? []).sort();
}

async function expectSameItems(
  fromClient: DynamoDBClient,
  from: string,
  toClient: DynamoDBClient,
  to: string,
  keys: string[],
): Promise<number> {
  const [left, right] = await Promise.all([scanAll(fromClient, from), scanAll(toClient, to)]);
  expect(right.length, to).toBe(left.length);
  const byKey = itemsByKey(right, keys);
  for (const [key, item] of itemsByKey(left, keys)) expect(byKey.get(key), `${to} ${key}`).toEqual(item);
  return right.length;
}

/** Runs the command line in-process; stdout and stderr are collected. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += chunk;
  });
  stderr.on('data', (chunk) => {
    err += chunk;
  });
  const io = { stdin: new PassThrough(), stdout, stderr } as unknown as CliIO;
  const code = await main(args, io);
  return { code, stdout: out, stderr: err };
}

describe('verify, export and import a set of tables', () => {
  let src: LocalAccount;
  let dst: LocalAccount;
  let srcClient: DynamoDBClient;
  let dstClient: DynamoDBClient;
  const out = path.join(scratch, 'exports');
  const shapes: { name: string; input: CreateTableCommandInput; count: number; keys: string[] }[] = [
    { name: 'prod-a', input: hashOnlyTable('prod-a', 'S'), count: 300, keys: ['pk'] },
    { name: 'prod-b', input: hashRangeTable('prod-b', 'S', 'N'), count: 200, keys: ['pk', 'sk'] },
  ];
  const items = new Map<string, Item[]>();

  beforeAll(async () => {
    src = newAccount(endpoint, 'eu-west-1');
    dst = newAccount(endpoint, 'eu-west-1');
    srcClient = accountClient(src);
    dstClient = accountClient(dst);
    await Promise.all(
      [...shapes.map((s) => s.input), hashOnlyTable('other-x', 'S')].map((input) =>
        createTableAndWait(srcClient, input),
      ),
    );
    for (const [index, shape] of shapes.entries()) {
      const generated = variedItems(shape.count, 500 + index, keyAttrsOf(shape.input));
      items.set(shape.name, generated);
      await putItems(srcClient, shape.name, generated);
    }
    await putItems(srcClient, 'other-x', variedItems(5, 9, keyAttrsOf(hashOnlyTable('x', 'S'))));
  }, 120_000);

  it("export --tables 'prod-*' --out DIR writes DIR/<table>/ per table, each importable alone", async () => {
    const options = setOptions('export', src, dst, { tables: 'prod-*', out });
    const steps: string[] = [];
    const outcome = await runExportTables(options, {
      onEvent: (event) => {
        if (event.type === 'table-event' && event.event.type === 'step') steps.push(event.pair.source);
      },
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.exitCode).toBe(0);
    expect(outcome.summary).toMatchObject({ command: 'export', status: 'completed' });
    expect(outcome.summary.totals).toMatchObject({ tables: 2, completed: 2, failed: 0, items: 500 });
    expect(outcome.summary.checkpoint).toBe(options.checkpoint);
    // The one-table export's steps arrive as the set's table events.
    expect(new Set(steps)).toEqual(new Set(['prod-a', 'prod-b']));
    // One folder per selected table, none for the table the glob leaves out.
    expect(readdirSync(out).sort()).toEqual(['prod-a', 'prod-b']);
    for (const shape of shapes) {
      const exports = readdirSync(path.join(out, shape.name, 'AWSDynamoDB'));
      expect(exports).toHaveLength(1);
      expect(
        existsSync(path.join(out, shape.name, 'AWSDynamoDB', exports[0]!, 'manifest-summary.json')),
      ).toBe(true);
    }
    // Each folder is an ordinary export: the one-table import reads it as it is.
    const alone = newAccount(endpoint, 'eu-west-1');
    const aloneClient = accountClient(alone);
    for (const shape of shapes) {
      const imported = await runImport({
        from: path.join(out, shape.name),
        target: localSideConfig(alone, shape.name),
        yes: true,
        concurrency: undefined,
        checkpoint: path.join(scratch, `import-${randomUUID()}.json`),
      });
      expect(imported.error).toBeUndefined();
      expect(await expectSameItems(srcClient, shape.name, aloneClient, shape.name, shape.keys)).toBe(
        shape.count,
      );
    }

    // Resuming the finished set touches nothing: every table was done before.
    const again = await runExportTables({ ...options, resume: true });
    expect(again.exitCode).toBe(0);
    expect(again.summary.totals).toMatchObject({ tables: 2, doneBefore: 2, completed: 0 });
    expect(readdirSync(path.join(out, 'prod-a', 'AWSDynamoDB'))).toHaveLength(1);

    // A fresh set into the same folders is refused: a folder with two exports cannot be imported.
    const refused = await runExportTables(setOptions('export', src, dst, { tables: 'prod-*', out }));
    expect(refused.exitCode).toBe(2);
    expect(refused.error?.message).toMatch(/already hold an export/);
  }, 120_000);

  it('import --from DIR --rename prod-=dev- creates every dev-* table with the same items, after one confirmation', async () => {
    // dev-b exists: the set asks once before deleting it; without an answer nothing is touched.
    await createTableAndWait(dstClient, hashOnlyTable('dev-b', 'S'));
    await putItems(dstClient, 'dev-b', variedItems(3, 1, keyAttrsOf(hashOnlyTable('x', 'S'))));
    const refused = await runImportTables(
      setOptions('import', src, dst, { from: out, rename: ['prod-=dev-'] }),
    );
    expect(refused.exitCode).toBe(2);
    expect(refused.error?.code).toBe('DELETION_NOT_CONFIRMED');
    expect(refused.error?.message).toContain('dev-b');
    expect(await tableNames(dstClient)).toEqual(['dev-b']);
    expect((await scanAll(dstClient, 'dev-b')).length).toBe(3);

    const questions: string[][] = [];
    const outcome = await runImportTables(
      setOptions('import', src, dst, { from: out, rename: ['prod-=dev-'] }),
      {
        confirmDeletion: async (question) => {
          questions.push(question.targets.map((t) => t.table));
          return true;
        },
      },
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.exitCode).toBe(0);
    expect(questions).toEqual([['dev-b']]);
    expect(outcome.summary).toMatchObject({ command: 'import', status: 'completed' });
    expect(outcome.summary.totals).toMatchObject({ tables: 2, completed: 2, items: 500 });
    expect(outcome.summary.tables.map((t) => [t.target.table, t.status])).toEqual([
      ['dev-a', 'completed'],
      ['dev-b', 'completed'],
    ]);
    expect(await tableNames(dstClient)).toEqual(['dev-a', 'dev-b']);
    for (const shape of shapes) {
      const target = shape.name.replace('prod-', 'dev-');
      expect(await expectSameItems(srcClient, shape.name, dstClient, target, shape.keys)).toBe(shape.count);
    }
  }, 120_000);

  it("verify --tables 'prod-*' --rename prod-=dev- of the imported set: completed, exit 0", async () => {
    const outcome = await runVerifyTables(
      setOptions('verify', src, dst, { tables: 'prod-*', rename: ['prod-=dev-'] }),
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.exitCode).toBe(0);
    expect(outcome.summary).toMatchObject({ command: 'verify', status: 'completed', checkpoint: null });
    expect(outcome.summary.tables.map((t) => [t.source.table, t.target.table, t.status])).toEqual([
      ['prod-a', 'dev-a', 'identical'],
      ['prod-b', 'dev-b', 'identical'],
    ]);
    expect(outcome.summary.totals).toMatchObject({ tables: 2, completed: 2, failed: 0, items: 500 });
  }, 60_000);

  it('verify after one item changed in one target: exit 1, naming that table; the other is identical', async () => {
    const changed = { ...items.get('prod-b')![7]!, note: { S: 'changed on the target' } };
    await dstClient.send(new PutItemCommand({ TableName: 'dev-b', Item: changed }));
    const outcome = await runVerifyTables(
      setOptions('verify', src, dst, { tables: 'prod-*', rename: ['prod-=dev-'] }),
    );
    expect(outcome.exitCode).toBe(1);
    expect(outcome.summary.status).toBe('failed');
    expect(outcome.error?.code).toBe('TABLES_FAILED');
    expect(outcome.error?.message).toContain('prod-b → dev-b');
    expect(outcome.error?.message).not.toContain('prod-a');
    const byTarget = new Map(outcome.summary.tables.map((t) => [t.target.table, t]));
    expect(byTarget.get('dev-a')).toMatchObject({ status: 'identical' });
    expect(byTarget.get('dev-b')).toMatchObject({ status: 'different', different: 1, missing: 0, extra: 0 });
    expect(outcome.summary.totals).toMatchObject({ completed: 1, failed: 1 });
  }, 60_000);

  it('through s3://: export --tables writes a prefix per table, import --from lists and imports them', async () => {
    const s3 = await startS3Server();
    try {
      const into = newAccount(endpoint, 'eu-west-1');
      // Each side signs with its own keys: the export with the source's, the listing and import with the target's.
      s3.allow(src);
      s3.allow(into);
      const location = `s3://${s3.bucket}/sets/${randomUUID()}`;
      const flags = { tables: 'prod-*', exclude: ['prod-b'], s3Endpoint: s3.endpoint };
      const exported = await runExportTables(setOptions('export', src, into, { ...flags, out: location }));
      expect(exported.error).toBeUndefined();
      expect(exported.summary.totals).toMatchObject({ tables: 1, completed: 1, items: 300 });
      // s3rver reports a common prefix only for keys one level below it (S3 itself, at any depth):
      // an object directly in the table's folder lets it list that folder as S3 would.
      const prefix = location.slice(`s3://${s3.bucket}/`.length);
      await s3.client.send(
        new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/prod-a/README`, Body: 'listing marker' }),
      );
      const imported = await runImportTables(
        setOptions('import', src, into, { from: location, rename: ['prod-=s3-'], s3Endpoint: s3.endpoint }),
      );
      expect(imported.error).toBeUndefined();
      expect(imported.summary.tables.map((t) => t.target.table)).toEqual(['s3-a']);
      expect(await expectSameItems(srcClient, 'prod-a', accountClient(into), 's3-a', ['pk'])).toBe(300);
    } finally {
      await s3.close();
    }
  }, 60_000);

  describe('bad input: exit 2, before any request', () => {
    const sides = (): string[] => [
      '--source-endpoint-url',
      endpoint,
      '--source-region',
      'eu-west-1',
      '--target-endpoint-url',
      endpoint,
      '--target-region',
      'eu-west-1',
    ];

    it('--rename on export is refused (the command line, and the library)', async () => {
      const dir = path.join(scratch, `never-${randomUUID()}`);
      const result = await cli([
        'export',
        '--tables',
        'prod-*',
        '--rename',
        'prod-=dev-',
        '--out',
        dir,
        ...sides().slice(0, 4),
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--rename does not apply to export/);
      expect(() =>
        setOptions('export', src, dst, { tables: 'prod-*', out: dir, rename: ['prod-=dev-'] }),
      ).toThrow(/--rename does not apply to export/);
      // Options built by hand still cannot rename an export.
      const byHand = { ...setOptions('export', src, dst, { tables: 'prod-*', out: dir }) };
      const renamed = setOptions('verify', src, dst, { tables: 'prod-*', rename: ['prod-=dev-'] }).renames;
      const outcome = await runExportTables({ ...byHand, renames: renamed });
      expect(outcome.exitCode).toBe(2);
      expect(existsSync(dir)).toBe(false);
    });

    it('--tables-tagged on import is refused', async () => {
      const result = await cli(['import', '--from', out, '--tables-tagged', 'env=prod', ...sides().slice(4)]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--tables-tagged does not apply to import/);
    });

    it('a --from holding no export folders is refused, saying it is one export when it is', async () => {
      const before = await tableNames(dstClient);
      const single = await runImportTables(
        setOptions('import', src, dst, { from: path.join(out, 'prod-a'), rename: ['prod-=dev-'] }),
      );
      expect(single.exitCode).toBe(2);
      expect(single.error?.message).toMatch(/No export folders/);
      expect(single.error?.hint).toMatch(/one export/);
      const empty = path.join(scratch, 'empty');
      mkdirSync(empty, { recursive: true });
      const none = await runImportTables(setOptions('import', src, dst, { from: empty, tables: '*' }));
      expect(none.exitCode).toBe(2);
      const glob = await runImportTables(setOptions('import', src, dst, { from: out, tables: 'staging-*' }));
      expect(glob.exitCode).toBe(2);
      expect(glob.error?.message).toMatch(/matches no export folder/);
      expect(await tableNames(dstClient)).toEqual(before);
    });
  });
});
