/**
 * `copy --via-export` with masks and a transform: between AWS's export and the import, ddbcopy
 * rewrites the export's data files into a masked copy under `<prefix>/masked/`, and ImportTable reads
 * that. AWS's jobs are FAKED AT THE SDK BOUNDARY (test/harness/fake-export-import.ts: the export
 * writes AWS's layout into a directory standing in for the bucket, the import loads exactly the
 * S3KeyPrefix it is given); the masking step reads and writes that directory through the export-dir
 * store. The last test runs the masking itself against a real S3-compatible server (s3rver).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXIT, isDdbCopyError } from '../../src/errors.js';
import { copyPolicies, type PolicyDocument } from '../../src/plan/iam-policy.js';
import { parseMaskRule } from '../../src/plan/mask-rules.js';
import { type RawOptions, validateCopyOptions } from '../../src/runs/copy/options.js';
import { runCopy } from '../../src/runs/copy/run-copy.js';
import { prepareItemChanges } from '../../src/runs/shared/item-changes.js';
import { maskExport, probeMaskedLocation } from '../../src/runs/via-export/mask-export.js';
import { runViaExport, type ViaExportEvent } from '../../src/runs/via-export/run-via-export.js';
import { RefreshableCredentials } from '../../src/stores/dynamodb/client.js';
import { ExportDirSink } from '../../src/stores/export-dir/export-sink.js';
import { ExportDirSource } from '../../src/stores/export-dir/export-source.js';
import { LocalStorage } from '../../src/stores/export-dir/local-storage.js';
import { openExportStorage } from '../../src/stores/export-dir/open-storage.js';
import { openSink, openSource } from '../../src/stores/open.js';
import type { Item } from '../fixtures/items.js';
import { allValues, piiUsers, USERS } from '../fixtures/pii.js';
import { localCopyOptions, localSideFlags, withLocalCredentials } from '../harness/copy-options.js';
import { FakeAwsJobs } from '../harness/fake-export-import.js';
import {
  accountClient,
  createTableAndWait,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';
import { type LocalS3, startS3Server } from '../harness/s3-server.js';

const endpoint = inject('ddbEndpoint');
const POLL = { initialMs: 5, maxMs: 20 };
const SECRET_ENV = 'DDBCOPY_TEST_VIA_EXPORT_MASK_SECRET';
const SECRET = 'a-long-enough-secret-for-via-export';
const USER_COUNT = 240;
/** A hash on the table key (userId), on an index key (email), on plain and nested attributes. */
const MASKS = ['userId=hash', 'email=hash', 'name=fake:name', 'address.street=redact', 'phones[*]=hash'];
const PREFIX = 'exports/users';
const BUCKET = 'transfer-bucket';

const previousSecret = process.env[SECRET_ENV];
beforeAll(() => {
  process.env[SECRET_ENV] = SECRET;
});
afterAll(() => {
  if (previousSecret === undefined) delete process.env[SECRET_ENV];
  else process.env[SECRET_ENV] = previousSecret;
});

interface Setup {
  src: LocalAccount;
  dst: LocalAccount;
  dstClient: DynamoDBClient;
  aws: FakeAwsJobs;
  bucketsDir: string;
  events: ViaExportEvent[];
  run: (flags?: RawOptions) => ReturnType<typeof runViaExport>;
}

