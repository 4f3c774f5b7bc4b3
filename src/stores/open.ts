/**
 * The one registry of stores: a store spec (plain data) opens a Source or a Sink. Runs and copy worker
 * threads open stores here and nowhere else, so a run never names a store's modules, and a new store
 * is one folder plus its lines here.
 *
 * Stores:
 * - `dynamodb`: a table, read with parallel Scan or written with BatchWriteItem, with its control plane
 *   (DescribeTable, CreateTable, settings). Its spec crosses to worker threads.
 * - `export-dir`: AWS's export layout (DYNAMODB_JSON, gzip) in a directory or under s3://bucket/prefix,
 *   signed with a DynamoDB side's credentials.
 */

import { DynamoDbSink } from './dynamodb/sink.js';
import { DynamoDbSource } from './dynamodb/source.js';
import { TableCatalog } from './dynamodb/table-catalog.js';
import { connectSpec, type DynamoDbSpec } from './dynamodb/table-end.js';
import { parseExportLocation } from './export-dir/export-location.js';
import { ExportDirSink, type ExportSinkOptions } from './export-dir/export-sink.js';
import { ExportDirSource } from './export-dir/export-source.js';
import type { ExportStorage } from './export-dir/export-storage.js';
import { openExportStorage } from './export-dir/open-storage.js';
import type { S3Settings } from './export-dir/s3-client.js';
import type { RetryListener, SigningIdentity } from './types.js';

export type { SideConfig } from './dynamodb/client.js';
export type { JobProgress } from './dynamodb/export-import-jobs.js';
export type {
  DynamoDbSink,
  DynamoDbSource,
  DynamoDbSpec,
  ExportDirSink,
  ExportDirSource,
  ExportStorage,
  S3Settings,
  TableCatalog,
};

export interface OpenOptions {
  /** Told of every retry the store makes (the run counts them; throttling slows the side's pacer). */
  onRetry?: RetryListener;
}

/** Where an export directory is: a path or s3://bucket/prefix, reached with one side's credentials. */
export interface ExportDirSpec {
  store: 'export-dir';
  /** The directory or s3:// URL, as the user gave it. */
  location: string;
  /** The flag it came from, for messages: `--out` (export) or `--from` (import). */
  flag: 'out' | 'from';
  /** For s3://: endpoint and region. */
  s3?: S3Settings | undefined;
  /** An s3:// location is signed with this side's credentials (the source's for an export, the target's for an import). */
  signer: SigningIdentity;
}

export type StoreSpec = DynamoDbSpec | ExportDirSpec;

/** Opens a table to read from. A DynamoDB source only ever sends reads and describes (whichever side it is). */
export function openSource(spec: DynamoDbSpec, options?: OpenOptions): Promise<DynamoDbSource>;
export function openSource(spec: ExportDirSpec, options?: OpenOptions): Promise<ExportDirSource>;
export async function openSource(
  spec: StoreSpec,
  options: OpenOptions = {},
): Promise<DynamoDbSource | ExportDirSource> {
  if (spec.store === 'dynamodb')
    return new DynamoDbSource(await connectSpec(spec, true), options.onRetry, spec);
  return ExportDirSource.open(await openExportDir(spec));
}

/** Opens a table to write to (and its control plane). */
export async function openSink(spec: DynamoDbSpec, options: OpenOptions = {}): Promise<DynamoDbSink> {
  return new DynamoDbSink(await connectSpec(spec, false), options.onRetry, spec);
}

/** One side's tables, to select from by name, glob or tag (`--tables`): it lists, never changes. */
export function openCatalog(spec: {
  store: 'dynamodb';
  side: DynamoDbSpec['side'];
  config: Omit<DynamoDbSpec['config'], 'table'>;
}): Promise<TableCatalog> {
  return TableCatalog.open(spec.side, spec.config);
}

/** The storage behind an export location, for a run that manages the export's files (export, resume). */
export function openExportDir(spec: ExportDirSpec): Promise<ExportStorage> {
  return openExportStorage(parseExportLocation(spec.location, spec.flag), spec.signer, spec.s3);
}

/** A new export (or one resumed) in that storage: the sink the copy engine writes into. */
export function createExportSink(
  storage: ExportStorage,
  options: ExportSinkOptions = {},
): Promise<ExportDirSink> {
  return ExportDirSink.create(storage, options);
}

// What a profile names of region and account, read without credentials (iam-policy --side).

export { type ProfileDefaults, profileDefaults } from './dynamodb/profiles.js';

// The demo's sample tables (seeded and read back with the SDK itself, as an independent client).

export {
  createStaleTarget,
  type LocalAccount,
  readAllItems,
  type SampleTableSeed,
  seedSampleTable,
} from './dynamodb/demo-tables.js';

// AWS's own export and import jobs, and table updates (copy --via-export): DynamoDB's control plane.

export * from './dynamodb/export-import-jobs.js';
export * from './dynamodb/table-updates.js';

// What a run does with an export's files besides writing items: resume checks and clean-up.

export { parseExportLocation } from './export-dir/export-location.js';
export {
  discardExport,
  discardParts,
  type ExportResult,
  missingSealedFile,
} from './export-dir/export-sink.js';
export { joinKey } from './export-dir/export-storage.js';
export { EXPORTS_FOLDER, type ManifestFileEntry, SUMMARY_FILE } from './export-dir/layout.js';
