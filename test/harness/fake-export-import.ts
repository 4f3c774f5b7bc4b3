/**
 * A HAND-WRITTEN FAKE of AWS's export and import, at the SDK boundary. No local server offers
 * ExportTableToPointInTime, DescribeExport, ImportTable or DescribeImport (DynamoDB Local has none of
 * them, nor point-in-time recovery), so `FakeAwsJobs.wrap(client)` returns an object whose
 * `send(command)` answers those commands and the PITR ones itself and passes every other command to
 * the real DynamoDB Local client.
 *
 * The jobs do real work in the real file format: the export scans the table through the real client
 * and writes AWS's layout with our ExportDirSink into a local directory standing in for the bucket
 * (`<bucketsDir>/<bucket>/<prefix>/AWSDynamoDB/<exportId>/data/*.json.gz`, without our table
 * definition file, as AWS writes none). The import reads exactly the S3KeyPrefix it is given (it
 * must name that data/ folder) with ExportDirSource, creates the table from TableCreationParameters
 * on DynamoDB Local, refusing fields ImportTable does not take, and writes every item.
 */
import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  type AttributeValue,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  type ExportDescription,
  type ExportTableToPointInTimeCommandInput,
  type ImportTableCommandInput,
  type ImportTableDescription,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { ExportDirSink, newExportId } from '../../src/stores/export-dir/export-sink.js';
import { ExportDirSource } from '../../src/stores/export-dir/export-source.js';
import { LocalStorage } from '../../src/stores/export-dir/local-storage.js';
import type { Item } from '../../src/stores/types.js';
import { createTableAndWait, putItems } from './local-accounts.js';

/** What ImportTable's TableCreationParameters accepts (SDK ImportTableInput). */
const CREATION_FIELDS = new Set([
  'TableName',
  'AttributeDefinitions',
  'KeySchema',
  'BillingMode',
  'ProvisionedThroughput',
  'OnDemandThroughput',
  'SSESpecification',
  'GlobalSecondaryIndexes',
]);

export interface FakeJobFailure {
  code: string;
  message: string;
}

export interface FakeAwsJobsOptions {
  /** The directory holding one folder per bucket. */
  bucketsDir: string;
  /** Point-in-time recovery on the source table (default on). */
  pitr?: boolean;
  failExport?: FakeJobFailure;
  failImport?: FakeJobFailure;
  /** Describe calls that still say IN_PROGRESS after the job finished, to exercise the polling. */
  extraPolls?: number;
}

export interface RecordedCall {
  side: string;
  operation: string;
  input: unknown;
}

interface Job<D> {
  description: D;
  done: Promise<void>;
  finished: boolean;
  polls: number;
}

/** A service error shaped like the SDK's: the AWS error code in `name`, a 400 status. */
function serviceError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

export class FakeAwsJobs {
  readonly calls: RecordedCall[] = [];
  private readonly exports = new Map<string, Job<ExportDescription>>();
  private readonly imports = new Map<string, Job<ImportTableDescription>>();
  private targetPitr = false;

  constructor(private readonly options: FakeAwsJobsOptions) {}

  /** The client a side's connection uses instead of `real`. */
  wrap(real: DynamoDBClient, side: string): DynamoDBClient {
    const fake = {
      send: (command: { input: unknown; constructor: { name: string } }, options?: unknown) =>
        this.send(real, side, command, options),
      destroy: () => real.destroy(),
      config: real.config,
      middlewareStack: real.middlewareStack,
    };
    return fake as unknown as DynamoDBClient;
  }

  /** The DynamoDB operations a side sent, as IAM action names, without repeats. */
  actions(side: string): string[] {
    const names = this.calls.filter((call) => call.side === side).map((call) => `dynamodb:${call.operation}`);
    return [...new Set(names)].sort();
  }

