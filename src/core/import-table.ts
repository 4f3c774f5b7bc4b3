import {
  type DdbCopyError,
  type ErrorReport,
  EXIT,
  errorReport,
  failureExitCode,
  InterruptedError,
  runFailure,
} from '../errors.js';
import { Pacer } from '../runtime/pacer.js';
import { CopyStats } from '../runtime/stats.js';
import { closeSide, connectSide, type SideConfig, type SideConnection } from '../stores/dynamodb/client.js';
import { keyAttributeNames, translateSchema } from '../stores/dynamodb/schema.js';
import { DynamoDbSink } from '../stores/dynamodb/sink.js';
import { ExportDirSource } from '../stores/export-dir/export-source.js';
import type { TableSnapshot } from '../stores/types.js';
import { copyItems } from './engine.js';
import { replaceTarget } from './replace-target.js';

export interface ImportOptions {
  /** An export directory (`--out` of an export, a downloaded AWS export) or the export folder itself. */
  readonly from: string;
  readonly target: Readonly<SideConfig>;
  /** Delete an existing target without asking. */
  readonly yes: boolean;
  /** BatchWriteItem requests in flight. */
  readonly concurrency: number | undefined;
}

export interface ImportHooks {
  onStep?: (message: string) => void;
  onWarning?: (message: string) => void;
  /** Asked before an existing target is deleted (unless options.yes). Without it, deletion needs `yes`. */
  confirmDeletion?: (question: {
    table: string;
    region: string;
    endpoint: string | undefined;
  }) => Promise<boolean>;
  signal?: AbortSignal;
}

/** The `--json` document of an import. */
export interface ImportSummary {
  command: 'import';
  status: 'completed' | 'failed' | 'interrupted';
  from: { dir: string; exportId: string | null; files: number; items: number };
  target: { table: string; region: string | null; endpoint: string | null };
  schema: { action: 'recreated' | 'created' | 'none'; settings: string[]; unsupportedSettings: string[] };
  items: { written: number };
  consumedCapacity: { write: number };
  segments: number;
  durationMs: number;
  itemsPerSecond: number;
  warnings: string[];
  error?: ErrorReport;
}

export interface ImportOutcome {
  summary: ImportSummary;
  exitCode: number;
  error?: DdbCopyError;
}

const DEFAULT_WRITE_CONCURRENCY = 16;

/**
 * Imports an export directory into a target table: open and verify every data file (before the
 * target is touched, so a damaged export changes nothing), recreate the target from the export's
 * table definition (an existing target is deleted only when confirmed), then write the items with the
 * copy engine. Never throws for a failure it can explain.
 */
export async function runImport(options: ImportOptions, hooks: ImportHooks = {}): Promise<ImportOutcome> {
  const stats = new CopyStats();
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    hooks.onWarning?.(message);
  };
  let conn: SideConnection | undefined;
  let source: ExportDirSource | undefined;
  let schemaAction: ImportSummary['schema']['action'] = 'none';
  let targetChanged = false;
  let segments = 0;
  const settings: string[] = [];
  const unsupportedSettings: string[] = [];
  const summary = (status: ImportSummary['status'], error?: DdbCopyError): ImportSummary => {
    const seconds = stats.elapsedMs / 1000;
    return {
      command: 'import',
      status,
      from: {
        dir: source?.exportDir ?? options.from,
        exportId: source?.exportId ?? null,
        files: source?.files.length ?? 0,
        items: source?.itemCount ?? 0,
      },
      target: {
        table: conn?.tableName ?? options.target.table,
        region: conn?.region ?? options.target.region ?? null,
        endpoint: conn?.endpoint ?? null,
      },
      schema: { action: schemaAction, settings, unsupportedSettings },
      items: { written: stats.itemsWritten },
      consumedCapacity: { write: Math.round(stats.consumedWrite * 10) / 10 },
      segments,
      durationMs: Math.round(stats.elapsedMs),
      itemsPerSecond: seconds > 0 ? Math.round(stats.itemsWritten / seconds) : 0,
      warnings,
      ...(error ? { error: errorReport(error) } : {}),
    };
  };
  try {
    hooks.onStep?.(`Reading the export in ${options.from}`);
    source = await ExportDirSource.open(options.from);
    const snapshot = await source.describe();
    hooks.onStep?.(`Verifying ${source.files.length} data file(s): checksums, item counts, JSON lines`);
    await source.verify(hooks.signal);

    hooks.onStep?.('Connecting to the target');
    conn = await connectSide('target', options.target, {
      maxSockets: (options.concurrency ?? DEFAULT_WRITE_CONCURRENCY) + 16,
    });
    for (const message of conn.warnings) warn(message);
    const writePacer = new Pacer(undefined);
    const sink = new DynamoDbSink(conn, (reason) => {
      stats.retries[reason] += 1;
      if (reason === 'throttled' || reason === 'unprocessedItems') writePacer.throttled();
    });
    const translation = translateSchema(snapshot, { targetTableName: conn.tableName, skip: new Set() });
    for (const message of translation.warnings) warn(message);

    const existing = await sink.describe(hooks.signal);
    const replaced = await replaceTarget({
      sink,
      target: conn,
      existing,
      createTable: translation.createTable,
      lateSettings: translation.lateSettings,
      yes: options.yes,
      confirmDeletion: hooks.confirmDeletion,
      signal: hooks.signal,
      onStep: (_step, message) => hooks.onStep?.(message),
      onWarning: warn,
      onDeleted: () => {
        targetChanged = true;
      },
    });
    targetChanged = true;
    schemaAction = replaced.action;
    settings.push(...replaced.applied);
    unsupportedSettings.push(...replaced.unsupported);

    // One segment per data file (at most 8 files read at once): files are the unit of parallel reading.
    segments = Math.max(1, source.files.length);
    const writeConcurrency = options.concurrency ?? DEFAULT_WRITE_CONCURRENCY;
    stats.expectedItems = source.itemCount;
    hooks.onStep?.(`Importing ${source.itemCount} item(s) from ${source.files.length} file(s)`);
    const copied = await copyItems({
      source,
      sink,
      keyAttributes: keyAttributeNames(snapshot.table),
      keyTypes: keyTypesOf(snapshot),
      totalSegments: segments,
      scanConcurrency: Math.min(segments, 8),
      writeConcurrency,
      scanLimit: 1000,
      consistentRead: false,
      readUnitsPerPage: 0,
      readPacer: new Pacer(undefined),
      writePacer,
      stats,
      onWarning: warn,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
    });
    if (copied.status !== 'completed' || hooks.signal?.aborted) {
      const error = new InterruptedError(
        'Interrupted before the import finished; the target is incomplete.',
        {
          hint: 'Run the import again (resuming an import is not supported yet).',
        },
      );
      return { summary: summary('interrupted', error), error, exitCode: error.exitCode };
    }
    return { summary: summary('completed'), exitCode: EXIT.ok };
  } catch (error) {
    const typed = runFailure(error, hooks.signal);
    if (!typed) throw error;
    const changed = targetChanged || stats.itemsWritten > 0;
    return {
      summary: summary(typed.exitCode === EXIT.interrupted ? 'interrupted' : 'failed', typed),
      error: typed,
      exitCode: failureExitCode(typed, changed),
    };
  } finally {
    closeSide(conn);
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