/** A source account holding `users`, an empty target account, and a via-export run between them. */
async function setup(src: LocalAccount): Promise<Setup> {
  const dst = newAccount(endpoint, 'eu-central-1');
  const bucketsDir = await mkdtemp(path.join(os.tmpdir(), 'ddbcopy-buckets-'));
  const aws = new FakeAwsJobs({ bucketsDir });
  const events: ViaExportEvent[] = [];
  const sides = [
    { account: src, table: 'users' },
    { account: dst, table: 'users' },
  ] as const;
  const run = (flags: RawOptions = {}) => {
    const options = withLocalCredentials(
      validateCopyOptions({
        ...localSideFlags(...sides),
        viaExport: `s3://${BUCKET}/${PREFIX}/`,
        maskSecretEnv: SECRET_ENV,
        yes: true,
        ...flags,
      }),
      ...sides,
    );
    return runViaExport(
      options,
      { onEvent: (event) => events.push(event) },
      {
        poll: POLL,
        bucketLocation: (bucket) => path.join(bucketsDir, bucket),
        open: {
          source: async (spec) => {
            const source = await openSource(spec);
            source.connection.client = aws.wrap(source.connection.client, 'source');
            return source;
          },
          sink: async (spec) => {
            const sink = await openSink(spec);
            sink.connection.client = aws.wrap(sink.connection.client, 'target');
            return sink;
          },
        },
      },
    );
  };
  return { src, dst, dstClient: accountClient(dst), aws, bucketsDir, events, run };
}

/** The same masks (and flags) applied by a direct copy into a fresh account: what via-export must equal. */
async function directMaskedCopy(src: LocalAccount, flags: RawOptions): Promise<Item[]> {
  const dst = newAccount(endpoint, 'eu-central-1');
  const outcome = await runCopy(
    localCopyOptions(
      { account: src, table: 'users' },
      { account: dst, table: 'users' },
      {
        maskSecretEnv: SECRET_ENV,
        yes: true,
        ...flags,
      },
    ),
  );
  expect(outcome.error).toBeUndefined();
  return scanAll(accountClient(dst), 'users');
}

/** Every file under `dir` (relative, sorted) with the md5 of its bytes. */
async function filesWithDigests(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out.set(
      path.relative(dir, full),
      createHash('md5')
        .update(await readFile(full))
        .digest('hex'),
    );
  }
  return out;
}

/** Items by userId, their string sets sorted (a set's order is the store's own). */
const byUserId = (items: Item[]) =>
  Object.fromEntries(
    items.map((item) => [
      item.userId!.S!,
      Object.fromEntries(
        Object.entries(item).map(([name, value]) => [name, value.SS ? { SS: [...value.SS].sort() } : value]),
      ),
    ]),
  );

