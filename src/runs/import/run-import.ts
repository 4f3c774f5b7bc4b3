import path from 'node:path';
import { copyItems } from '../../engine/copy/copy-items.js';
import {
  CheckpointError,
  type DdbCopyError,
  EXIT,
  ExportDefinitionMissingError,
  errorReport,
  InterruptedError,
  InvalidOptionError,
  SchemaMismatchError,
} from '../../errors.js';
import { keyAttributeNames } from '../../model/key-schema.js';
import { formatKeySpec, type KeySpec, keySpecOf, snapshotFromKey } from '../../model/key-spec.js';
import type { SideIdentity } from '../../model/side-identity.js';
import type { TableDescription, TableSnapshot } from '../../model/table.js';
import { tableRate } from '../../plan/copy-plan.js';
import { translateSchema } from '../../plan/translate-schema.js';
import { countRetries } from '../../runtime/count-retries.js';
import { Pacer } from '../../runtime/pacer.js';
import { CopyStats } from '../../runtime/stats.js';
import {
  type DynamoDbSink,
  type ExportDirSource,
  openSink,
  openSource,
  parseExportLocation,
  type S3Settings,
  type SideConfig,
} from '../../stores/open.js';
import type { ItemOptions } from '../copy/item-options.js';
import type { RateSpec } from '../copy/options.js';
import {
  CheckpointWriter,
  defaultCheckpointPath,
  hashOptions,
  readCheckpoint,
  segmentsOf,
  type TableIdentity,
} from '../shared/checkpoint.js';
import {
  itemChangesIdentity,
  type MaskingReport,
  type PreparedChanges,
  prepareItemChanges,
} from '../shared/item-changes.js';
import { type DeletionQuestion, replaceTarget } from '../shared/replace-target.js';
import {
  collectWarnings,
  failedOutcome,
  type ResumableRunReport,
  type RunOutcome,
} from '../shared/run-outcome.js';
import { decideResume, newRecord, type RecordOptions, withProgress } from '../shared/run-record.js';
import { checkAccount } from '../shared/side-account.js';
import { sideSummary } from '../shared/side-summary.js';
import { stepNumbering } from '../shared/step-numbers.js';
import { type ImportEvent, type ImportStepName, importStages } from './events.js';

/** Options of an import, what runImport takes: the export, the target side, and how. */
export interface ImportOptions extends ItemOptions {
  /** An export directory or s3://bucket/prefix (`--out` of an export, an AWS export) or the export folder itself. */
  readonly from: string;
  /** For an s3:// `from`: endpoint and region; the target side's credentials sign. */
  readonly s3?: S3Settings;
  readonly target: Readonly<SideConfig>;
  /** Delete an existing target without asking. */
  readonly yes: boolean;
  /** BatchWriteItem requests in flight. */
  readonly concurrency: number | undefined;
  /** Cap on the target's write capacity units per second, or a percentage of its capacity. */
  readonly writeRate?: RateSpec | undefined;
  /** The table's key, for an export that carries no table definition (AWS's own). */
  readonly key?: KeySpec | undefined;
  /** The run record's file (default: .ddbcopy/import-EXPORT-to-TABLE-HASH.json). */
  readonly checkpoint?: string | undefined;
  /** Continue the import recorded in the checkpoint: the target is not recreated. */
  readonly resume?: boolean;
  /** Start over even though an unfinished checkpoint exists. */
  readonly restart?: boolean;
}

/** What an import tells its caller (events) and asks it (deletion), and how it is cancelled. */
export interface ImportHooks {
  /** Steps, warnings and progress, for a renderer; the import never prints. */
  onEvent?: (event: ImportEvent) => void;
  /** Asked before an existing target is deleted (unless options.yes). Without it, deletion needs `yes`. */
  confirmDeletion?: (question: DeletionQuestion) => Promise<boolean>;
  signal?: AbortSignal;
}

