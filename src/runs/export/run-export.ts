import path from 'node:path';
import { copyItems } from '../../engine/copy/copy-items.js';
import type { SegmentState } from '../../engine/copy/segment-progress.js';
import { CheckpointError, type DdbCopyError, EXIT, errorReport, InterruptedError } from '../../errors.js';
import { keyAttributeNames } from '../../model/key-schema.js';
import type { SideIdentity } from '../../model/side-identity.js';
import { defaultSegments, scanPaging, tableRate } from '../../plan/copy-plan.js';
import { countRetries } from '../../runtime/count-retries.js';
import { Pacer } from '../../runtime/pacer.js';
import { CopyStats } from '../../runtime/stats.js';
import {
  createExportSink,
  type DynamoDbSource,
  discardExport,
  discardParts,
  EXPORTS_FOLDER,
  type ExportDirSink,
  type ExportResult,
  type ExportStorage,
  joinKey,
  missingSealedFile,
  openExportDir,
  openSource,
  parseExportLocation,
  type S3Settings,
  type SideConfig,
} from '../../stores/open.js';
import type { Source } from '../../stores/types.js';
import type { ItemOptions } from '../copy/item-options.js';
import type { RateSpec } from '../copy/options.js';
import {
  type CheckpointRecord,
  CheckpointWriter,
  currentOwner,
  defaultCheckpointPath,
  type ExportRecordPart,
  hashOptions,
  readCheckpoint,
  removeCheckpoint,
  storeSegments,
  type TableIdentity,
} from '../shared/checkpoint.js';
import {
  itemChangesIdentity,
  type MaskingReport,
  type PreparedChanges,
  prepareItemChanges,
} from '../shared/item-changes.js';
import {
  collectWarnings,
  failedOutcome,
  type ResumableRunReport,
  type RunOutcome,
} from '../shared/run-outcome.js';
import { decideResume, newRecord, type RecordOptions } from '../shared/run-record.js';
import { checkAccount } from '../shared/side-account.js';
import { sideSummary } from '../shared/side-summary.js';
import { stepNumbering } from '../shared/step-numbers.js';
import { EXPORT_STAGES, type ExportEvent, type ExportStepName } from './events.js';

/** Options of an export, what runExport takes: the source side, where the export goes, and how. */
export interface ExportOptions extends ItemOptions {
  readonly source: Readonly<SideConfig>;
  /** Where the export goes under (`out/AWSDynamoDB/<exportId>/`): a directory or s3://bucket/prefix. */
  readonly out: string;
  /** For an s3:// `out`: endpoint and region; the source side's credentials sign. */
  readonly s3?: S3Settings;
  readonly segments: number | undefined;
  readonly consistentRead: boolean;
  /** Cap on the source's read capacity units per second, or a percentage of its capacity. */
  readonly readRate?: RateSpec | undefined;
  /** The run record's file (default: .ddbcopy/export-TABLE-to-HASH.json, one per table and --out). */
  readonly checkpoint?: string | undefined;
  /** Continue the export recorded in the checkpoint: sealed segments are kept, the others scanned again. */
  readonly resume?: boolean;
  /** Start over although an unfinished checkpoint exists: its export folder is deleted. */
  readonly restart?: boolean;
}

/** What an export tells its caller (events), and how it is cancelled. */
export interface ExportHooks {
  /** Steps, warnings and progress, for a renderer; the export never prints. */
  onEvent?: (event: ExportEvent) => void;
  signal?: AbortSignal;
}

