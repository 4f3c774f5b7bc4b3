/**
 * Export to and import from `s3://bucket/prefix` against a real S3-compatible server (s3rver, started
 * in this process) and DynamoDB Local: the layout as AWS writes it in a bucket (keys carry the prefix,
 * the summary names bucket and prefix), a round trip into another account, each side signing with its
 * own credentials, and clear errors naming the bucket or key when something is missing or damaged.
 */
import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runExport } from '../../src/runs/export/run-export.js';
import { runImport } from '../../src/runs/import/run-import.js';
import { RefreshableCredentials } from '../../src/stores/dynamodb/client.js';
import { ExportDirSink } from '../../src/stores/export-dir/export-sink.js';
import { ExportDirSource } from '../../src/stores/export-dir/export-source.js';
import { openExportStorage } from '../../src/stores/export-dir/open-storage.js';
import type { Item } from '../../src/stores/types.js';
import { type Item as FixtureItem, type KeyAttrs, trickyItems, variedItems } from '../fixtures/items.js';
import { hashRangeTable, PK, SK } from '../fixtures/tables.js';
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
import { type LocalS3, startS3Server } from '../harness/s3-server.js';

const endpoint = inject('ddbEndpoint');
let s3: LocalS3;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

function exportTo(account: LocalAccount, table: string, out: string, segments?: number) {
  return runExport({
    source: side(account, table),
    out,
    s3: { endpoint: s3.endpoint },
    segments,
    consistentRead: false,
  });
}

function importFrom(account: LocalAccount, table: string, from: string) {
  return runImport({
    from,
    target: side(account, table),
    s3: { endpoint: s3.endpoint },
    yes: true,
    concurrency: undefined,
  });
}

async function listKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.client.send(
      new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) keys.push(object.Key!);
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

async function getBytes(key: string): Promise<Buffer> {
  const { Body } = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return Buffer.from(await Body!.transformToByteArray());
}

async function putText(key: string, text: string): Promise<void> {
  await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: text }));
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

/** Two accounts whose keys the S3 server accepts, and a source table of `items`. */
async function accountsWithTable(table: string, items: FixtureItem[]) {
  const src = newAccount(endpoint, 'eu-west-1');
  const dst = newAccount(endpoint, 'us-east-1');
  s3.allow(src);
  s3.allow(dst);
  const srcClient = accountClient(src);
  await createTableAndWait(srcClient, hashRangeTable(table, 'S', 'N'));
  await putItems(srcClient, table, items);
  return { src, dst, srcClient, dstClient: accountClient(dst) };
}

const SN_KEYS: KeyAttrs = { pk: { name: PK, type: 'S' }, sk: { name: SK, type: 'N' } };

