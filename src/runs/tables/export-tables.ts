/**
 * Exports a set of tables (`export --tables 'prod-*' --out DIR`): each selected source table exported
 * as a one-table export exports it, to `DIR/<table>/` (AWS's layout under it), a few tables at a time.
 * The set's record names each table's own export record, so `--resume` skips the finished tables and
 * continues the others from their sealed segments.
 */
import { InvalidOptionError } from '../../errors.js';
import { checkPairs } from '../../plan/table-selection.js';
import { openCatalog, openExportDir, parseExportLocation, type TableCatalog } from '../../stores/open.js';
import type { RawOptions } from '../copy/options.js';
import type { ExportEvent } from '../export/events.js';
import { requiredLocation, validateExportOptions } from '../export/options.js';
import { type ExportOptions, type ExportSummary, runExport } from '../export/run-export.js';
import { collectWarnings, failedOutcome, type RunOutcome, summaryOrThrow } from '../shared/run-outcome.js';
import type { TablesEvent } from './events.js';
import { completedExports, tableLocation } from './export-folders.js';
import { refuseForCommand, type TableSetOptions } from './options.js';
import { pairError } from './pair-error.js';
import { parallelTablesOf, runSet, type SetMember } from './run-set.js';
import { type SetPair, selectedPairs } from './select-tables.js';
import { decideSetRecord, newSetRecord, pairRecords, pairsOfRecord, SetRecordWriter } from './set-record.js';
import { emptyTablesSummary, type TablesSummary } from './summary.js';

/** What a set's export tells its caller, and how it is cancelled. */
export interface ExportTablesHooks {
  /** Told each table's steps, tagged with its pair, and the set's own (selected, planned, done). */
  onEvent?: (event: TablesEvent<ExportEvent, ExportSummary>) => void;
  signal?: AbortSignal;
}

/**
 * Exports a set of tables, each to `<out>/<table>/`: select the source's tables (every pair's target
 * is its folder), check every table's options, write the set's record, then export the tables a few at
 * a time. A fresh set refuses an output folder that already holds a completed export (an import of
 * the folder would find two). Never throws for a failure it can explain.
 */
export async function runExportTables(
  options: TableSetOptions,
  hooks: ExportTablesHooks = {},
): Promise<RunOutcome<TablesSummary<ExportSummary>>> {
  const { warnings, warn } = collectWarnings((message) => hooks.onEvent?.({ type: 'warning', message }));
  try {
    refuseForCommand('export', options);
    const out = requiredLocation(options.tableFlags, 'out');
    // Bad input changes nothing: the location is checked before anything is opened.
    parseExportLocation(out, 'out');
    const existing = await decideSetRecord(options, 'export');
    const { pairs, doneBefore } = existing
      ? await pairsOfRecord(existing, options)
      : { pairs: await freshPairs(options, out, warn, hooks.signal), doneBefore: new Set<number>() };
    const members = await membersOf(pairs, doneBefore, existing !== undefined, options);
    const parallelTables = parallelTablesOf(options, pairs.length);
    hooks.onEvent?.({ type: 'selected', pairs, parallelTables });
    const record = new SetRecordWriter(
      options.checkpoint,
      existing ?? newSetRecord('export', options.selectionHash, pairs, options.checkpoint),
    );
    // Durable before the first table is exported: a crash from here on is resumable as a set.
    await record.write();
    return await runSet<ExportOptions, ExportEvent, ExportSummary>({
      command: 'export',
      members,
      parallelTables,
      failFast: options.failFast,
      signal: hooks.signal,
      record,
      warnings,
      onEvent: hooks.onEvent,
      runOne: (member, memberHooks) =>
        runExport(member.options, { signal: memberHooks.signal, onEvent: memberHooks.onEvent }),
      measure: (summary) => ({ items: summary.items.written, bytes: summary.export.bytes }),
    });
  } catch (error) {
    // An export never changes a table: bad input keeps its exit code (2).
    return failedOutcome(error, { signal: hooks.signal, targetChanged: false }, (status, typed) =>
      emptyTablesSummary('export', status, options.checkpoint, warnings, typed),
    );
  }
}