  /** Waits for every job started, so a test ends with nothing running in the background. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.exports.values(), ...this.imports.values()].map((job) => job.done));
  }

  private async send(
    real: DynamoDBClient,
    side: string,
    command: { input: unknown; constructor: { name: string } },
    options: unknown,
  ): Promise<unknown> {
    const operation = command.constructor.name.replace(/Command$/, '');
    this.calls.push({ side, operation, input: command.input });
    switch (operation) {
      case 'DescribeContinuousBackups': {
        const on = side === 'source' ? this.options.pitr !== false : this.targetPitr;
        const status = on ? 'ENABLED' : 'DISABLED';
        return {
          ContinuousBackupsDescription: {
            ContinuousBackupsStatus: status,
            PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: status },
          },
        };
      }
      case 'UpdateContinuousBackups':
        this.targetPitr = true;
        return { ContinuousBackupsDescription: { ContinuousBackupsStatus: 'ENABLED' } };
      case 'ExportTableToPointInTime':
        return {
          ExportDescription: this.startExport(real, command.input as ExportTableToPointInTimeCommandInput),
        };
      case 'DescribeExport':
        return {
          ExportDescription: this.describe(this.exports, (command.input as { ExportArn: string }).ExportArn),
        };
      case 'ImportTable':
        return {
          ImportTableDescription: await this.startImport(real, command.input as ImportTableCommandInput),
        };
      case 'DescribeImport':
        return {
          ImportTableDescription: this.describe(
            this.imports,
            (command.input as { ImportArn: string }).ImportArn,
          ),
        };
      default:
        return real.send(command as never, options as never);
    }
  }

  private describe<D extends object>(jobs: Map<string, Job<D>>, arn: string): D {
    const job = jobs.get(arn);
    if (!job) throw serviceError('ResourceNotFoundException', `No job ${arn}`);
    job.polls += 1;
    if (!job.finished || job.polls <= (this.options.extraPolls ?? 1)) {
      const status =
        'ExportArn' in job.description ? { ExportStatus: 'IN_PROGRESS' } : { ImportStatus: 'IN_PROGRESS' };
      return { ...job.description, ...status };
    }
    return job.description;
  }

  private startExport(real: DynamoDBClient, input: ExportTableToPointInTimeCommandInput): ExportDescription {
    if (this.options.pitr === false) {
      throw serviceError(
        'PointInTimeRecoveryUnavailableException',
        `Point in time recovery is not enabled for table '${input.TableArn}'`,
      );
    }
    const exportId = newExportId();
    const description: ExportDescription = {
      ExportArn: `${input.TableArn}/export/${exportId}`,
      ExportStatus: 'IN_PROGRESS',
      TableArn: input.TableArn,
      S3Bucket: input.S3Bucket,
      S3Prefix: input.S3Prefix,
      S3BucketOwner: input.S3BucketOwner,
      ExportFormat: input.ExportFormat,
      ExportType: input.ExportType,
      StartTime: new Date(),
    };
    const job: Job<ExportDescription> = { description, finished: false, polls: 0, done: Promise.resolve() };
    job.done = this.runExport(real, input, exportId)
      .then((result) => Object.assign(description, { ExportStatus: 'COMPLETED', ...result }))
      .catch((error: unknown) =>
        Object.assign(description, {
          ExportStatus: 'FAILED',
          FailureCode: (error as FakeJobFailure).code ?? 'UNKNOWN',
          FailureMessage: (error as Error).message,
        }),
      )
      .then(() => {
        description.EndTime = new Date();
        job.finished = true;
      });
    this.exports.set(description.ExportArn!, job);
    return { ...description };
  }

  private async runExport(
    real: DynamoDBClient,
    input: ExportTableToPointInTimeCommandInput,
    exportId: string,
  ): Promise<Partial<ExportDescription>> {
    if (this.options.failExport)
      throw Object.assign(new Error(this.options.failExport.message), this.options.failExport);
    const tableName = input.TableArn!.split(':table/')[1]!;
    const { Table } = await real.send(new DescribeTableCommand({ TableName: tableName }));
    const storage = new LocalStorage(
      path.join(this.options.bucketsDir, input.S3Bucket!, input.S3Prefix ?? ''),
    );
    const sink = await ExportDirSink.create(storage, { exportId });
    let itemCount = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await real.send(
        new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey, Limit: 500 }),
      );
      const items = (page.Items ?? []) as Item[];
      if (items.length > 0) await sink.writeBatch(items);
      itemCount += items.length;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const result = await sink.finish({
      table: Table!,
      timeToLive: 'unsupported',
      continuousBackups: 'unsupported',
      tags: 'unsupported',
    });
    // AWS's exports carry no table definition: the import must not lean on ours.
    await rm(path.join(storage.root, 'AWSDynamoDB', exportId, 'ddbcopy-table.json'), { force: true });
    return {
      ItemCount: itemCount,
      BilledSizeBytes: result.bytes,
      ExportManifest: `AWSDynamoDB/${exportId}/manifest-summary.json`,
    };
  }

  private async startImport(
    real: DynamoDBClient,
    input: ImportTableCommandInput,
  ): Promise<ImportTableDescription> {
    const parameters = input.TableCreationParameters ?? ({} as Record<string, unknown>);
    const unknown = Object.keys(parameters).filter((key) => !CREATION_FIELDS.has(key));
    if (unknown.length > 0) {
      throw serviceError(
        'ValidationException',
        `TableCreationParameters does not take ${unknown.join(', ')}`,
      );
    }
    if (input.InputFormat !== 'DYNAMODB_JSON' || input.InputCompressionType !== 'GZIP') {
      throw serviceError(
        'ValidationException',
        `unexpected format ${input.InputFormat}/${input.InputCompressionType}`,
      );
    }
    const tableName = input.TableCreationParameters!.TableName!;
    const exists = await real.send(new DescribeTableCommand({ TableName: tableName })).then(
      () => true,
      () => false,
    );
    if (exists) throw serviceError('ResourceInUseException', `Table already exists: ${tableName}`);
    const importArn = `arn:aws:dynamodb:ddblocal:000000000000:table/${tableName}/import/${randomBytes(8).toString('hex')}`;
    const description: ImportTableDescription = {
      ImportArn: importArn,
      ImportStatus: 'IN_PROGRESS',
      S3BucketSource: input.S3BucketSource,
      InputFormat: input.InputFormat,
      InputCompressionType: input.InputCompressionType,
      TableCreationParameters: input.TableCreationParameters,
      CloudWatchLogGroupArn: 'arn:aws:logs:local:000000000000:log-group:/aws-dynamodb/imports:*',
      StartTime: new Date(),
    };
    const job: Job<ImportTableDescription> = {
      description,
      finished: false,
      polls: 0,
      done: Promise.resolve(),
    };
    job.done = this.runImport(real, input)
      .then((counts) => Object.assign(description, { ImportStatus: 'COMPLETED', ...counts }))
      .catch((error: unknown) =>
        Object.assign(description, {
          ImportStatus: 'FAILED',
          FailureCode: (error as FakeJobFailure).code ?? 'UNKNOWN',
          FailureMessage: (error as Error).message,
          ImportedItemCount: 0,
          ProcessedItemCount: 0,
          ErrorCount: 0,
        }),
      )
      .then(() => {
        description.EndTime = new Date();
        job.finished = true;
      });
    this.imports.set(importArn, job);
    return { ...description };
  }

  private async runImport(
    real: DynamoDBClient,
    input: ImportTableCommandInput,
  ): Promise<Partial<ImportTableDescription>> {
    if (this.options.failImport)
      throw Object.assign(new Error(this.options.failImport.message), this.options.failImport);
    const source = input.S3BucketSource!;
    const prefix = source.S3KeyPrefix ?? '';
    // AWS imports every object under the prefix: it must be exactly one export's data folder.
    if (!/(^|\/)AWSDynamoDB\/[^/]+\/data\/$/.test(prefix)) {
      throw Object.assign(new Error(`S3KeyPrefix '${prefix}' is not an export's data/ folder`), {
        code: 'InvalidPrefix',
      });
    }
    const dataDir = path.join(this.options.bucketsDir, source.S3Bucket!, prefix);
    const files = (await readdir(dataDir)).filter((name) => name.endsWith('.json.gz'));
    if (files.length === 0) {
      throw Object.assign(new Error(`no objects under s3://${source.S3Bucket}/${prefix}`), {
        code: 'NoObjects',
      });
    }
    const creation = input.TableCreationParameters!;
    await createTableAndWait(real, creation as CreateTableCommandInput);
    const reader = await ExportDirSource.open(new LocalStorage(path.dirname(dataDir)));
    let imported = 0;
    for await (const page of reader.scan({ segment: 0, totalSegments: 1 })) {
      await putItems(real, creation.TableName!, page.items.map(toSdkItem) as never);
      imported += page.items.length;
    }
    return {
      ImportedItemCount: imported,
      ProcessedItemCount: imported,
      ErrorCount: 0,
      ProcessedSizeBytes: 0,
    };
  }
}

/** Files carry binaries as base64 text; the SDK client wants bytes. */
function toSdkItem(item: Item): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, toSdkValue(value)]));
}

function toSdkValue(value: Item[string]): AttributeValue {
  const bytes = (b: Uint8Array | string): Uint8Array =>
    typeof b === 'string' ? Buffer.from(b, 'base64') : b;
  if (value.B !== undefined) return { B: bytes(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(bytes) };
  if (value.M !== undefined) return { M: toSdkItem(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toSdkValue) };
  return value as AttributeValue;
}
