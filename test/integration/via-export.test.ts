/**
 * `copy --via-export` end to end on DynamoDB Local, with AWS's export and import MOCKED AT THE SDK
 * BOUNDARY: no local server offers ExportTableToPointInTime, DescribeExport, ImportTable or
 * DescribeImport, so each side's client is wrapped by FakeAwsJobs (test/harness/fake-export-import.ts),
 * which answers those calls (and the PITR ones) itself and passes everything else to DynamoDB Local.
 * The fake's jobs use the real file format: the export writes AWS's layout with our ExportDirSink into
 * a local directory standing in for the S3 bucket, and the import reads the S3KeyPrefix it was given
 * with ExportDirSource and loads the items into a table created from TableCreationParameters.
 * Targets are checked with their own DescribeTable and Scan.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  PutItemCommand,
  type TableDescription,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { copyPolicies } from '../../src/plan/iam-policy.js';
import { type RawOptions, validateCopyOptions } from '../../src/runs/copy/options.js';
import { runViaExport, type ViaExportEvent } from '../../src/runs/via-export/run-via-export.js';
import { openSink, openSource } from '../../src/stores/open.js';
import { trickyItems, variedItems } from '../fixtures/items.js';
import { hashOnlyTable, keyAttrsOf, richOnDemandTable, richProvisionedTable } from '../fixtures/tables.js';
import { localSideFlags, withLocalCredentials } from '../harness/copy-options.js';
import { FakeAwsJobs, type FakeAwsJobsOptions } from '../harness/fake-export-import.js';
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
const POLL = { initialMs: 5, maxMs: 20 };

interface Setup {
  src: LocalAccount;
  dst: LocalAccount;
  srcClient: DynamoDBClient;
  dstClient: DynamoDBClient;
  aws: FakeAwsJobs;
  bucketsDir: string;
  events: ViaExportEvent[];
  run: (flags?: RawOptions, signal?: AbortSignal) => ReturnType<typeof runViaExport>;
}

async function setup(table: string, fake: Omit<FakeAwsJobsOptions, 'bucketsDir'> = {}): Promise<Setup> {
  const src = newAccount(endpoint, 'eu-west-1');
  const dst = newAccount(endpoint, 'eu-central-1');
  const bucketsDir = await mkdtemp(path.join(os.tmpdir(), 'ddbcopy-buckets-'));
  const aws = new FakeAwsJobs({ bucketsDir, ...fake });
  const events: ViaExportEvent[] = [];
  const run = (flags: RawOptions = {}, signal?: AbortSignal) => {
    const options = withLocalCredentials(
      validateCopyOptions({
        ...localSideFlags({ account: src, table }, { account: dst, table }),
        viaExport: 's3://transfer-bucket/exports/orders/',
        ...flags,
      }),
      { account: src, table },
      { account: dst, table },
    );
    return runViaExport(
      options,
      { onEvent: (event) => events.push(event), ...(signal ? { signal } : {}) },
      {
        poll: POLL,
        // Each side opened through the real registry, its client wrapped by the fake AWS.
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
  return {
    src,
    dst,
    srcClient: accountClient(src),
    dstClient: accountClient(dst),
    aws,
    bucketsDir,
    events,
    run,
  };
}

async function describeTable(client: DynamoDBClient, table: string): Promise<TableDescription> {
  return (await client.send(new DescribeTableCommand({ TableName: table }))).Table!;
}

/** The parts of a description the copy must reproduce, in a stable order. */
function shape(table: TableDescription) {
  const byName = <T extends { IndexName?: string }>(xs: T[] = []) =>
    [...xs].sort((a, b) => (a.IndexName ?? '').localeCompare(b.IndexName ?? ''));
  return {
    keySchema: table.KeySchema,
    attributes: [...(table.AttributeDefinitions ?? [])].sort((a, b) =>
      (a.AttributeName ?? '').localeCompare(b.AttributeName ?? ''),
    ),
    billing: table.BillingModeSummary?.BillingMode ?? 'PROVISIONED',
    capacity: [
      table.ProvisionedThroughput?.ReadCapacityUnits,
      table.ProvisionedThroughput?.WriteCapacityUnits,
    ],
    gsis: byName(table.GlobalSecondaryIndexes).map((g) => ({
      name: g.IndexName,
      keys: g.KeySchema,
      projection: g.Projection,
      capacity: [g.ProvisionedThroughput?.ReadCapacityUnits, g.ProvisionedThroughput?.WriteCapacityUnits],
    })),
    lsis: byName(table.LocalSecondaryIndexes).map((l) => ({ name: l.IndexName, keys: l.KeySchema })),
    stream: table.StreamSpecification,
  };
}