/** The library's entry point for a set: resolves with the summary, throws the typed error when it failed. */
export async function exportTables(
  options: TableSetOptions,
  hooks: ExportTablesHooks = {},
): Promise<TablesSummary<ExportSummary>> {
  return summaryOrThrow(await runExportTables(options, hooks));
}

/** The source's selected tables, each paired with its folder under `out` (which must hold no export yet). */
async function freshPairs(
  options: TableSetOptions,
  out: string,
  warn: (message: string) => void,
  signal: AbortSignal | undefined,
): Promise<SetPair[]> {
  const source = await openCatalog({ store: 'dynamodb', side: 'source', config: options.source });
  try {
    for (const message of new Set(source.warnings)) warn(message);
    const selected = await selectedPairs(source, options, signal);
    if (selected.length === 0) throw new InvalidOptionError('The set has no tables.');
    // Each source once, each a valid name (its folder's name).
    checkPairs(selected, { sameLocation: false });
    await refuseUsedFolders(source, out, selected, options).catch((error: unknown) => {
      if (error instanceof InvalidOptionError) throw error;
      // A role that may write but not list or read the bucket: the exports themselves need neither.
      warn(`Could not check whether the table folders under ${out} are empty: ${(error as Error).message}`);
    });
    return selected.map((pair) => ({ ...pair, target: tableLocation(out, pair.source) }));
  } finally {
    source.close();
  }
}

/** A table's folder that already holds a completed export: a second one would make its import ambiguous. */
async function refuseUsedFolders(
  source: TableCatalog,
  out: string,
  pairs: readonly SetPair[],
  options: TableSetOptions,
): Promise<void> {
  const storage = await openExportDir({
    store: 'export-dir',
    location: out,
    flag: 'out',
    s3: validateExportOptions({ ...options.tableFlags, source: 'set-source', out }).s3,
    signer: source.signer,
  });
  try {
    const used: string[] = [];
    for (const pair of pairs) {
      if ((await completedExports(storage, pair.source)).length > 0)
        used.push(tableLocation(out, pair.source));
    }
    if (used.length > 0) {
      throw new InvalidOptionError(
        `${used.length} table folder(s) under ${out} already hold an export: ${used.slice(0, 5).join(', ')}${used.length > 5 ? ', ...' : ''}.`,
        {
          hint: 'Export into a new --out (e.g. a dated folder), or delete those folders first: a folder holding two exports cannot be imported as one table.',
        },
      );
    }
  } finally {
    storage.close();
  }
}

/** Each table's own export options, validated like a one-table export's (the plan file's settings on top). */
async function membersOf(
  pairs: readonly SetPair[],
  doneBefore: ReadonlySet<number>,
  resuming: boolean,
  options: TableSetOptions,
): Promise<SetMember<ExportOptions>[]> {
  const records = await pairRecords(options.checkpoint, pairs, (index) => resuming && !doneBefore.has(index));
  const members: SetMember<ExportOptions>[] = [];
  for (const [index, pair] of pairs.entries()) {
    const { checkpoint, resume, restart } = records[index]!;
    const raw: RawOptions = {
      ...options.tableFlags,
      ...pair.overrides,
      source: pair.source,
      out: pair.target,
      checkpoint,
      resume,
      restart,
    };
    let tableOptions: ExportOptions;
    try {
      const validated = validateExportOptions(raw);
      // The set's source side as given (a library caller's credentials too), with this table.
      tableOptions = Object.freeze({
        ...validated,
        source: Object.freeze({ ...options.source, table: pair.source }),
      });
    } catch (error) {
      throw pairError(pair, error);
    }
    members.push({ index, pair, options: tableOptions, doneBefore: doneBefore.has(index), weight: 0 });
  }
  return members;
}
