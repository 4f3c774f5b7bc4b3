/**
 * Export to a directory in AWS's "Export to S3" DYNAMODB_JSON layout and import from it, on DynamoDB
 * Local: a round trip into another account is identical; a directory laid out exactly as AWS writes
 * it imports; a damaged export fails naming the file, before the target is touched.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runExport } from '../../src/runs/export/run-export.js';
import { runImport } from '../../src/runs/import/run-import.js';
import { type KeyAttrs, trickyItems, variedItems } from '../fixtures/items.js';
import { hashRangeTable, PK, SK } from '../fixtures/tables.js';
import { AWS_ITEMS, type HandMade, lines, writeAwsExport } from '../harness/aws-export.js';
import { localSideConfig as side } from '../harness/copy-options.js';
import {
  accountClient,
  createTableAndWait,
  itemsByKey,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

const endpoint = inject('ddbEndpoint');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-export-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function exportOptions(account: LocalAccount, table: string, out: string, segments?: number) {
  return { source: side(account, table), out, segments, consistentRead: false };
}

function importOptions(account: LocalAccount, table: string, from: string) {
  return {
    from,
    target: side(account, table),
    yes: true,
    concurrency: undefined,
    checkpoint: path.join(scratch, `import-${randomUUID()}.json`),
  };
}

async function tableExists(client: DynamoDBClient, table: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return false;
    throw error;
  }
}

async function expectSameItems(a: DynamoDBClient, b: DynamoDBClient, table: string, keys: string[]) {
  const left = itemsByKey(await scanAll(a, table), keys);
  const right = itemsByKey(await scanAll(b, table), keys);
  expect(right.size).toBe(left.size);
  for (const [key, item] of left) expect(right.get(key), key).toStrictEqual(item);
}

/** The source table: hash B + range S (binary keys travel as base64 text), with a GSI. */
function definitionWithIndex(table: string) {
  const definition = hashRangeTable(table, 'B', 'S');
  definition.AttributeDefinitions = [
    ...(definition.AttributeDefinitions ?? []),
    { AttributeName: 'exportIndexKey', AttributeType: 'S' },
  ];
  definition.GlobalSecondaryIndexes = [
    {
      IndexName: 'byExportIndexKey',
      KeySchema: [{ AttributeName: 'exportIndexKey', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'ALL' },
    },
  ];
  return definition;
}

describe('export → import round trip', () => {
  it('tricky items and the schema arrive identical in another account; the layout is AWS’s', async () => {
    const src = newAccount(endpoint, 'eu-west-1');
    const dst = newAccount(endpoint, 'us-east-1');
    const srcClient = accountClient(src);
    const dstClient = accountClient(dst);
    const table = 'exported';
    await createTableAndWait(srcClient, definitionWithIndex(table));
    const keyAttrs: KeyAttrs = { pk: { name: PK, type: 'B' }, sk: { name: SK, type: 'S' } };
    const items = trickyItems(keyAttrs);
    items[0]!.exportIndexKey = { S: 'indexed' };
    await putItems(srcClient, table, items);

    const out = path.join(scratch, 'round-trip');
    const exported = await runExport(exportOptions(src, table, out, 3));
    expect(exported.error).toBeUndefined();
    expect(exported.summary.status).toBe('completed');
    expect(exported.summary.items.written).toBe(items.length);

    // The layout: one export folder, AWS's manifests, gzip lines of {"Item": ...}.
    const [exportId] = readdirSync(path.join(out, 'AWSDynamoDB'));
    const folder = path.join(out, 'AWSDynamoDB', exportId!);
    const summary = JSON.parse(readFileSync(path.join(folder, 'manifest-summary.json'), 'utf8'));
    expect(summary).toMatchObject({
      version: '2020-06-30',
      outputFormat: 'DYNAMODB_JSON',
      itemCount: items.length,
      manifestFilesS3Key: `AWSDynamoDB/${exportId}/manifest-files.json`,
    });
    for (const field of ['exportArn', 'startTime', 'endTime', 'tableArn', 'tableId', 'exportTime'])
      expect(summary[field], field).toBeTypeOf('string');
    const entries = readFileSync(path.join(folder, 'manifest-files.json'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    let lines = 0;
    for (const entry of entries) {
      const bytes = readFileSync(path.join(out, entry.dataFileS3Key));
      expect(entry.md5Checksum).toBe(createHash('md5').update(bytes).digest('base64'));
      expect(entry.etag).toBe(createHash('md5').update(bytes).digest('hex'));
      const text = gunzipSync(bytes).toString('utf8').trim();
      for (const line of text ? text.split('\n') : []) {
        expect(Object.keys(JSON.parse(line))).toEqual(['Item']);
        lines += 1;
      }
    }
    expect(lines).toBe(items.length);
    expect(readdirSync(path.join(folder, 'data')).some((name) => name.endsWith('.tmp'))).toBe(false);

    const imported = await runImport(importOptions(dst, table, out));
    expect(imported.error).toBeUndefined();
    expect(imported.summary.status).toBe('completed');
    expect(imported.summary.items.written).toBe(items.length);
    expect(imported.summary.schema.action).toBe('created');
    await expectSameItems(srcClient, dstClient, table, [PK, SK]);

    const [a, b] = await Promise.all(
      [srcClient, dstClient].map(async (client) => {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
        return {
          keys: Table?.KeySchema,
          attributes: [...(Table?.AttributeDefinitions ?? [])].sort((x, y) =>
            x.AttributeName!.localeCompare(y.AttributeName!),
          ),
          indexes: Table?.GlobalSecondaryIndexes?.map((index) => [
            index.IndexName,
            index.KeySchema,
            index.Projection,
          ]),
        };
      }),
    );
    expect(b).toStrictEqual(a);
  });

  it('3,000 varied items over several files: throughput both ways', async () => {
    const src = newAccount(endpoint, 'eu-west-1');
    const dst = newAccount(endpoint, 'eu-west-1');
    const srcClient = accountClient(src);
    const dstClient = accountClient(dst);
    const table = 'varied';
    await createTableAndWait(srcClient, hashRangeTable(table, 'S', 'N'));
    const keyAttrs: KeyAttrs = { pk: { name: PK, type: 'S' }, sk: { name: SK, type: 'N' } };
    await putItems(srcClient, table, variedItems(3000, 11, keyAttrs));
    const out = path.join(scratch, 'varied');
    const exported = await runExport(exportOptions(src, table, out, 4));
    expect(exported.summary.status).toBe('completed');
    const imported = await runImport(importOptions(dst, table, out));
    expect(imported.summary.status).toBe('completed');
    expect(imported.summary.items.written).toBe(3000);
    await expectSameItems(srcClient, dstClient, table, [PK, SK]);
    console.log(
      `export: ${exported.summary.itemsPerSecond} items/s (${exported.summary.durationMs} ms, ${exported.summary.export.files} files); import: ${imported.summary.itemsPerSecond} items/s (${imported.summary.durationMs} ms)`,
    );
  });
});

/** Rewrites a data file and puts its true md5 in the manifest, so only the intended damage remains. */
function replaceDataFile(made: HandMade, index: number, bytes: Buffer): void {
  writeFileSync(made.files[index]!, bytes);
  const manifestPath = path.join(made.folder, 'manifest-files.json');
  const entries = readFileSync(manifestPath, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  entries[index].md5Checksum = createHash('md5').update(bytes).digest('base64');
  writeFileSync(manifestPath, `${entries.map((entry) => JSON.stringify(entry)).join('\n')}\n`);
}

describe('import of an export in AWS’s own layout', () => {
  it('imports every item, binary and sets included', async () => {
    const made = writeAwsExport(
      path.join(scratch, 'aws-layout'),
      [lines(AWS_ITEMS.slice(0, 2)), lines(AWS_ITEMS.slice(2)), ''],
      true,
    );
    const dst = newAccount(endpoint);
    const outcome = await runImport(importOptions(dst, 'Products', made.root));
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary.items.written).toBe(3);
    const got = itemsByKey(await scanAll(accountClient(dst), 'Products'), ['pk', 'sk']);
    expect(got.size).toBe(3);
    const first = got.get(
      JSON.stringify([
        ['pk', 'S', 'a'],
        ['sk', 'N', '1'],
      ]),
    )!;
    expect(Buffer.from(first.bin!.B!)).toStrictEqual(Buffer.from([1, 2, 3]));
    const third = got.get(
      JSON.stringify([
        ['pk', 'S', 'b'],
        ['sk', 'N', '-3'],
      ]),
    )!;
    expect(third.bins!.BS!.map((b) => Buffer.from(b).toString('base64')).sort()).toStrictEqual([
      '/w==',
      'AA==',
    ]);
  });

  it('without a table definition: a clear error, exit 2, no table created', async () => {
    const made = writeAwsExport(path.join(scratch, 'aws-no-definition'), [lines(AWS_ITEMS)], false);
    const dst = newAccount(endpoint);
    const outcome = await runImport(importOptions(dst, 'Products', made.root));
    expect(outcome.error?.code).toBe('EXPORT_DEFINITION_MISSING');
    expect(outcome.exitCode).toBe(2);
    expect(outcome.summary.status).toBe('failed');
    expect(await tableExists(accountClient(dst), 'Products')).toBe(false);
  });

  const damages: [string, (made: HandMade) => void, RegExp][] = [
    [
      'a corrupted gzip',
      (made) => {
        const bytes = readFileSync(made.files[1]!);
        bytes.fill(0x55, 12, 40);
        replaceDataFile(made, 1, bytes);
      },
      /not a valid gzip/,
    ],
    [
      'a wrong md5',
      (made) => {
        const manifestPath = path.join(made.folder, 'manifest-files.json');
        const text = readFileSync(manifestPath, 'utf8').split('\n');
        text[1] = text[1]!.replace(/"md5Checksum":"[^"]+"/, '"md5Checksum":"AAAAAAAAAAAAAAAAAAAAAA=="');
        writeFileSync(manifestPath, text.join('\n'));
      },
      /md5/,
    ],
    ['a missing data file', (made) => unlinkSync(made.files[1]!), /missing/],
    [
      'a truncated line',
      (made) => {
        const text = lines(AWS_ITEMS.slice(2));
        replaceDataFile(made, 1, gzipSync(text.slice(0, text.length - 20)));
      },
      /line 1 is not valid JSON/,
    ],
    [
      'a wrong item count',
      (made) => replaceDataFile(made, 1, gzipSync(lines([...AWS_ITEMS.slice(2), ...AWS_ITEMS.slice(2)]))),
      /holds 2 items, but the manifest says 1/,
    ],
  ];
  for (const [name, damage, message] of damages) {
    it(`${name}: an error naming the file, nothing imported, no table created`, async () => {
      const made = writeAwsExport(
        path.join(scratch, `damaged-${name.replace(/\W+/g, '-')}`),
        [lines(AWS_ITEMS.slice(0, 2)), lines(AWS_ITEMS.slice(2))],
        true,
      );
      damage(made);
      const dst = newAccount(endpoint);
      const outcome = await runImport(importOptions(dst, 'Products', made.root));
      expect(outcome.summary.status).toBe('failed');
      expect(outcome.error?.code).toBe('EXPORT_FILE_INVALID');
      expect(outcome.error?.message).toMatch(message);
      expect(outcome.error?.message).toContain(path.basename(made.files[1]!));
      expect([1, 2]).toContain(outcome.exitCode);
      expect(outcome.summary.items.written).toBe(0);
      expect(await tableExists(accountClient(dst), 'Products')).toBe(false);
    });
  }
});