/** The `--json` document of an import. */
export interface ImportSummary extends ResumableRunReport {
  command: 'import';
  status: 'completed' | 'failed' | 'interrupted';
  from: { dir: string; exportId: string | null; files: number; items: number };
  /** `account`: the account the target's credentials belong to (STS), when known; absent on a local endpoint. */
  target: { table: string; region: string | null; endpoint: string | null; account?: string };
  schema: {
    action: 'recreated' | 'created' | 'kept' | 'none';
    /** Where the table definition came from: the export's own file, or --key. */
    definition: 'export' | 'key' | null;
    settings: string[];
    unsupportedSettings: string[];
  };
  /** Items this run wrote; `writtenBefore` were written by earlier runs of the same checkpoint. */
  items: { written: number; writtenBefore: number };
  consumedCapacity: { write: number };
  /** With masks or a transform: the items were masked while loading; values masked per rule. */
  masking?: MaskingReport;
}

/** What runImport resolves with: the summary, the exit code, and the typed error of a failed run. */
export type ImportOutcome = RunOutcome<ImportSummary>;

const DEFAULT_WRITE_CONCURRENCY = 16;

/**
 * Imports an export directory into a target table: open and verify every data file (before the
 * target is touched, so a damaged export changes nothing), recreate the target from the export's
 * table definition or `--key` (an existing target is deleted only when confirmed), then write the
 * items with the copy engine, saving progress in a checkpoint so `--resume` continues after a crash.
 * Never throws for a failure it can explain.
 */