describe('copy --via-export with masks (AWS export/import faked at the SDK boundary)', () => {
  let src: LocalAccount;
  let users: Item[];

  beforeAll(async () => {
    src = newAccount(endpoint, 'eu-west-1');
    await createTableAndWait(accountClient(src), USERS);
    users = piiUsers(USER_COUNT);
    await putItems(accountClient(src), 'users', users);
  });

  const settle: FakeAwsJobs[] = [];
  afterEach(async () => {
    await Promise.all(settle.splice(0).map((aws) => aws.settled()));
  });

  it('imports the masked copy of the export: the same items as a direct masked copy, no original value; the export untouched', async () => {
    const s = await setup(src);
    settle.push(s.aws);
    const outcome = await s.run({ mask: MASKS });
    expect(outcome.error).toBeUndefined();
    expect(outcome.exitCode).toBe(EXIT.ok);

    // The target equals what a direct copy with the same masks and secret gives, item for item.
    const target = await scanAll(s.dstClient, 'users');
    expect(target).toHaveLength(USER_COUNT);
    expect(byUserId(target)).toEqual(byUserId(await directMaskedCopy(src, { mask: MASKS })));

    // No original value of a masked attribute reached the target, anywhere in any item.
    const originals = new Set(
      users.flatMap((user) => [
        user.userId!.S!,
        user.email!.S!,
        user.name!.S!,
        user.address!.M!.street!.S!,
        ...user.phones!.L!.map((phone) => phone.S!),
      ]),
    );
    expect(target.flatMap(allValues).filter((value) => originals.has(value))).toEqual([]);
    // What no rule names arrived as it was (seq pairs them: userId is masked).
    const bySeq = new Map(users.map((user) => [user.seq!.N!, user]));
    for (const item of target) {
      const original = bySeq.get(item.seq!.N!)!;
      // A set's order is DynamoDB's own.
      expect([item.plan, item.score, [...item.tags!.SS!].sort(), item.address!.M!.city]).toEqual([
        original.plan,
        original.score,
        [...original.tags!.SS!].sort(),
        original.address!.M!.city,
      ]);
    }

    // ImportTable read the masked copy's data folder, which holds only data files.
    const exportId = outcome.summary.viaExport.export!.id!;
    const importCall = s.aws.calls.find((call) => call.operation === 'ImportTable')!.input as {
      S3BucketSource: { S3KeyPrefix: string };
    };
    const maskedData = `${PREFIX}/masked/AWSDynamoDB/${exportId}/data/`;
    expect(importCall.S3BucketSource.S3KeyPrefix).toBe(maskedData);
    const maskedFiles = await readdir(path.join(s.bucketsDir, BUCKET, maskedData));
    expect(maskedFiles.length).toBeGreaterThan(0);
    expect(maskedFiles.every((name) => /^[a-z2-7]{26}\.json\.gz$/.test(name))).toBe(true);
    // The write check made before the export left nothing behind.
    expect(await readdir(path.join(s.bucketsDir, BUCKET, PREFIX, 'masked'))).toEqual(['AWSDynamoDB']);

    // AWS's export is as the export job left it: the same files, each matching its manifest md5,
    // still holding the original items (nothing was written into it or removed from it).
    const exportDir = path.join(s.bucketsDir, BUCKET, PREFIX, 'AWSDynamoDB', exportId);
    const exported = await ExportDirSource.open(new LocalStorage(exportDir));
    try {
      expect(await exported.verify()).toMatchObject({ items: USER_COUNT });
      const exportedItems: Item[] = [];
      for (let segment = 0; segment < exported.files.length; segment++) {
        for await (const page of exported.scan({ segment, totalSegments: exported.files.length }))
          exportedItems.push(...(page.items as Item[]));
      }
      expect(byUserId(exportedItems)).toEqual(byUserId(users));
    } finally {
      exported.close();
    }
    expect([...(await filesWithDigests(exportDir)).keys()].sort()).toEqual(
      [
        '_started',
        'manifest-files.json',
        'manifest-summary.json',
        ...exported.files.map((file) => `data/${path.basename(file.key)}`),
      ].sort(),
    );

    // The summary: per-rule counts like a direct copy's, and the files masked.
    const { summary } = outcome;
    expect(summary.masking?.rules).toEqual([
      { rule: 'userId=hash', values: USER_COUNT },
      { rule: 'email=hash', values: USER_COUNT },
      { rule: 'name=fake:name', values: USER_COUNT },
      { rule: 'address.street=redact', values: USER_COUNT },
      { rule: 'phones[*]=hash', values: 2 * USER_COUNT },
    ]);
    expect(summary.masking?.secretFingerprint).toMatch(/\S/);
    expect(summary.viaExport.masked).toMatchObject({
      filesRead: exported.files.length,
      filesWritten: maskedFiles.length,
      itemsRead: USER_COUNT,
      itemsWritten: USER_COUNT,
    });
    expect(summary.viaExport.masked!.location).toBe(
      path.join(s.bucketsDir, BUCKET, PREFIX, 'masked', 'AWSDynamoDB', exportId),
    );
    expect(summary.viaExport.s3.importKeyPrefix).toBe(maskedData);
    expect(summary.viaExport.import).toMatchObject({ importedItemCount: USER_COUNT });
    expect(summary.warnings.join('\n')).toContain(
      `${PREFIX}/AWSDynamoDB/${exportId}/ (ddbcopy only read it)`,
    );
    expect(JSON.stringify(summary)).not.toContain(SECRET);

    // The mask step came between the export and the import, and reported every file.
    const steps = s.events.flatMap((event) =>
      event.type === 'step' ? [`${event.name} ${event.number}/${event.total}`] : [],
    );
    // No target existed: nothing to delete.
    expect([...new Set(steps)]).toEqual([
      'connect 1/7',
      'describe 2/7',
      'export 3/7',
      'mask 4/7',
      'import 6/7',
      'settings 7/7',
    ]);
    const progress = s.events.flatMap((event) => (event.type === 'mask' ? [event.progress] : []));
    expect(progress.at(-1)).toEqual({
      filesDone: exported.files.length,
      files: exported.files.length,
      itemsRead: USER_COUNT,
      itemsWritten: USER_COUNT,
    });
  });

  it('a transform that drops items: the masked copy leaves them out, and the counts add up', async () => {
    const s = await setup(src);
    settle.push(s.aws);
    const module = path.join(s.bucketsDir, 'drop-every-third.mjs');
    await writeFile(
      module,
      'export function transform(item) { return Number(item.seq.N) % 3 === 0 ? null : item; }\n',
    );
    const flags = { mask: ['email=hash'], transform: module };
    const outcome = await s.run(flags);
    expect(outcome.error).toBeUndefined();
    const kept = USER_COUNT - Math.ceil(USER_COUNT / 3);
    const target = await scanAll(s.dstClient, 'users');
    expect(target).toHaveLength(kept);
    expect(byUserId(target)).toEqual(byUserId(await directMaskedCopy(src, flags)));
    expect(outcome.summary.masking?.transform).toMatchObject({ dropped: USER_COUNT - kept, rejected: 0 });
    expect(outcome.summary.viaExport.masked).toMatchObject({ itemsRead: USER_COUNT, itemsWritten: kept });
    expect(outcome.summary.viaExport.import).toMatchObject({ importedItemCount: kept });
  });

  it('refuses a mask the keys cannot take before AWS export starts; a filter stays refused with a way out', async () => {
    const s = await setup(src);
    const refused = await s.run({ mask: ['userId=redact'] });
    expect(refused.exitCode).toBe(EXIT.badInput);
    expect(refused.error?.message).toContain('userId');
    expect(s.aws.calls.filter((call) => call.operation === 'ExportTableToPointInTime')).toEqual([]);

    const dryRun = await s.run({ mask: MASKS, dryRun: true });
    expect(dryRun.error).toBeUndefined();
    expect(dryRun.plan?.itemChanges).toMatchObject({ prefix: `${PREFIX}/masked` });
    expect(dryRun.plan?.itemChanges?.masks).toHaveLength(MASKS.length);
    expect(s.aws.calls.filter((call) => call.operation === 'ExportTableToPointInTime')).toEqual([]);

    let error: unknown;
    try {
      validateCopyOptions({
        source: 'users',
        target: 'users',
        viaExport: `s3://${BUCKET}/${PREFIX}`,
        filterExpression: 'attribute_exists(email)',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({
      message: '--via-export and --filter-expression cannot be used together.',
      hint: expect.stringContaining('--transform'),
    });
  });
});

describe('iam-policy for copy --via-export with masks', () => {
  it('the source role reads its export and writes the masked copy; the target reads only the masked copy', () => {
    const policies = (flags: RawOptions) =>
      copyPolicies(
        validateCopyOptions({
          source: 'users',
          target: 'users',
          viaExport: `s3://${BUCKET}/${PREFIX}`,
          maskSecretEnv: SECRET_ENV,
          ...flags,
        }),
        undefined,
      );
    const statement = (doc: PolicyDocument, sid: string) => doc.Statement.find((st) => st.Sid === sid);
    for (const flags of [{ mask: ['email=hash'] }, { transform: 'drop.mjs' }]) {
      const { source, target } = policies(flags);
      expect(statement(source, 'WriteMaskedExportToBucket')).toEqual({
        Sid: 'WriteMaskedExportToBucket',
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject'],
        Resource: [`arn:aws:s3:::${BUCKET}/${PREFIX}/masked/*`],
      });
      expect(statement(source, 'ReadExportToMask')?.Resource).toEqual([`arn:aws:s3:::${BUCKET}/${PREFIX}/*`]);
      // The account that receives masked data never reads the unmasked export, nor writes to the bucket.
      expect(statement(target, 'ReadExportFromBucket')?.Resource).toEqual([
        `arn:aws:s3:::${BUCKET}`,
        `arn:aws:s3:::${BUCKET}/${PREFIX}/masked/*`,
      ]);
      expect(statement(target, 'WriteMaskedExportToBucket')).toBeUndefined();
    }
    const plain = policies({});
    expect(statement(plain.source, 'WriteMaskedExportToBucket')).toBeUndefined();
    expect(statement(plain.target, 'ReadExportFromBucket')?.Resource).toEqual([
      `arn:aws:s3:::${BUCKET}`,
      `arn:aws:s3:::${BUCKET}/${PREFIX}/*`,
    ]);
  });
});

describe('maskExport against a real S3-compatible server', () => {
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startS3Server();
  });
  afterAll(async () => {
    await s3?.close();
  });

  async function listKeys(prefix: string): Promise<Map<string, string>> {
    const keys = new Map<string, string>();
    let token: string | undefined;
    do {
      const page = await s3.client.send(
        new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) keys.set(object.Key!, object.ETag!);
      token = page.NextContinuationToken;
    } while (token);
    return keys;
  }

  async function lines(key: string): Promise<string[]> {
    const { Body } = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    const text = gunzipSync(Buffer.from(await Body!.transformToByteArray())).toString('utf8');
    return text.split('\n').filter((line) => line !== '');
  }

  it('checks before the export that the target may write under <prefix>/masked/, leaving nothing there', async () => {
    const allowed = newAccount(endpoint, 'eu-central-1');
    const stranger = newAccount(endpoint, 'eu-central-1');
    s3.allow(allowed);
    const probe = (account: LocalAccount) =>
      probeMaskedLocation({
        maskedLocation: `s3://${s3.bucket}/probe/masked`,
        signer: {
          side: 'target',
          region: account.region,
          credentials: new RefreshableCredentials(async () => account),
        },
        s3: { endpoint: s3.endpoint },
      });
    await probe(allowed);
    expect([...(await listKeys('probe/'))]).toEqual([]);
    const refused = await probe(stranger).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isDdbCopyError(refused)).toBe(true);
    expect((refused as Error).message).toContain(`s3://${s3.bucket}/probe/masked/ddbcopy-write-check-`);
    expect((refused as { side?: string }).side).toBe('target');
  });

  it('streams each data file through the masks into <prefix>/masked/ (multipart past 5 MiB); the export is only read', async () => {
    const source = newAccount(endpoint, 'eu-west-1');
    const target = newAccount(endpoint, 'eu-central-1');
    s3.allow(source);
    s3.allow(target);
    const signer = (side: 'source' | 'target', account: LocalAccount) => ({
      side,
      region: account.region,
      credentials: new RefreshableCredentials(async () => account),
    });
    // An export as AWS lays it out, in three data files; file 0 of incompressible values (> 5 MiB
    // gzipped), so its masked copy is a multipart upload. Multi-byte text checks the line splitting.
    const storage = await openExportStorage(
      { kind: 's3', bucket: s3.bucket, prefix: 'via/orders' },
      signer('source', source),
      { endpoint: s3.endpoint },
    );
    const sink = await ExportDirSink.create(storage);
    const item = (file: number, i: number, blob: number): Item => ({
      pk: { S: `f${file}-${i}` },
      email: { S: `person.${file}.${i}@example.org` },
      note: { S: `Grüße, 東京 ${'é'.repeat(i % 50)}` },
      blob: { S: randomBytes(blob).toString('base64') },
    });
    const files = [
      Array.from({ length: 1400 }, (_, i) => item(0, i, 4500)),
      Array.from({ length: 700 }, (_, i) => item(1, i, 20)),
      [],
    ];
    for (const [segment, items] of files.entries()) {
      // AWS writes empty data files too.
      if (items.length === 0) await sink.writeBatch([], undefined, segment);
      for (let i = 0; i < items.length; i += 100)
        await sink.writeBatch(items.slice(i, i + 100), undefined, segment);
      await sink.sealSegment(segment);
    }
    const snapshot = {
      table: {
        TableName: 'orders',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }],
      },
      timeToLive: 'unsupported' as const,
      continuousBackups: 'unsupported' as const,
      tags: 'unsupported' as const,
    };
    const { exportId } = await sink.finish(snapshot);
    sink.close();
    const exportPrefix = `via/orders/AWSDynamoDB/${exportId}/`;
    const before = await listKeys(exportPrefix);

    const changes = await prepareItemChanges(
      { masks: ['pk=hash', 'email=hash'].map((rule) => parseMaskRule(rule)), maskSecret: () => SECRET },
      { sourceTable: 'orders', table: snapshot.table, keyAttributes: ['pk'], rejectsFile: '' },
    );
    const progress: number[] = [];
    const result = await maskExport({
      exportLocation: `s3://${s3.bucket}/via/orders/AWSDynamoDB/${exportId}`,
      maskedLocation: `s3://${s3.bucket}/via/orders/masked`,
      exportId,
      signer: signer('target', target),
      s3: { endpoint: s3.endpoint },
      stage: changes.stage!,
      keyAttributes: ['pk'],
      keyTypes: { pk: 'S' },
      snapshot,
      onFile: (p) => progress.push(p.filesDone),
    });
    expect(result).toMatchObject({ filesRead: 3, itemsRead: 2100, itemsWritten: 2100 });
    expect(result.bytes).toBeGreaterThan(5 * 1024 * 1024);
    expect(progress.sort()).toEqual([1, 2, 3]);
    expect(changes.report()?.rules).toEqual([
      { rule: 'pk=hash', values: 2100 },
      { rule: 'email=hash', values: 2100 },
    ]);

    // The export is exactly as it was; the masked data folder holds only data files.
    expect(await listKeys(exportPrefix)).toEqual(before);
    const maskedPrefix = `via/orders/masked/AWSDynamoDB/${exportId}/`;
    const masked = [...(await listKeys(maskedPrefix)).keys()];
    const data = masked.filter((key) => key.startsWith(`${maskedPrefix}data/`));
    expect(data.length).toBe(result.filesWritten);
    expect(data.every((key) => key.endsWith('.json.gz'))).toBe(true);
    expect(masked.filter((key) => !data.includes(key)).sort()).toEqual(
      ['_started', 'ddbcopy-table.json', 'manifest-files.json', 'manifest-summary.json'].map(
        (name) => `${maskedPrefix}${name}`,
      ),
    );

    // Line for line: every original item, keys and emails hashed, the rest (multi-byte text, the
    // blobs) byte for byte; none of the original keys or emails is left.
    const originals = new Map(files.flat().map((it) => [it.blob!.S!, it]));
    let count = 0;
    for (const key of data) {
      for (const line of await lines(key)) {
        const { Item: out } = JSON.parse(line) as { Item: Item };
        const original = originals.get(out.blob!.S!)!;
        expect(out.note).toEqual(original.note);
        expect(out.pk!.S).toMatch(/^[A-Za-z0-9_-]{22}$/);
        expect(out.pk).not.toEqual(original.pk);
        expect(out.email).not.toEqual(original.email);
        expect(line).not.toContain('@example.org');
        count += 1;
      }
    }
    expect(count).toBe(2100);
  });
});