function withoutLsi(definition: CreateTableCommandInput): CreateTableCommandInput {
  const { LocalSecondaryIndexes: _dropped, ...rest } = definition;
  return rest;
}

/** A target that must survive a refused or failed run exactly as it was. */
async function existingTarget(s: Setup, table: string): Promise<TableDescription> {
  const described = await createTableAndWait(s.dstClient, hashOnlyTable(table, 'N'));
  await s.dstClient.send(
    new PutItemCommand({ TableName: table, Item: { pk: { N: '42' }, keep: { S: 'me' } } }),
  );
  return described;
}

async function expectTargetUntouched(s: Setup, table: string, before: TableDescription): Promise<void> {
  const after = await describeTable(s.dstClient, table);
  expect(after.CreationDateTime).toEqual(before.CreationDateTime);
  expect(await scanAll(s.dstClient, table)).toEqual([{ pk: { N: '42' }, keep: { S: 'me' } }]);
}

const exportCalls = (s: Setup) => s.aws.calls.filter((call) => call.operation === 'ExportTableToPointInTime');

describe('copy --via-export (AWS export/import faked at the SDK boundary)', () => {
  it('replaces the target with an identical table: items, indexes, stream, TTL; PITR and tags as the endpoint allows', async () => {
    const s = await setup('orders');
    const definition = withoutLsi(richProvisionedTable('orders'));
    await createTableAndWait(s.srcClient, definition);
    const keys = keyAttrsOf(definition);
    await putItems(s.srcClient, 'orders', [...variedItems(300, 7, keys), ...trickyItems(keys)]);
    await s.srcClient.send(
      new UpdateTimeToLiveCommand({
        TableName: 'orders',
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
      }),
    );
    const before = await existingTarget(s, 'orders');

    const outcome = await s.run({ yes: true });
    expect(outcome.error).toBeUndefined();
    expect(outcome.exitCode).toBe(EXIT.ok);

    const source = await describeTable(s.srcClient, 'orders');
    const target = await describeTable(s.dstClient, 'orders');
    expect(target.CreationDateTime).not.toEqual(before.CreationDateTime);
    expect(shape(target)).toStrictEqual(shape(source));
    const ttl = await s.dstClient.send(new DescribeTimeToLiveCommand({ TableName: 'orders' }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
    const keyNames = [keys.pk.name, keys.sk!.name];
    const sourceItems = await scanAll(s.srcClient, 'orders');
    expect(itemsByKey(await scanAll(s.dstClient, 'orders'), keyNames)).toEqual(
      itemsByKey(sourceItems, keyNames),
    );

    // ImportTable read exactly the export's data folder, and was given only what it accepts.
    const exported = outcome.summary.viaExport.export!;
    const importCall = s.aws.calls.find((call) => call.operation === 'ImportTable')!.input as {
      S3BucketSource: { S3Bucket: string; S3KeyPrefix: string };
      TableCreationParameters: Record<string, unknown>;
    };
    expect(importCall.S3BucketSource).toEqual({
      S3Bucket: 'transfer-bucket',
      S3KeyPrefix: `exports/orders/AWSDynamoDB/${exported.id}/data/`,
    });
    expect(Object.keys(importCall.TableCreationParameters).sort()).toEqual([
      'AttributeDefinitions',
      'BillingMode',
      'GlobalSecondaryIndexes',
      'KeySchema',
      'ProvisionedThroughput',
      'TableName',
    ]);

    const summary = outcome.summary;
    expect(summary).toMatchObject({
      command: 'copy',
      status: 'completed',
      schema: { action: 'recreated', indexes: { global: 3, local: 0 } },
      items: { scanned: sourceItems.length, written: sourceItems.length },
      consumedCapacity: { read: 0, write: 0 },
      checkpoint: null,
    });
    expect(summary.schema.settings).toEqual(expect.arrayContaining(['ttl', 'pitr', 'streams']));
    expect(exported).toMatchObject({ status: 'COMPLETED', itemCount: sourceItems.length });
    expect(exported.arn).toMatch(/\/export\/\d{14}-[0-9a-f]{8}$/);
    expect(summary.viaExport.import).toMatchObject({
      status: 'COMPLETED',
      importedItemCount: sourceItems.length,
      processedItemCount: sourceItems.length,
      errorCount: 0,
    });
    expect(summary.viaExport.import!.arn).toContain('/import/');
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);

    // Both phases reported progress, and the steps came in order.
    const jobs = s.events.flatMap((event) => (event.type === 'job' ? [event.progress] : []));
    expect(jobs.some((job) => job.job === 'export' && job.status === 'IN_PROGRESS')).toBe(true);
    expect(jobs.at(-1)).toMatchObject({ job: 'import', status: 'COMPLETED' });
    const steps = s.events.flatMap((event) => (event.type === 'step' ? [event.name] : []));
    expect([...new Set(steps)]).toEqual(['connect', 'describe', 'export', 'delete', 'import', 'settings']);

    // The source only ever saw reads, describes and the export; `iam-policy` grants what each side sent.
    const options = validateCopyOptions({
      source: 'orders',
      target: 'orders',
      viaExport: 's3://transfer-bucket/exports/orders',
    });
    const policies = copyPolicies(options, undefined);
    const granted = (doc: typeof policies.source) => doc.Statement.flatMap((statement) => statement.Action);
    // DynamoDB Local has no tags API: ListTagsOfResource/TagResource fail as unsupported, still sent.
    expect(s.aws.actions('source').filter((a) => a !== 'dynamodb:Scan')).toEqual(
      [...granted(policies.source)].filter((a) => a.startsWith('dynamodb:')).sort(),
    );
    expect(s.aws.actions('source')).not.toContain('dynamodb:Scan');
    for (const action of s.aws.actions('target')) expect(granted(policies.target)).toContain(action);
    await s.aws.settled();
  });

  it('refuses a source with local secondary indexes unless --drop-lsi, then copies without them', async () => {
    const s = await setup('orders');
    const definition = richOnDemandTable('orders');
    await createTableAndWait(s.srcClient, definition);
    await putItems(s.srcClient, 'orders', variedItems(120, 3, keyAttrsOf(definition)));
    const before = await existingTarget(s, 'orders');

    const refused = await s.run({ yes: true });
    expect(refused.error?.code).toBe('VIA_EXPORT_UNSUPPORTED');
    expect(refused.exitCode).toBe(EXIT.badInput);
    expect(refused.error?.message).toContain('byCreatedAt');
    expect(refused.error?.hint).toContain('dropLsi');
    expect(exportCalls(s)).toEqual([]);
    await expectTargetUntouched(s, 'orders', before);

    const outcome = await s.run({ yes: true, dropLsi: true });
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary.warnings.join('\n')).toMatch(
      /local secondary indexes are not created.*byCreatedAt/,
    );
    expect(outcome.summary.viaExport.droppedLocalIndexes).toEqual(['byCreatedAt']);
    const source = await describeTable(s.srcClient, 'orders');
    const target = await describeTable(s.dstClient, 'orders');
    expect(target.LocalSecondaryIndexes ?? []).toEqual([]);
    expect(shape(target)).toStrictEqual({ ...shape(source), lsis: [] });
    const keyNames = ['pk', 'sk'];
    expect(itemsByKey(await scanAll(s.dstClient, 'orders'), keyNames)).toEqual(
      itemsByKey(await scanAll(s.srcClient, 'orders'), keyNames),
    );
    await s.aws.settled();
  });

  it('says how to enable point-in-time recovery when it is off, and changes nothing', async () => {
    const s = await setup('tbl', { pitr: false });
    await createTableAndWait(s.srcClient, hashOnlyTable('tbl', 'S'));
    const before = await existingTarget(s, 'tbl');
    const outcome = await s.run({ yes: true });
    expect(outcome.error?.code).toBe('PITR_REQUIRED');
    expect(outcome.exitCode).toBe(EXIT.badInput);
    expect(outcome.error?.hint).toContain('aws dynamodb update-continuous-backups --table-name tbl');
    expect(outcome.error?.hint).toContain('drop viaExport');
    expect(exportCalls(s)).toEqual([]);
    await expectTargetUntouched(s, 'tbl', before);
  });

  it('asks before replacing an existing target: without --yes nothing is exported or deleted', async () => {
    const s = await setup('tbl');
    await createTableAndWait(s.srcClient, hashOnlyTable('tbl', 'S'));
    const before = await existingTarget(s, 'tbl');
    const outcome = await s.run();
    expect(outcome.error?.code).toBe('DELETION_NOT_CONFIRMED');
    expect(outcome.exitCode).toBe(EXIT.badInput);
    expect(exportCalls(s)).toEqual([]);
    await expectTargetUntouched(s, 'tbl', before);
  });

  it("reports a FAILED export with AWS's reason, exit 1, and leaves the target alone", async () => {
    const s = await setup('tbl', {
      failExport: { code: 'S3AccessDenied', message: 'Access Denied for bucket transfer-bucket' },
    });
    await createTableAndWait(s.srcClient, hashOnlyTable('tbl', 'S'));
    await putItems(s.srcClient, 'tbl', variedItems(10, 1, keyAttrsOf(hashOnlyTable('tbl', 'S'))));
    const before = await existingTarget(s, 'tbl');
    const outcome = await s.run({ yes: true });
    expect(outcome.error?.code).toBe('AWS_JOB_FAILED');
    expect(outcome.exitCode).toBe(EXIT.failed);
    expect(outcome.error?.message).toContain('S3AccessDenied: Access Denied for bucket transfer-bucket');
    expect(outcome.summary.status).toBe('failed');
    expect(outcome.summary.viaExport.export).toMatchObject({ status: 'FAILED' });
    expect(outcome.summary.viaExport.import).toBeNull();
    expect(s.aws.calls.some((call) => call.operation === 'ImportTable')).toBe(false);
    await expectTargetUntouched(s, 'tbl', before);
    await s.aws.settled();
  });

  it("reports a FAILED import with AWS's reason and counts, exit 1", async () => {
    const s = await setup('tbl', {
      failImport: { code: 'ValidationError', message: 'Unexpected token at line 3' },
    });
    await createTableAndWait(s.srcClient, hashOnlyTable('tbl', 'S'));
    await putItems(s.srcClient, 'tbl', variedItems(10, 1, keyAttrsOf(hashOnlyTable('tbl', 'S'))));
    const outcome = await s.run();
    expect(outcome.error?.code).toBe('AWS_JOB_FAILED');
    expect(outcome.exitCode).toBe(EXIT.failed);
    expect(outcome.error?.message).toContain('ValidationError: Unexpected token at line 3');
    expect(outcome.error?.message).toContain('imported 0, processed 0, errors 0');
    expect(outcome.error?.hint).toContain('/aws-dynamodb/');
    expect(outcome.summary.viaExport.export).toMatchObject({ status: 'COMPLETED', itemCount: 10 });
    expect(outcome.summary.viaExport.import).toMatchObject({ status: 'FAILED' });
    await s.aws.settled();
  });

  it("stops watching on interrupt and says the export goes on at AWS's side", async () => {
    const s = await setup('tbl', { extraPolls: 1000 });
    await createTableAndWait(s.srcClient, hashOnlyTable('tbl', 'S'));
    const controller = new AbortController();
    const outcome = s.run({}, controller.signal);
    const timer = setInterval(() => {
      if (s.events.some((event) => event.type === 'job')) controller.abort();
    }, 5);
    const result = await outcome.finally(() => clearInterval(timer));
    expect(result.error?.code).toBe('INTERRUPTED');
    expect(result.exitCode).toBe(EXIT.interrupted);
    expect(result.error?.message).toContain("continues on AWS's side");
    expect(result.error?.hint).toContain('aws dynamodb describe-export --export-arn');
    expect(result.summary.status).toBe('interrupted');
    await expect(describeTable(s.dstClient, 'tbl')).rejects.toThrow();
    await s.aws.settled();
  });

  it('--dry-run prints the requests and changes nothing', async () => {
    const s = await setup('tbl');
    await createTableAndWait(s.srcClient, hashOnlyTable('tbl', 'S'));
    const outcome = await s.run({ dryRun: true, s3BucketOwner: '123456789012' });
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary.status).toBe('planned');
    expect(outcome.plan?.export).toMatchObject({
      S3Bucket: 'transfer-bucket',
      S3Prefix: 'exports/orders',
      S3BucketOwner: '123456789012',
      ExportFormat: 'DYNAMODB_JSON',
      ExportType: 'FULL_EXPORT',
    });
    expect(outcome.plan?.import.S3BucketSource).toEqual({
      S3Bucket: 'transfer-bucket',
      S3BucketOwner: '123456789012',
    });
    expect(exportCalls(s)).toEqual([]);
    await expect(describeTable(s.dstClient, 'tbl')).rejects.toThrow();
  });
});