export async function runImport(options: ImportOptions, hooks: ImportHooks = {}): Promise<ImportOutcome> {
  const stats = new CopyStats();
  const numberOf = stepNumbering(importStages(options));
  const step = (name: ImportStepName, message: string): void =>
    hooks.onEvent?.({ type: 'step', name, message, ...numberOf(name) });
  const { warnings, warn } = collectWarnings((message) => hooks.onEvent?.({ type: 'warning', message }));
  let sink: DynamoDbSink | undefined;
  let targetWho: SideIdentity | undefined;
  let source: ExportDirSource | undefined;
  let definition: ImportSummary['schema']['definition'] = null;
  let schemaAction: ImportSummary['schema']['action'] = 'none';
  let targetChanged = false;
  let segments = 0;
  let checkpointFile: string | null = null;
  let resumed = false;
  let writtenBefore = 0;
  let writer: CheckpointWriter | undefined;
  let changes: PreparedChanges | undefined;
  const settings: string[] = [];
  const unsupportedSettings: string[] = [];
  const summary = (status: ImportSummary['status'], error?: DdbCopyError): ImportSummary => {
    const seconds = stats.elapsedMs / 1000;
    const masking = changes?.report();
    return {
      ...(masking ? { masking } : {}),
      command: 'import',
      status,
      from: {
        dir: source?.exportDir ?? options.from,
        exportId: source?.exportId ?? null,
        files: source?.files.length ?? 0,
        items: source?.itemCount ?? 0,
      },
      target: sideSummary(sink, options.target, targetWho),
      schema: { action: schemaAction, definition, settings, unsupportedSettings },
      items: { written: stats.itemsWritten, writtenBefore },
      consumedCapacity: { write: Math.round(stats.consumedWrite * 10) / 10 },
      segments,
      checkpoint: { file: checkpointFile, resumed },
      durationMs: Math.round(stats.elapsedMs),
      itemsPerSecond: seconds > 0 ? Math.round(stats.itemsWritten / seconds) : 0,
      warnings,
      ...(error ? { error: errorReport(error) } : {}),
    };
  };
  try {
    // Bad input changes nothing: the location is checked before anything is opened.
    parseExportLocation(options.from, 'from');
    // First, since an s3:// export is read with the target side's credentials. Nothing is sent to
    // the target table until the export has been verified.
    step('connect', 'Connecting to the target');
    // Replaced once the target's capacity is known (a --write-rate percentage needs it).
    let writePacer = new Pacer(undefined);
    const target = await openSink(
      {
        store: 'dynamodb',
        side: 'target',
        config: options.target,
        maxSockets: (options.concurrency ?? DEFAULT_WRITE_CONCURRENCY) + 16,
      },
      { onRetry: countRetries(stats, () => writePacer) },
    );
    sink = target;
    for (const message of target.warnings) warn(message);
    // Who the target is (STS), checked against --expect-target-account before the export is read.
    targetWho = await target.whoAmI();
    checkAccount(targetWho, 'target', options.target, warn);
    step('read', `Reading the export in ${options.from}`);
    source = await openSource({
      store: 'export-dir',
      location: options.from,
      flag: 'from',
      s3: options.s3,
      signer: target.signer,
    });
    const found = await tableDefinition(source, options.key);
    definition = found.from;
    const snapshot = found.snapshot;
    step('check', `Verifying ${source.files.length} data file(s): checksums, item counts, JSON lines`);
    await source.verify(hooks.signal, keyTypesOf(snapshot));

    // Masks and a transform are read and checked before the target is touched.
    changes = await prepareItemChanges(options, {
      sourceTable: snapshot.table.TableName ?? target.tableName,
      table: snapshot.table,
      keyAttributes: keyAttributeNames(snapshot.table),
      rejectsFile: path.resolve('.ddbcopy', `import-${target.tableName}.rejects.jsonl`),
    });
    for (const message of changes.warnings) warn(message);
    const translation = translateSchema(snapshot, { targetTableName: target.tableName, skip: new Set() });
    for (const message of translation.warnings) warn(message);
    const existing = await sink.describe(hooks.signal);

    // One segment per data file (at most 8 files read at once): files are the unit of parallel reading.
    segments = Math.max(1, source.files.length);
    const identities = { source: exportIdentity(source), target: target.identity };
    checkpointFile = path.resolve(
      options.checkpoint ??
        defaultCheckpointPath(
          path.resolve('.ddbcopy'),
          { ...identities, names: [source.exportId, target.tableName] },
          'import',
        ),
    );
    const recordOptions: RecordOptions = {
      checkpoint: checkpointFile,
      resume: options.resume === true,
      restart: options.restart === true,
      // The same export (its files and their checksums) into a table with the same key.
      optionsHash: hashOptions({
        key: keySpecOf(snapshot.table),
        files: source.files.map((file) => file.entry.md5Checksum),
        ...itemChangesIdentity(options),
      }),
      noun: 'import',
    };
    const decision = await decideResume({
      options: recordOptions,
      existing: await readCheckpoint(checkpointFile),
      ...identities,
    });
    resumed = decision.resume;
    let targetTable = existing;
    if (decision.resume) {
      checkResumableTarget(existing, snapshot, target.tableName);
      schemaAction = 'kept';
      writtenBefore = decision.record.totals.itemsWritten;
      // A resume chosen at the prompt: the target's stage was counted, so it is said why it is skipped.
      if (!options.resume)
        step('keep', `Keeping target table '${target.tableName}' as it is: resuming the saved import`);
      if (decision.record.phase === 'completed') {
        warn(`The import recorded in ${checkpointFile} already completed.`);
        return { summary: summary('completed'), exitCode: EXIT.ok };
      }
    } else {
      const replaced = await replaceTarget({
        sink,
        existing,
        createTable: translation.createTable,
        lateSettings: translation.lateSettings,
        yes: options.yes,
        confirmDeletion: hooks.confirmDeletion,
        signal: hooks.signal,
        onStep: step,
        onWarning: warn,
        onDeleted: () => {
          targetChanged = true;
        },
      });
      targetChanged = true;
      schemaAction = replaced.action;
      settings.push(...replaced.applied);
      unsupportedSettings.push(...replaced.unsupported);
      targetTable = await sink.describe(hooks.signal);
    }
    writePacer = new Pacer(tableRate(options.writeRate, 'target', 'write', targetTable));

    const record = decision.resume
      ? decision.record
      : newRecord({ options: recordOptions, ...identities }, segments, keyAttributeNames(snapshot.table));
    writer = new CheckpointWriter(checkpointFile);
    // Durable before the first write: a crash from here on is resumable.
    await writer.flush(record);
    const resumeFrom = decision.resume ? segmentsOf(record) : undefined;
    stats.expectedItems = Math.max(0, source.itemCount - writtenBefore);
    stats.itemsBefore = writtenBefore;
    stats.bytesBefore = decision.resume ? record.totals.bytesWritten : 0;
    stats.writeRateCap = writePacer.limit;
    step(
      'import',
      `${decision.resume ? 'Resuming the import of' : 'Importing'} ${stats.expectedItems.toLocaleString('en-US')} item(s) from ${source.files.length} file(s)`,
    );
    const progressWriter = writer;
    hooks.onEvent?.({ type: 'copy-started', stats });
    const copied = await copyItems({
      source,
      sink,
      keyAttributes: keyAttributeNames(snapshot.table),
      keyTypes: keyTypesOf(snapshot),
      totalSegments: segments,
      scanConcurrency: Math.min(segments, 8),
      writeConcurrency: options.concurrency ?? DEFAULT_WRITE_CONCURRENCY,
      scanLimit: 1000,
      consistentRead: false,
      readUnitsPerPage: 0,
      readPacer: new Pacer(undefined),
      writePacer,
      stage: changes.stage,
      stats,
      ...(resumeFrom ? { resumeFrom } : {}),
      onProgress: (progress) => progressWriter.update(() => withProgress(record, progress.snapshot(), stats)),
      onWarning: warn,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
    }).finally(() => hooks.onEvent?.({ type: 'copy-finished', stats }));
    await writer.flush(withProgress(record, copied.segments, stats));
    for (const message of await changes.finish()) warn(message);
    if (copied.status !== 'completed' || hooks.signal?.aborted) {
      const error = new InterruptedError(
        'Interrupted before the import finished; the target is incomplete.',
        {
          hint: `Progress is saved in ${checkpointFile}; run the same command with --resume to continue.`,
        },
      );
      return { summary: summary('interrupted', error), error, exitCode: error.exitCode };
    }
    return { summary: summary('completed'), exitCode: EXIT.ok };
  } catch (error) {
    // What the target acknowledged is on disk before we report, so --resume loses nothing.
    await writer?.flush().catch(() => {});
    const changed = targetChanged || stats.itemsWritten > 0;
    return failedOutcome(error, { signal: hooks.signal, targetChanged: changed }, summary);
  } finally {
    source?.close();
    sink?.close();
  }
}