describe('export to s3:// and import from it', () => {
  it('tricky items: AWS’s layout under the prefix, then identical items in another account', async () => {
    const table = 'tricky';
    const src = newAccount(endpoint, 'eu-west-1');
    const dst = newAccount(endpoint, 'us-west-2');
    s3.allow(src);
    s3.allow(dst);
    const srcClient = accountClient(src);
    const dstClient = accountClient(dst);
    await createTableAndWait(srcClient, hashRangeTable(table, 'B', 'S'));
    const items = trickyItems({ pk: { name: PK, type: 'B' }, sk: { name: SK, type: 'S' } });
    await putItems(srcClient, table, items);

    const exported = await exportTo(src, table, `s3://${s3.bucket}/some/prefix`, 3);
    expect(exported.error).toBeUndefined();
    expect(exported.summary.status).toBe('completed');
    expect(exported.summary.items.written).toBe(items.length);

    // The layout, read through the S3 API: every key under the prefix, AWS's manifests.
    const keys = await listKeys('some/prefix/');
    const exportId = /^some\/prefix\/AWSDynamoDB\/([^/]+)\//.exec(keys[0]!)?.[1];
    expect(exportId).toBeDefined();
    const folder = `some/prefix/AWSDynamoDB/${exportId}`;
    expect(exported.summary.export.dir).toBe(`s3://${s3.bucket}/${folder}`);
    for (const name of ['_started', 'manifest-summary.json', 'manifest-files.json', 'ddbcopy-table.json'])
      expect(keys).toContain(`${folder}/${name}`);
    const summary = JSON.parse((await getBytes(`${folder}/manifest-summary.json`)).toString('utf8'));
    expect(summary).toMatchObject({
      version: '2020-06-30',
      outputFormat: 'DYNAMODB_JSON',
      itemCount: items.length,
      s3Bucket: s3.bucket,
      s3Prefix: 'some/prefix',
      manifestFilesS3Key: `${folder}/manifest-files.json`,
    });
    const entries = (await getBytes(`${folder}/manifest-files.json`))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    // One file per segment that held items (the table is far below a part's size bound).
    expect(entries.length).toBeGreaterThanOrEqual(1);
    expect(entries.length).toBeLessThanOrEqual(3);
    let lines = 0;
    for (const entry of entries) {
      expect(entry.dataFileS3Key).toMatch(new RegExp(`^${folder}/data/[a-z2-7]{26}\\.json\\.gz$`));
      expect(keys).toContain(entry.dataFileS3Key);
      const bytes = await getBytes(entry.dataFileS3Key);
      expect(entry.md5Checksum).toBe(createHash('md5').update(bytes).digest('base64'));
      expect(entry.etag).toBe(createHash('md5').update(bytes).digest('hex'));
      const text = gunzipSync(bytes).toString('utf8').trim();
      const fileLines = text ? text.split('\n') : [];
      for (const line of fileLines) expect(Object.keys(JSON.parse(line))).toEqual(['Item']);
      expect(fileLines.length).toBe(entry.itemCount);
      lines += fileLines.length;
    }
    expect(lines).toBe(items.length);
    expect(keys.length).toBe(4 + entries.length);

    const imported = await importFrom(dst, table, `s3://${s3.bucket}/some/prefix`);
    expect(imported.error).toBeUndefined();
    expect(imported.summary.status).toBe('completed');
    expect(imported.summary.from.dir).toBe(`s3://${s3.bucket}/${folder}`);
    expect(imported.summary.from.exportId).toBe(exportId);
    expect(imported.summary.items.written).toBe(items.length);
    const left = itemsByKey(await scanAll(srcClient, table), [PK, SK]);
    const right = itemsByKey(await scanAll(dstClient, table), [PK, SK]);
    expect(right.size).toBe(left.size);
    for (const [key, item] of left) expect(right.get(key), key).toStrictEqual(item);
  });

  it('each side signs with its own credentials: an import with keys S3 does not know fails clearly', async () => {
    const { src } = await accountsWithTable('signed', variedItems(20, 3, SN_KEYS));
    const exported = await exportTo(src, 'signed', `s3://${s3.bucket}/signed`);
    expect(exported.summary.status).toBe('completed');
    // The target account's keys are not registered with the server: the import must not borrow the source's.
    const stranger = newAccount(endpoint, 'us-east-1');
    const imported = await importFrom(stranger, 'signed', `s3://${s3.bucket}/signed`);
    expect(imported.summary.status).toBe('failed');
    // The first request is a HEAD, whose 403 carries no error code: S3 itself cannot say more.
    expect(imported.error?.code).toBe('ACCESS_DENIED');
    expect(imported.error?.side).toBe('target');
    expect(imported.error?.message).toMatch(/The target side may not read/);
    expect(imported.error?.message).toContain(`s3://${s3.bucket}/signed`);
    expect(imported.exitCode).toBe(2);
    expect(await tableExists(accountClient(stranger), 'signed')).toBe(false);

    // Likewise an export signs with the source side's keys; refused ones fail before any scan.
    await createTableAndWait(accountClient(stranger), hashRangeTable('signed', 'S', 'N'));
    const refused = await exportTo(stranger, 'signed', `s3://${s3.bucket}/refused`);
    expect(refused.error?.code).toBe('CREDENTIALS');
    expect(refused.error?.side).toBe('source');
    expect(refused.error?.message).toMatch(/InvalidAccessKeyId/);
    expect(refused.exitCode).toBe(2);
    expect(await listKeys('refused/')).toEqual([]);
  });

  it('a bucket that does not exist: a clear error naming it, exit 2, for export and import', async () => {
    const { src, dst } = await accountsWithTable('nobucket', variedItems(5, 5, SN_KEYS));
    const exported = await exportTo(src, 'nobucket', 's3://no-such-bucket/x');
    expect(exported.summary.status).toBe('failed');
    expect(exported.error?.code).toBe('INVALID_OPTION');
    expect(exported.error?.message).toMatch(/bucket 'no-such-bucket' does not exist/);
    expect(exported.error?.hint).toBeTruthy();
    expect(exported.exitCode).toBe(2);
    expect(exported.summary.items.scanned).toBe(0);

    const imported = await importFrom(dst, 'nobucket', 's3://no-such-bucket/x');
    expect(imported.error?.code).toBe('INVALID_OPTION');
    expect(imported.error?.message).toMatch(/no-such-bucket/);
    expect(imported.exitCode).toBe(2);
  });

  it('a malformed s3:// location is refused before anything is touched', async () => {
    const { src } = await accountsWithTable('malformed', []);
    const exported = await exportTo(src, 'malformed', 's3://Bad_Bucket/x');
    expect(exported.error?.code).toBe('INVALID_OPTION');
    expect(exported.error?.message).toMatch(/not a valid S3 bucket name/);
    expect(exported.exitCode).toBe(2);
  });

  it('an interrupted export deletes what it wrote: nothing is left under the prefix', async () => {
    const { src } = await accountsWithTable('interrupted', variedItems(300, 7, SN_KEYS));
    const controller = new AbortController();
    const outcome = await runExport(
      {
        source: side(src, 'interrupted'),
        out: `s3://${s3.bucket}/interrupted`,
        s3: { endpoint: s3.endpoint },
        segments: 2,
        consistentRead: false,
      },
      {
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'step' && event.message.startsWith('Exporting items')) controller.abort();
        },
      },
    );
    expect(outcome.summary.status).toBe('interrupted');
    expect(await listKeys('interrupted/')).toEqual([]);
  });
});

