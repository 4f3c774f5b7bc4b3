/**
 * Imports a folder of exports (`import --from DIR --rename prod-=dev-`): every export folder directly
 * under DIR (as `export --tables --out DIR` writes them, one per table, named after the table) imported
 * as a one-table import imports it, into the table its renamed name says. One confirmation for every
 * target the set would delete; the set's record names each table's own import record for `--resume`.
 */
import {
  DdbCopyError,
  EXIT,
  ExportDefinitionMissingError,
  errorReport,
  InvalidOptionError,
} from '../../errors.js';
import { checkPairs } from '../../plan/table-selection.js';
import {
  type DynamoDbSink,
  type ExportDirSource,
  openCatalog,
  openExportDir,
  openSink,
  openSource,
  parseExportLocation,
} from '../../stores/open.js';
import type { RawOptions } from '../copy/options.js';
import { requiredLocation } from '../export/options.js';
import type { ImportEvent } from '../import/events.js';
import { validateImportOptions } from '../import/options.js';
import { type ImportOptions, type ImportSummary, runImport } from '../import/run-import.js';
import { collectWarnings, failedOutcome, type RunOutcome, summaryOrThrow } from '../shared/run-outcome.js';
import { checkAccount } from '../shared/side-account.js';
import { confirmSetDeletions } from './confirm-deletions.js';
import type { TablesEvent } from './events.js';
import { completedExports, exportFolders, tableLocation } from './export-folders.js';
import { refuseForCommand, type TableSetOptions } from './options.js';
import { pairError } from './pair-error.js';
import { PLANNING_PARALLELISM, parallelTablesOf, runSet, type SetMember } from './run-set.js';
import { type SetPair, selectedPairs } from './select-tables.js';
import type { SetDeletionQuestion, TablePlanEntry } from './set-plan.js';
import { decideSetRecord, newSetRecord, pairRecords, pairsOfRecord, SetRecordWriter } from './set-record.js';
import { emptyTablesSummary, type TablesSummary } from './summary.js';

/** What a set's import tells its caller, asks it (one deletion question for the set), and how it is cancelled. */
export interface ImportTablesHooks {
  /** Told each table's steps, tagged with its pair, and the set's own (selected, planned, done). */
  onEvent?: (event: TablesEvent<ImportEvent, ImportSummary>) => void;
  /** Asked once, listing every target that will be deleted (unless options.yes). */
  confirmDeletion?: (question: SetDeletionQuestion) => Promise<boolean>;
  signal?: AbortSignal;
}

export interface ImportTablesOutcome extends RunOutcome<TablesSummary<ImportSummary>> {
  /** Every pair as planned (its export's items, whether its target is deleted), once the set got that far. */
  plan?: TablePlanEntry[];
}

/**
 * Imports the export folders under `--from`: select the folders (names, globs, exclusions over their
 * names), map them to target tables (--rename), read every export's manifests and describe every
 * target (a damaged export or a missing definition stops the set before anything is touched), ask
 * once about every target that would be deleted, then import the tables a few at a time. Never throws
 * for a failure it can explain.
 */
export async function runImportTables(
  options: TableSetOptions,
  hooks: ImportTablesHooks = {},
): Promise<ImportTablesOutcome> {
  const { warnings, warn } = collectWarnings((message) => hooks.onEvent?.({ type: 'warning', message }));
  let touched = false;
  try {
    refuseForCommand('import', options);
    const from = requiredLocation(options.tableFlags, 'from');
    // Bad input changes nothing: the location is checked before anything is opened.
    parseExportLocation(from, 'from');
    const existing = await decideSetRecord(options, 'import');
    const { pairs, doneBefore } = existing
      ? await pairsOfRecord(existing, options)
      : { pairs: await freshPairs(options, from, warn, hooks.signal), doneBefore: new Set<number>() };
    const members = await membersOf(pairs, doneBefore, existing !== undefined, from, options);
    const parallelTables = parallelTablesOf(options, pairs.length);
    hooks.onEvent?.({ type: 'selected', pairs, parallelTables });

    const planned = await planMembers(members, hooks.signal);
    const entries = planned.map((p) => p.entry);
    hooks.onEvent?.({ type: 'planned', entries });
    const refusal = planned.find((p) => p.error && refusesTheSet(p.error));
    if (refusal?.error) throw pairError(refusal.member.pair, refusal.error);
    for (const p of planned) members[p.member.index]!.weight = p.entry.estimate.items;
    const approved = await confirmSetDeletions(entries, {
      yes: options.yes,
      confirm: hooks.confirmDeletion,
      hint: 'Pass --yes to confirm (scripts) or answer the prompt on a terminal; or --rename the targets to tables that do not exist.',
    });

    const record = new SetRecordWriter(
      options.checkpoint,
      existing ?? newSetRecord('import', options.selectionHash, pairs, options.checkpoint),
    );
    // Durable before the first target is touched: a crash from here on is resumable as a set.
    await record.write();
    touched = true;
    const outcome = await runSet<ImportOptions, ImportEvent, ImportSummary>({
      command: 'import',
      members,
      parallelTables,
      failFast: options.failFast,
      signal: hooks.signal,
      record,
      warnings,
      onEvent: hooks.onEvent,
      runOne: (member, memberHooks) =>
        runImport(member.options, {
          signal: memberHooks.signal,
          onEvent: memberHooks.onEvent,
          // Only the targets the user agreed to delete: a table that appeared since is refused.
          confirmDeletion: async (question) => approved.has(question.table),
        }),
      measure: (summary) => ({ items: summary.items.written, bytes: 0 }),
    });
    return { ...outcome, plan: entries };
  } catch (error) {
    return failedOutcome(error, { signal: hooks.signal, targetChanged: touched }, (status, typed) =>
      emptyTablesSummary('import', status, options.checkpoint, warnings, typed),
    );
  }
}