/** How the record names the export: its folder stands where a copy's source table does. */
function exportIdentity(source: ExportDirSource): TableIdentity {
  return { table: `export ${source.exportId}`, region: 'export', endpoint: source.exportDir };
}

/**
 * The table the export holds: its own definition file, or one made from `--key`. Both given: they
 * must agree on the key, since the items were written for the export's table.
 */
async function tableDefinition(
  source: ExportDirSource,
  key: KeySpec | undefined,
): Promise<{ snapshot: TableSnapshot; from: 'export' | 'key' }> {
  let snapshot: TableSnapshot;
  try {
    snapshot = await source.describe();
  } catch (error) {
    if (error instanceof ExportDefinitionMissingError && key) {
      return { snapshot: snapshotFromKey(key, 'imported'), from: 'key' };
    }
    throw error;
  }
  if (key && formatKeySpec(keySpecOf(snapshot.table)) !== formatKeySpec(key)) {
    throw new InvalidOptionError(
      `--key ${formatKeySpec(key)} disagrees with the export's table definition (${formatKeySpec(keySpecOf(snapshot.table))}).`,
      { hint: 'The export carries its own definition; drop --key (it is for exports without one).' },
    );
  }
  return { snapshot, from: 'export' };
}

/** Resuming writes into the table the first run created: it must still be there, with the same key. */
function checkResumableTarget(
  existing: TableDescription | undefined,
  snapshot: TableSnapshot,
  tableName: string,
): void {
  if (!existing) {
    throw new CheckpointError(`The target table '${tableName}' no longer exists; the import cannot resume.`, {
      hint: 'Pass --restart to import again from the start (the target is created anew).',
    });
  }
  const want = formatKeySpec(keySpecOf(snapshot.table));
  const have = formatKeySpec(keySpecOf(existing));
  if (want !== have) {
    throw new SchemaMismatchError(
      `The target table '${tableName}' now has the key ${have}, not ${want}; the import cannot resume.`,
      { side: 'target', hint: 'Pass --restart to recreate it from the export.' },
    );
  }
}

/** The type of each key attribute of the table, so the engine checks items from files against it. */
function keyTypesOf(snapshot: TableSnapshot): Record<string, 'S' | 'N' | 'B'> {
  const types: Record<string, 'S' | 'N' | 'B'> = {};
  const keys = new Set(keyAttributeNames(snapshot.table));
  for (const definition of snapshot.table.AttributeDefinitions ?? []) {
    const type = definition.AttributeType;
    if (
      definition.AttributeName &&
      keys.has(definition.AttributeName) &&
      (type === 'S' || type === 'N' || type === 'B')
    )
      types[definition.AttributeName] = type;
  }
  return types;
}