/** The `--json` document of an export. */
export interface ExportSummary extends ResumableRunReport {
  command: 'export';
  status: 'completed' | 'failed' | 'interrupted';
  /** `account`: the account the source's credentials belong to (STS), when known; absent on a local endpoint. */
  source: { table: string; region: string | null; endpoint: string | null; account?: string };
  /** `bytes` counts the data files this run wrote. */
  export: { dir: string | null; exportId: string | null; files: number; bytes: number };
  /** Items this run wrote; `writtenBefore` are in the segments earlier runs of the checkpoint sealed. */
  items: { scanned: number; written: number; writtenBefore: number };
  consumedCapacity: { read: number };
  /** With --filter-expression: the filter (items.scanned counts what the Scan read). */
  filter?: { expression: string };
  /** With masks or a transform: the files hold masked items; values masked per rule. */
  masking?: MaskingReport;
}

/** What runExport resolves with: the summary, the exit code, and the typed error of a failed run. */
export type ExportOutcome = RunOutcome<ExportSummary>;

const WRITERS = 8;

/**
 * Exports a table into a directory in AWS's export layout: describe, scan in parallel segments,
 * write gzip data files, then the manifests. Never throws for a failure it can explain.
 *
 * Resumable by segment: a segment is sealed once the engine reports it done and the storage holds
 * all its files; the run record (checkpoint) lists sealed segments' files. An interrupted or failed
 * run keeps those, deletes the files of the other segments, and `resume` scans only the other
 * segments again, from their start. A run that sealed nothing removes its folder and record, as
 * there is nothing worth resuming.
 */
