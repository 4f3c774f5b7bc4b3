import {
  type DdbCopyError,
  type ErrorReport,
  EXIT,
  errorReport,
  InterruptedError,
  runFailure,
} from '../errors.js';
import { Pacer } from '../runtime/pacer.js';
import { CopyStats } from '../runtime/stats.js';
import {
  closeSide,
  connectSide,
  type SideConfig,
  type SideConnection,
  SOURCE_OPERATIONS,
} from '../stores/dynamodb/client.js';
import { keyAttributeNames } from '../stores/dynamodb/schema.js';
import { DynamoDbSource } from '../stores/dynamodb/source.js';
import { ExportDirSink, type ExportResult } from '../stores/export-dir/export-sink.js';
import { copyItems } from './engine.js';
import { defaultSegments } from './plan.js';

export interface ExportOptions {
  readonly source: Readonly<SideConfig>;
  /** The directory the export goes under (`out/AWSDynamoDB/<exportId>/`). */
  readonly out: string;
  readonly segments: number | undefined;
  readonly consistentRead: boolean;
}

export interface ExportHooks {
  /** Steps in words, for a renderer; the export never prints. */
  onStep?: (message: string) => void;
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

/** The `--json` document of an export. */
export interface ExportSummary {
  command: 'export';
  status: 'completed' | 'failed' | 'interrupted';
  source: { table: string; region: string | null; endpoint: string | null };
  export: { dir: string | null; exportId: string | null; files: number; bytes: number };
  items: { scanned: number; written: number };
  consumedCapacity: { read: number };
  segments: number;
  durationMs: number;
  itemsPerSecond: number;
  warnings: string[];
  error?: ErrorReport;
}

export interface ExportOutcome {
  summary: ExportSummary;
  exitCode: number;
  error?: DdbCopyError;
}

/** Items per Scan page: bounded so DynamoDB Local's per-page cost stays low, as in a copy. */
const SCAN_LIMIT = 1000;
const WRITERS = 8;

/**
 * Exports a table into a directory in AWS's export layout: describe, scan in parallel segments,
 * write gzip data files, then the manifests. Never throws for a failure it can explain; a failed or
 * interrupted export removes its unfinished folder, so nothing half-written looks like an export.
 */
export async function runExport(options: ExportOptions, hooks: ExportHooks = {}): Promise<ExportOutcome> {
  const stats = new CopyStats();
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    hooks.onWarning?.(message);
  };
  let conn: SideConnection | undefined;
  let sink: ExportDirSink | undefined;
  let result: ExportResult | undefined;
  let segments = 0;
  const summary = (status: ExportSummary['status'], error?: DdbCopyError): ExportSummary => {
    const seconds = stats.elapsedMs / 1000;
    return {
      command: 'export',
      status,
      source: {
        table: conn?.tableName ?? options.source.table,
        region: conn?.region ?? options.source.region ?? null,
        endpoint: conn?.endpoint ?? null,
      },
      export: {
        dir: status === 'completed' ? (result?.exportDir ?? null) : null,
        exportId: status === 'completed' ? (result?.exportId ?? null) : null,
        files: result?.files ?? 0,
        bytes: result?.bytes ?? 0,
      },
      items: { scanned: stats.itemsScanned, written: stats.itemsWritten },
      consumedCapacity: { read: Math.round(stats.consumedRead * 10) / 10 },
      segments,
      durationMs: Math.round(stats.elapsedMs),
      itemsPerSecond: seconds > 0 ? Math.round(stats.itemsWritten / seconds) : 0,
      warnings,
      ...(error ? { error: errorReport(error) } : {}),
    };
  };
  try {
    hooks.onStep?.('Connecting to the source');
    conn = await connectSide('source', options.source, {
      maxSockets: 16,
      allowedOperations: SOURCE_OPERATIONS,
    });
    for (const message of conn.warnings) warn(message);
    const readPacer = new Pacer(undefined);
    const source = new DynamoDbSource(conn, (reason) => {
      stats.retries[reason] += 1;
    });
    hooks.onStep?.(`Describing source table '${conn.tableName}'`);
    const snapshot = await source.describe();
    await source.checkScanAllowed();
    segments = options.segments ?? defaultSegments(Math.max(0, snapshot.table.TableSizeBytes ?? 0));
    stats.expectedItems = Math.max(0, snapshot.table.ItemCount ?? 0);
    sink = await ExportDirSink.create(options.out);
    hooks.onStep?.(`Exporting items to ${sink.exportDir}: ${segments} segment(s)`);
    const copied = await copyItems({
      source,
      sink,
      keyAttributes: keyAttributeNames(snapshot.table),
      totalSegments: segments,
      scanConcurrency: Math.min(segments, 8),
      writeConcurrency: Math.min(WRITERS, Math.max(1, segments)),
      scanLimit: SCAN_LIMIT,
      consistentRead: options.consistentRead,
      readUnitsPerPage: 0.5,
      readPacer,
      writePacer: new Pacer(undefined),
      stats,
      onWarning: warn,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
    });
    if (copied.status !== 'completed' || hooks.signal?.aborted) {
      await sink.abort();
      const error = new InterruptedError(
        'Interrupted before the export finished; the unfinished export was removed.',
      );
      return { summary: summary('interrupted', error), error, exitCode: error.exitCode };
    }
    hooks.onStep?.('Writing the manifests');
    result = await sink.finish(snapshot);
    return { summary: summary('completed'), exitCode: EXIT.ok };
  } catch (error) {
    await sink?.abort().catch(() => {});
    const typed = runFailure(error, hooks.signal);
    if (!typed) throw error;
    return {
      summary: summary(typed.exitCode === EXIT.interrupted ? 'interrupted' : 'failed', typed),
      error: typed,
      exitCode: typed.exitCode,
    };
  } finally {
    closeSide(conn);
  }
}