describe('damaged exports in S3: errors name the object, nothing is imported', () => {
  async function exportForDamage(name: string) {
    const { src, dst } = await accountsWithTable(name, variedItems(40, 9, SN_KEYS));
    const exported = await exportTo(src, name, `s3://${s3.bucket}/damage/${name}`, 2);
    expect(exported.summary.status).toBe('completed');
    const folder = `damage/${name}/AWSDynamoDB/${exported.summary.export.exportId}`;
    const manifest = (await getBytes(`${folder}/manifest-files.json`)).toString('utf8');
    const entries = manifest
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { dataFileS3Key: string; md5Checksum: string });
    return { dst, folder, entries };
  }

  it('a missing data object', async () => {
    const { dst, entries } = await exportForDamage('missing');
    const victim = entries[0]!.dataFileS3Key;
    await s3.client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: victim }));
    const imported = await importFrom(dst, 'missing', `s3://${s3.bucket}/damage/missing`);
    expect(imported.summary.status).toBe('failed');
    expect(imported.error?.code).toBe('EXPORT_FILE_INVALID');
    expect(imported.error?.message).toContain(`s3://${s3.bucket}/${victim}`);
    expect(imported.error?.message).toMatch(/missing/);
    expect(imported.exitCode).toBe(2);
    expect(imported.summary.items.written).toBe(0);
    expect(await tableExists(accountClient(dst), 'missing')).toBe(false);
  });

  it('a wrong md5 in the manifest', async () => {
    const { dst, folder, entries } = await exportForDamage('md5');
    entries[0]!.md5Checksum = 'AAAAAAAAAAAAAAAAAAAAAA==';
    await putText(`${folder}/manifest-files.json`, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    const imported = await importFrom(dst, 'md5', `s3://${s3.bucket}/damage/md5`);
    expect(imported.error?.code).toBe('EXPORT_FILE_INVALID');
    expect(imported.error?.message).toMatch(/md5/);
    expect(imported.error?.message).toContain(`s3://${s3.bucket}/${entries[0]!.dataFileS3Key}`);
    expect(imported.exitCode).toBe(2);
    expect(await tableExists(accountClient(dst), 'md5')).toBe(false);
  });
});