export async function runExport(options: ExportOptions, hooks: ExportHooks = {}): Promise<ExportOutcome> {
  const stats = new CopyStats();
  const numberOf = stepNumbering(EXPORT_STAGES);
  const step = (name: ExportStepName, message: string): void =>
    hooks.onEvent?.({ type: 'step', name, message, ...numberOf(name) });
  const { warnings, warn } = collectWarnings((message) => hooks.onEvent?.({ type: 'warning', message }));
  let source: DynamoDbSource | undefined;
  let sourceWho: SideIdentity | undefined;
  let storage: ExportStorage | undefined;
  let sink: ExportDirSink | undefined;
  let result: ExportResult | undefined;
  let segments = 0;
  let checkpointFile: string | null = null;
  let resumed = false;
  let writtenBefore = 0;
  let writer: CheckpointWriter | undefined;
  let recordNow: (() => CheckpointRecord) | undefined;
  /** Seals under way (never reject: a failure is kept in sealFailure and stops the run). */
  const seals: Promise<void>[] = [];
  let changes: PreparedChanges | undefined;
  const summary = (status: ExportSummary['status'], error?: DdbCopyError): ExportSummary => {
    const seconds = stats.elapsedMs / 1000;
    const masking = changes?.report();
    return {
      ...(options.filter ? { filter: { expression: options.filter.expression } } : {}),
      ...(masking ? { masking } : {}),
      command: 'export',
      status,
      source: sideSummary(source, options.source, sourceWho),
      export: {
        dir: status === 'completed' ? (result?.exportDir ?? null) : null,
        exportId: status === 'completed' ? (result?.exportId ?? null) : null,
        files: result?.files ?? 0,
        bytes: result?.bytes ?? 0,
      },
      items: { scanned: stats.itemsScanned, written: stats.itemsWritten, writtenBefore },
      consumedCapacity: { read: Math.round(stats.consumedRead * 10) / 10 },
      segments,
      checkpoint: { file: checkpointFile, resumed },
      durationMs: Math.round(stats.elapsedMs),
      itemsPerSecond: seconds > 0 ? Math.round(stats.itemsWritten / seconds) : 0,
      warnings,
      ...(error ? { error: errorReport(error) } : {}),
    };
  };
  /**
   * Stops the export after an interrupt or a failure. Sealed segments are kept for --resume (true);
   * when none is sealed the folder and the record are removed (false): a rerun loses nothing.
   */
  const stop = async (): Promise<boolean> => {
    if (!sink) return false;
    await Promise.all(seals);
    if (sink.sealedSegments().length === 0) {
      await sink.abort();
      if (checkpointFile && writer) await removeCheckpoint(checkpointFile);
      return false;
    }
    try {
      await sink.suspend();
    } catch (error) {
      // The record still names them: --resume deletes them before it scans.
      warn(`Could not delete the unfinished segments' files yet: ${(error as Error).message}`);
    }
    if (writer && recordNow) await writer.flush(recordNow());
    return true;
  };
  try {
    // Bad input changes nothing: the location is checked before anything is opened.
    parseExportLocation(options.out, 'out');
    step('connect', 'Connecting to the source');
    // Replaced once the table's capacity is known (a --read-rate percentage needs it).
    let readPacer = new Pacer(undefined);
    const opened = await openSource(
      { store: 'dynamodb', side: 'source', config: options.source, maxSockets: 16 },
      { onRetry: countRetries(stats, () => readPacer) },
    );
    source = opened;
    for (const message of opened.warnings) warn(message);
    // Who the source is (STS), checked against --expect-source-account before anything is read.
    sourceWho = await opened.whoAmI();
    checkAccount(sourceWho, 'source', options.source, warn);
    step('describe', `Describing source table '${opened.tableName}'`);
    const snapshot = await opened.describe();
    await opened.checkScanAllowed();
    // Masks and a transform are read and checked before anything is written.
    changes = await prepareItemChanges(options, {
      sourceTable: opened.tableName,
      table: snapshot.table,
      keyAttributes: keyAttributeNames(snapshot.table),
      rejectsFile: path.resolve('.ddbcopy', `export-${opened.tableName}.rejects.jsonl`),
    });
    for (const message of changes.warnings) warn(message);
    readPacer = new Pacer(tableRate(options.readRate, 'source', 'read', snapshot.table));
    storage = await openExportDir({
      store: 'export-dir',
      location: options.out,
      flag: 'out',
      s3: options.s3,
      signer: opened.signer,
    });
    const out = storage;

    // The record: decided before anything is written, so a refusal changes nothing.
    const identities = { source: opened.identity, target: exportLocationIdentity(out) };
    checkpointFile = path.resolve(
      options.checkpoint ??
        defaultCheckpointPath(
          path.resolve('.ddbcopy'),
          { ...identities, names: [opened.tableName, ''] },
          'export',
        ),
    );
    const recordOptions: RecordOptions = {
      checkpoint: checkpointFile,
      resume: options.resume === true,
      restart: options.restart === true,
      optionsHash: hashOptions({ consistentRead: options.consistentRead, ...itemChangesIdentity(options) }),
      noun: 'export',
    };
    const existing = await readCheckpoint(checkpointFile);
    if (existing && !existing.export) {
      throw new CheckpointError(
        `The checkpoint ${checkpointFile} records a copy or an import, not an export.`,
        {
          hint: 'Pass --checkpoint FILE naming another file for this export.',
        },
      );
    }
    const decision = await decideResume({ options: recordOptions, existing, ...identities });
    resumed = decision.resume;

    let base: CheckpointRecord;
    if (decision.resume) {
      base = decision.record;
      const part = exportPartOf(base);
      writtenBefore = base.totals.itemsWritten;
      segments = base.totalSegments;
      if (base.phase === 'completed') {
        warn(`The export recorded in ${checkpointFile} already completed.`);
        result = {
          exportId: part.exportId,
          exportDir: out.describe(joinKey(EXPORTS_FOLDER, part.exportId)),
          files: part.sealed.reduce((sum, sealed) => sum + sealed.files.length, 0),
          itemCount: writtenBefore,
          bytes: 0,
        };
        return { summary: summary('completed'), exitCode: EXIT.ok };
      }
      if (options.segments !== undefined && options.segments !== segments) {
        warn(
          `--segments ${options.segments} ignored: the export continues with the ${segments} segments it began with.`,
        );
      }
      const missing = await missingSealedFile(out, part.exportId, part.sealed).catch((error: unknown) => {
        // A role without s3:GetObject cannot look (HEAD); the export itself needs no such right.
        warn(
          `Could not check that the finished segments' files are still there: ${(error as Error).message}`,
        );
        return undefined;
      });
      if (missing) {
        throw new CheckpointError(
          `The export recorded in ${checkpointFile} cannot resume: its finished data file ${missing} is gone.`,
          { hint: 'Pass --restart to export again from the start.' },
        );
      }
      // Files of segments that were not sealed would be written again: they must not be listed twice.
      await discardParts(out, part.unsealedKeys);
    } else {
      const old = existing?.phase === 'completed' ? undefined : existing?.export;
      if (old && old.location === out.root) {
        step(
          'discard',
          `Deleting the unfinished export ${out.describe(joinKey(EXPORTS_FOLDER, old.exportId))}`,
        );
        await discardExport(out, old.exportId, old.sealed, old.unsealedKeys);
        // The record names what was just deleted: it must not be resumed should this run stop early.
        await removeCheckpoint(checkpointFile);
      } else if (old) {
        warn(
          `The unfinished export ${old.exportId} under ${old.location} (from the old checkpoint) was left as it is.`,
        );
      }
      segments = options.segments ?? defaultSegments(Math.max(0, snapshot.table.TableSizeBytes ?? 0));
      base = {
        ...newRecord({ options: recordOptions, ...identities }, segments, keyAttributeNames(snapshot.table)),
        // Filled in below, once the sink has its id.
        export: { location: out.root, exportId: '', startTime: '', sealed: [], unsealedKeys: [] },
      };
    }
    const startPart = exportPartOf(base);
    writer = new CheckpointWriter(checkpointFile);
    const recordWriter = writer;
    const made = await createExportSink(out, {
      ...(decision.resume
        ? { exportId: startPart.exportId, startTime: new Date(startPart.startTime), sealed: startPart.sealed }
        : {}),
      // The record names every data file before it exists (one durable write per file, ~100 MiB).
      onPartBegin: () => recordWriter.flush(recordOf()),
    });
    sink = made;
    const exportPart: ExportRecordPart = {
      ...startPart,
      exportId: made.exportId,
      startTime: startPart.startTime || new Date().toISOString(),
    };
    const recordOf = (): CheckpointRecord => exportRecord(base, exportPart, made, stats);
    recordNow = recordOf;
    // Durable before the first item is scanned: from here on the export is resumable.
    await writer.flush(recordOf());

    // Segments whose scan began: only these can become done, so only these are checked for sealing.
    const watched = new Set<number>();
    const watchedSource: Source = {
      capabilities: opened.capabilities,
      describe: (skip) => opened.describe(skip),
      scan: (scan) => {
        watched.add(scan.segment);
        return opened.scan(scan);
      },
    };
    let sealFailure: unknown;
    const sealStop = new AbortController();
    const signal = hooks.signal ? AbortSignal.any([hooks.signal, sealStop.signal]) : sealStop.signal;
    const resumeFrom = segmentStates(segments, startPart.sealed);
    stats.expectedItems = Math.max(0, (snapshot.table.ItemCount ?? 0) - writtenBefore);
    stats.itemsBefore = writtenBefore;
    stats.bytesBefore = base.totals.bytesWritten;
    stats.readRateCap = readPacer.limit;
    step(
      'export',
      decision.resume
        ? `Resuming the export to ${made.exportDir}: ${startPart.sealed.length} of ${segments} segment(s) already complete`
        : `Exporting items to ${made.exportDir}: ${segments} segment(s)`,
    );
    hooks.onEvent?.({ type: 'copy-started', stats });
    const copied = await copyItems({
      source: watchedSource,
      sink: made,
      keyAttributes: keyAttributeNames(snapshot.table),
      totalSegments: segments,
      scanConcurrency: Math.min(segments, 8),
      writeConcurrency: Math.min(WRITERS, Math.max(1, segments)),
      ...scanPaging(snapshot.table, options.consistentRead, segments),
      consistentRead: options.consistentRead,
      filter: options.filter,
      stage: changes.stage,
      readPacer,
      writePacer: new Pacer(undefined),
      stats,
      resumeFrom,
      onProgress: (progress) => {
        for (const segment of watched) {
          if (!progress.state(segment).done) continue;
          watched.delete(segment);
          const seal = made.sealSegment(segment).then(
            () => recordWriter.update(recordOf),
            (error: unknown) => {
              // Its files are not all stored: the export cannot complete, so stop scanning.
              sealFailure ??= error;
              sealStop.abort(error);
            },
          );
          seals.push(seal);
        }
      },
      onWarning: warn,
      signal,
    }).finally(() => hooks.onEvent?.({ type: 'copy-finished', stats }));
    await Promise.all(seals);
    if (sealFailure !== undefined) throw sealFailure;
    for (const message of await changes.finish()) warn(message);
    if (copied.status !== 'completed' || hooks.signal?.aborted) {
      const kept = await stop();
      const error = kept
        ? new InterruptedError(
            `Interrupted before the export finished; ${made.sealedSegments().length} of ${segments} segment(s) are complete and kept in ${made.exportDir}.`,
            {
              hint: `Progress is saved in ${checkpointFile}; run the same command with --resume to continue (unfinished segments are scanned again from their start).`,
            },
          )
        : new InterruptedError(
            'Interrupted before any segment of the export finished; the unfinished export was removed.',
          );
      return { summary: summary('interrupted', error), error, exitCode: error.exitCode };
    }
    step('manifests', 'Writing the manifests');
    result = await made.finish(snapshot);
    await writer.flush({ ...recordOf(), phase: 'completed' });
    return { summary: summary('completed'), exitCode: EXIT.ok };
  } catch (error) {
    const kept = await stop().catch(() => false);
    if (kept) warn(`Progress is saved in ${checkpointFile}; run the same command with --resume to continue.`);
    // An export never changes a table: bad input keeps its exit code (2) whatever was written.
    return failedOutcome(error, { signal: hooks.signal, targetChanged: false }, summary);
  } finally {
    storage?.close();
    source?.close();
  }
}