/** The library's entry point for a set: resolves with the summary, throws the typed error when it failed. */
export async function importTables(
  options: TableSetOptions,
  hooks: ImportTablesHooks = {},
): Promise<TablesSummary<ImportSummary>> {
  return summaryOrThrow(await runImportTables(options, hooks));
}

/**
 * The export folders under `from` that the flags select, each paired with its target table: the
 * folder's name (the source table's) renamed. An s3:// folder is listed with the target side's
 * credentials, as a one-table import reads it.
 */
async function freshPairs(
  options: TableSetOptions,
  from: string,
  warn: (message: string) => void,
  signal: AbortSignal | undefined,
): Promise<SetPair[]> {
  const target = await openCatalog({ store: 'dynamodb', side: 'target', config: options.target });
  try {
    for (const message of new Set(target.warnings)) warn(message);
    const storage = await openExportDir({
      store: 'export-dir',
      location: from,
      flag: 'from',
      s3: validateImportOptions({ ...options.tableFlags, target: 'set-target', from }).s3,
      signer: target.signer,
    });
    let folders: string[];
    try {
      folders = await exportFolders(storage);
      if (folders.length === 0) {
        const single = (await completedExports(storage, '')).length > 0;
        throw new InvalidOptionError(
          `No export folders under ${from}: a set is imported from DIR/<table>/ folders.`,
          {
            hint: single
              ? `${from} is one export: import it with --target TABLE (without --tables or --rename).`
              : 'Point --from at the --out of export --tables (it holds one folder per table).',
          },
        );
      }
    } finally {
      storage.close();
    }
    const listed = { listTables: async () => folders, tablesTagged: async () => new Set<string>() };
    const pairs = await selectedPairs(listed, options, signal).catch((error: unknown) => {
      throw inFolderWords(error, from);
    });
    for (const pair of pairs) {
      if (!folders.includes(pair.source)) {
        throw new InvalidOptionError(
          `The plan file names '${pair.source}', which is no export folder under ${from}.`,
          {
            hint: `The export folders are: ${folders.slice(0, 5).join(', ')}${folders.length > 5 ? ', ...' : ''}.`,
          },
        );
      }
    }
    if (pairs.length === 0) throw new InvalidOptionError('The set has no tables.');
    // Each folder once, every target a valid table name, no two folders onto one table.
    checkPairs(pairs, { sameLocation: false });
    return pairs;
  } finally {
    target.close();
  }
}

/** Table selection's refusals speak of the source's tables; here they are export folders. */
function inFolderWords(error: unknown, from: string): unknown {
  if (!(error instanceof InvalidOptionError)) return error;
  const message = error.message
    .replace(
      /^Table '(.+)' is not in the source account\/region\.$/,
      `There is no export folder '$1' under ${from}.`,
    )
    .replace('matches no table in the source account/region', `matches no export folder under ${from}`);
  const hint = error.hint
    ?.replace("The source's tables include", 'The export folders include')
    .replace('Tables with similar names', 'Export folders with similar names');
  if (message === error.message && hint === error.hint) return error;
  return new InvalidOptionError(message, { ...(hint ? { hint } : {}), cause: error });
}