describe('ExportDirSink on S3: one data file per segment part', () => {
  it('batches of a segment share its file; a full part rotates; multipart uploads round-trip', async () => {
    const account = newAccount(endpoint, 'us-east-1');
    s3.allow(account);
    const conn = {
      side: 'source' as const,
      region: 'us-east-1',
      credentials: new RefreshableCredentials(async () => account),
    };
    const storage = await openExportStorage({ kind: 's3', bucket: s3.bucket, prefix: 'parts' }, conn, {
      endpoint: s3.endpoint,
    });
    // Random (incompressible) values: segment 0's single part outgrows one 5 MiB multipart part.
    const item = (segment: number, i: number, bytes: number): Item => ({
      pk: { S: `s${segment}` },
      sk: { N: String(i) },
      blob: { S: randomBytes(bytes).toString('base64') },
    });
    const sink = await ExportDirSink.create(storage, { maxFileBytes: 64 * 1024 * 1024 });
    const big = Array.from({ length: 40 }, (_, i) => item(0, i, 200_000));
    for (let i = 0; i < big.length; i += 5) await sink.writeBatch(big.slice(i, i + 5), undefined, 0);
    await Promise.all(
      [1, 2].map(async (segment) => {
        for (let i = 0; i < 6; i++) await sink.writeBatch([item(segment, i, 100)], undefined, segment);
      }),
    );
    const result = await sink.finish({
      table: { TableName: 'parts' },
      timeToLive: 'unsupported',
      continuousBackups: 'unsupported',
      tags: 'unsupported',
    });
    sink.close();
    expect(result).toMatchObject({ files: 3, itemCount: 52 });
    expect(result.bytes).toBeGreaterThan(5 * 1024 * 1024);

    const source = await ExportDirSource.open(
      await openExportStorage({ kind: 's3', bucket: s3.bucket, prefix: 'parts' }, conn, {
        endpoint: s3.endpoint,
      }),
    );
    try {
      expect(await source.verify()).toMatchObject({ files: 3, items: 52 });
      // Each file holds one segment's items.
      for (let index = 0; index < source.files.length; index++) {
        const segments = new Set<string>();
        for await (const page of source.scan({ segment: index, totalSegments: source.files.length }))
          for (const found of page.items) segments.add(found.pk!.S!);
        expect(segments.size).toBe(1);
      }
    } finally {
      source.close();
    }

    // A small bound: every batch past it starts the segment's next part.
    const rotating = await ExportDirSink.create(
      await openExportStorage({ kind: 's3', bucket: s3.bucket, prefix: 'rotating' }, conn, {
        endpoint: s3.endpoint,
      }),
      { maxFileBytes: 1000 },
    );
    for (let i = 0; i < 4; i++) await rotating.writeBatch([item(0, i, 1100)], undefined, 0);
    const rotated = await rotating.finish({
      table: { TableName: 'rotating' },
      timeToLive: 'unsupported',
      continuousBackups: 'unsupported',
      tags: 'unsupported',
    });
    rotating.close();
    expect(rotated).toMatchObject({ files: 4, itemCount: 4 });
  });
});