/** How the record names the output location: it stands where a copy's target table does. */
function exportLocationIdentity(storage: ExportStorage): TableIdentity {
  return { table: 'export files', region: 'export', endpoint: storage.root };
}

function exportPartOf(record: CheckpointRecord): ExportRecordPart {
  // readCheckpoint validated it, and the caller refused a record without one.
  if (!record.export) throw new CheckpointError('The checkpoint records no export.');
  return record.export;
}

/** The engine's starting point: sealed segments are done; every other one starts from its beginning. */
function segmentStates(total: number, sealed: ExportRecordPart['sealed']): SegmentState[] {
  const items = new Map(
    sealed.map((s) => [s.segment, s.files.reduce((sum, file) => sum + file.itemCount, 0)]),
  );
  return Array.from({ length: total }, (_, segment) => ({
    segment,
    startKey: undefined,
    done: items.has(segment),
    itemsWritten: items.get(segment) ?? 0,
  }));
}

/** The record as of now: sealed segments and their files, the files begun for the others. */
function exportRecord(
  base: CheckpointRecord,
  part: ExportRecordPart,
  sink: ExportDirSink,
  stats: CopyStats,
): CheckpointRecord {
  const sealed = sink.sealedSegments();
  const states = segmentStates(base.totalSegments, sealed);
  return {
    ...base,
    updatedAt: new Date().toISOString(),
    owner: currentOwner(),
    phase: 'copying',
    segments: storeSegments(states),
    totals: {
      itemsWritten: states.reduce((sum, s) => sum + s.itemsWritten, 0),
      bytesWritten: base.totals.bytesWritten + stats.bytesWritten,
      consumedRead: base.totals.consumedRead + stats.consumedRead,
      consumedWrite: 0,
    },
    export: { ...part, sealed, unsealedKeys: sink.unsealedKeys() },
  };
}