/** Each table's own import options, validated like a one-table import's (the plan file's settings on top). */
async function membersOf(
  pairs: readonly SetPair[],
  doneBefore: ReadonlySet<number>,
  resuming: boolean,
  from: string,
  options: TableSetOptions,
): Promise<SetMember<ImportOptions>[]> {
  const records = await pairRecords(options.checkpoint, pairs, (index) => resuming && !doneBefore.has(index));
  const members: SetMember<ImportOptions>[] = [];
  for (const [index, pair] of pairs.entries()) {
    const { checkpoint, resume, restart } = records[index]!;
    const raw: RawOptions = {
      ...options.tableFlags,
      ...pair.overrides,
      from: tableLocation(from, pair.source),
      target: pair.target,
      checkpoint,
      resume,
      restart,
      // The set asks once; each import deletes only what that answer approved.
      yes: false,
    };
    let tableOptions: ImportOptions;
    try {
      const validated = validateImportOptions(raw);
      // The set's target side as given (a library caller's credentials too), with this table.
      tableOptions = Object.freeze({
        ...validated,
        target: Object.freeze({ ...options.target, table: pair.target }),
      });
    } catch (error) {
      throw pairError(pair, error);
    }
    members.push({ index, pair, options: tableOptions, doneBefore: doneBefore.has(index), weight: 0 });
  }
  return members;
}

interface PlannedMember {
  member: SetMember<ImportOptions>;
  entry: TablePlanEntry;
  error?: DdbCopyError;
}

/**
 * Plans every table that will run, a few at a time: reads its export's manifests (and definition) and
 * describes its target. Nothing is written.
 */
async function planMembers(
  members: readonly SetMember<ImportOptions>[],
  signal: AbortSignal | undefined,
): Promise<PlannedMember[]> {
  const results: PlannedMember[] = members.map((member) => ({
    member,
    entry: planEntry(member, member.doneBefore ? 'done-before' : 'unplannable'),
  }));
  const queue = members.filter((member) => !member.doneBefore);
  const lane = async (): Promise<void> => {
    for (let member = queue.shift(); member; member = queue.shift()) {
      const planned = await planMember(member, signal);
      results[member.index] = planned;
      // One refusal of the set is enough: do not read the rest.
      if (planned.error && refusesTheSet(planned.error)) queue.length = 0;
    }
  };
  await Promise.all(Array.from({ length: Math.min(PLANNING_PARALLELISM, Math.max(1, queue.length)) }, lane));
  return results;
}

async function planMember(
  member: SetMember<ImportOptions>,
  signal: AbortSignal | undefined,
): Promise<PlannedMember> {
  const { options } = member;
  let sink: DynamoDbSink | undefined;
  let source: ExportDirSource | undefined;
  try {
    sink = await openSink({ store: 'dynamodb', side: 'target', config: options.target, maxSockets: 4 });
    // Who the target is (STS), checked against --expect-target-account before anything is read.
    const who = await sink.whoAmI();
    checkAccount(who, 'target', options.target);
    source = await openSource({
      store: 'export-dir',
      location: options.from,
      flag: 'from',
      s3: options.s3,
      signer: sink.signer,
    });
    if (!options.key) {
      try {
        await source.describe();
      } catch (error) {
        if (!(error instanceof ExportDefinitionMissingError)) throw error;
        throw new ExportDefinitionMissingError(error.message, {
          side: 'source',
          hint: "This export has no table definition (an AWS export): pass --key NAME:TYPE[,NAME:TYPE] if every folder's table has that key, or import it alone with --key.",
          cause: error,
        });
      }
    }
    const existing = await sink.describe(signal);
    const entry = planEntry(member, options.resume ? 'resume' : existing ? 'recreate' : 'create');
    entry.target = { ...sink.identity, ...(who.account ? { account: who.account } : {}) };
    entry.sides = { target: who };
    entry.estimate = { items: source.itemCount, bytes: 0 };
    if (existing) {
      entry.existingTarget = { items: existing.ItemCount ?? 0, bytes: existing.TableSizeBytes ?? 0 };
      entry.deletesTarget = !options.resume;
      if (existing.DeletionProtectionEnabled && entry.deletesTarget) {
        entry.warnings.push(
          `'${member.pair.target}' has deletion protection: its import will fail; the others go on.`,
        );
      }
    }
    return { member, entry };
  } catch (error) {
    if (!(error instanceof DdbCopyError)) throw error;
    const entry = planEntry(member, 'unplannable');
    entry.error = errorReport(error);
    return { member, entry, error };
  } finally {
    source?.close();
    sink?.close();
  }
}

function planEntry(member: SetMember<ImportOptions>, action: TablePlanEntry['action']): TablePlanEntry {
  return {
    pair: member.pair,
    action,
    deletesTarget: false,
    target: { table: member.pair.target, region: member.options.target.region ?? null, endpoint: null },
    estimate: { items: 0, bytes: 0 },
    warnings: [],
  };
}

/**
 * Whether a table's planning failure stops the whole set before anything is touched: the set's input
 * is wrong (a flag, a record, an export that cannot be read or has no definition). A target's own
 * state (a permission, deletion protection) fails that table alone when the set runs.
 */
function refusesTheSet(error: DdbCopyError): boolean {
  if (error.exitCode !== EXIT.badInput) return false;
  return ['INVALID_OPTION', 'CHECKPOINT', 'ACCOUNT_MISMATCH'].includes(error.code) || error.side === 'source';
}
